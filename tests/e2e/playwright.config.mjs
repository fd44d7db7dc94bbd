// End-to-end tests of the demo shop in headless Chromium (Debian's, or CHROMIUM_PATH).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../pkg-scripts/toolchain.mjs';

const port = Number(process.env.E2E_PORT ?? 8391);
const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.mjs',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  timeout: 30_000,
  reporter: [['list'], ['json', { outputFile: `${root}/test-results/e2e.json` }]],
  outputDir: `${root}/test-results/e2e`,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 900 },
    // Without CHROMIUM_PATH and without Debian's Chromium, use Playwright's own browser.
    launchOptions: existsSync(CHROMIUM) ? { executablePath: CHROMIUM, args: CHROMIUM_ARGS } : {},
  },
  webServer: {
    command: 'node pkg-scripts/serve.mjs',
    cwd: root,
    env: { PORT: String(port) },
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
