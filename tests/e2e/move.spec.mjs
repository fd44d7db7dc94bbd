// "Move my profile" end to end: two browser contexts are the same shopper's two devices.
// One makes a file locked with a passphrase (as a download, text and QR codes), the other
// brings it in, combined with or replacing what it knows; a wrong passphrase, a changed or
// incomplete file change nothing. Both pages fail their test on any console error or
// warning and on any request beyond the local server.
import { readFileSync } from 'node:fs';
import { renderSVG } from 'uqr';
import { expect, gridOrder, openShop, test, viewProducts } from './shop-fixture.mjs';

const PASSPHRASE = 'harbor lights 42';
const COMBINE = 'Combine with what this browser knows';
const REPLACE = 'Replace what this browser knows';

function meanPosition(order, category) {
  const positions = order.flatMap(([, c], i) => (c === category ? [i] : []));
  return positions.reduce((a, b) => a + b, 0) / positions.length;
}

const position = (order, id) => order.findIndex(([each]) => each === id);

/** Opens "Move my profile" from the preference center. */
async function openMove(page) {
  if (await page.locator('#privacy-panel').isHidden()) await page.click('#open-privacy');
  await page.getByRole('button', { name: 'Move my profile' }).click();
  await expect(page.locator('#move-dialog')).toBeVisible();
}

/** Makes the locked file in "Move my profile" and returns its text, as downloaded. */
async function createFile(page, passphrase = PASSPHRASE) {
  await openMove(page);
  await page.getByLabel('Choose a passphrase').fill(passphrase);
  await page.getByLabel('Type it again').fill(passphrase);
  await page.getByRole('button', { name: 'Create my locked file' }).click();
  const link = page.getByRole('link', { name: 'Download the file' });
  await expect(link).toBeVisible();
  // The passphrase is not kept in the page.
  await expect(page.getByLabel('Choose a passphrase')).toHaveValue('');
  await expect(page.getByLabel('Type it again')).toHaveValue('');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('shelfwise-profile.enc.json');
  return readFileSync(await download.path(), 'utf8');
}

/** Every QR code the dialog shows for the file, stepping through them with "Next code". */
async function qrCodes(page) {
  const code = page.locator('#move-qr-code');
  await expect(code.locator('svg')).toBeVisible();
  const count = Number(await code.getAttribute('data-count'));
  const codes = [];
  for (let n = 1; n <= count; n += 1) {
    if (n > 1) await page.getByRole('button', { name: 'Next code' }).click();
    await expect(code).toHaveAttribute('data-index', String(n));
    codes.push({
      part: await code.getAttribute('data-part'),
      path: await code.locator('svg path').getAttribute('d'),
      label: await code.locator('svg').getAttribute('aria-label'),
    });
  }
  return codes;
}

/** What a QR code of `text` draws (byte mode, error correction L, a quiet zone of 4), as uqr renders it. */
function qrPath(text) {
  return renderSVG(text, { ecc: 'L', border: 4 }).match(/<path[^>]* d="([^"]*)"/)[1];
}

/** The file again from its codes' texts: one code is the file; several are `SWP1:<n>/<count>:` and a slice, in order. */
function fromCodes(parts) {
  if (parts.length === 1) return parts[0];
  return parts
    .map((part, i) => {
      const mark = `SWP1:${i + 1}/${parts.length}:`;
      expect(part.startsWith(mark), `code ${i + 1} starts with ${mark}`).toBe(true);
      return part.slice(mark.length);
    })
    .join('');
}

/** Brings a file's text in with "Move my profile" (without waiting for the outcome). */
async function bringHere(page, text, { passphrase = PASSPHRASE, mode = COMBINE } = {}) {
  await openMove(page);
  await page.getByLabel('Your locked file’s text').fill(text);
  await page.getByLabel('Its passphrase').fill(passphrase);
  await page.getByLabel(mode).check();
  await page.getByRole('button', { name: 'Bring it here' }).click();
}

/**
 * What the preference center says the shop knows: each interest as the shopper reads it
 * (facet, value, strength and evidence), and how much it learned from. Sorted: interests
 * the panel words the same (two brands "some interest · 2 interactions") may swap places
 * when their strengths differ in the last digits, which the shopper cannot see.
 */
async function knows(page) {
  if (await page.locator('#privacy-panel').isHidden()) await page.click('#open-privacy');
  const interests = await page.locator('#interests > li').allInnerTexts();
  return { interests: interests.sort(), stats: await page.locator('#privacy-stats').innerText() };
}

/** Device A: consent, then four phones looked at. Returns their ids. */
async function phoneDevice(page) {
  await openShop(page);
  await page.click('#consent-accept');
  return viewProducts(page, 'smartphones', 4);
}

/** Device B: the shop's own order first, then consent and three fragrances, then its grid reloaded. */
async function fragranceDevice(page) {
  await openShop(page);
  const shop = await gridOrder(page);
  await page.click('#consent-accept');
  await viewProducts(page, 'fragrances', 3);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const before = await gridOrder(page);
  expect(meanPosition(before, 'fragrances'), 'fragrances rank higher for B than in the shop order').toBeLessThan(meanPosition(shop, 'fragrances'));
  return { shop, before };
}

test('a profile moves to another device, locked, and combines with what that device knows', async ({ page, otherDevice }) => {
  const phones = await phoneDevice(page);
  const { shop, before } = await fragranceDevice(otherDevice);
  await expect(otherDevice.locator('#grid-status')).toContainText('ordered for you');

  const file = await createFile(page);
  expect(JSON.parse(file)).toMatchObject({ format: 'shelfwise-export-encrypted', version: 1 });
  // Locked: what device A learned cannot be read from the file.
  expect(file).not.toContain('smartphones');
  expect(file).not.toContain('payload');
  // The QR codes draw exactly the file.
  const codes = await qrCodes(page);
  expect(codes.length).toBeGreaterThanOrEqual(1);
  expect(fromCodes(codes.map((code) => code.part))).toBe(file);
  for (const [i, code] of codes.entries()) {
    expect(code.path, `QR code ${i + 1}`).toBe(qrPath(code.part));
    expect(code.label).toContain('QR code');
  }

  await bringHere(otherDevice, file, { mode: COMBINE });
  await expect(otherDevice.locator('#move-dialog')).toBeHidden();
  await expect(otherDevice.locator('#privacy-feedback')).toContainText('combined with what this browser knew');
  // The preference center lists what both devices learned.
  await expect(otherDevice.locator('#interests')).toContainText('Smartphones');
  await expect(otherDevice.locator('#interests')).toContainText('Fragrances');

  const after = await gridOrder(otherDevice);
  expect(after.map(([id]) => id).sort()).toEqual(before.map(([id]) => id).sort());
  // Device A's interest moved up on B, and B's own still ranks above the shop's order.
  expect(meanPosition(after, 'smartphones')).toBeLessThan(meanPosition(before, 'smartphones'));
  expect(meanPosition(after, 'fragrances')).toBeLessThan(meanPosition(shop, 'fragrances'));
  const phonesBefore = phones.map((id) => position(before, id));
  const phonesAfter = phones.map((id) => position(after, id));
  expect(phonesAfter.reduce((a, b) => a + b, 0), `phones seen on A: ${phonesBefore} → ${phonesAfter}`).toBeLessThan(
    phonesBefore.reduce((a, b) => a + b, 0),
  );
  // B's first page shows both interests.
  const firstPage = after.slice(0, 24).map(([, category]) => category);
  expect(firstPage).toContain('fragrances');
  expect(firstPage).toContain('smartphones');
});

test('combining the same file twice changes nothing the second time', async ({ page, otherDevice }) => {
  await phoneDevice(page);
  await fragranceDevice(otherDevice);
  const file = await createFile(page);

  await bringHere(otherDevice, file);
  await expect(otherDevice.locator('#privacy-feedback')).toContainText('combined');
  const once = { order: await gridOrder(otherDevice), ...(await knows(otherDevice)) };
  expect(once.interests.join('\n')).toContain('Smartphones');

  await bringHere(otherDevice, file);
  await expect(otherDevice.locator('#move-dialog')).toBeHidden();
  await expect(otherDevice.locator('#privacy-feedback')).toContainText('combined');
  const twice = { order: await gridOrder(otherDevice), ...(await knows(otherDevice)) };
  // What the browser knows is exactly the same.
  expect(twice.interests).toEqual(once.interests);
  expect(twice.stats).toEqual(once.stats);
  // The order is ranked again seconds later on the real clock, and the visit's intent
  // decays by the second: two nearly tied products may trade places, nothing more.
  const key = ([id]) => id;
  expect(twice.order.slice(0, 24).map(key).sort()).toEqual(once.order.slice(0, 24).map(key).sort());
  const moved = twice.order.filter(([id], i) => Math.abs(once.order.findIndex(([other]) => other === id) - i) > 1);
  expect(moved, JSON.stringify(moved)).toEqual([]);
});

test('a wrong passphrase, a changed or incomplete file, or another file says so and changes nothing', async ({ page, otherDevice }) => {
  await phoneDevice(page);
  const { before } = await fragranceDevice(otherDevice);
  const known = await knows(otherDevice);
  const file = await createFile(page);
  const error = otherDevice.locator('#move-import-error');

  await bringHere(otherDevice, file, { passphrase: 'harbor lights 24' });
  await expect(error).toHaveText(/That passphrase does not open this file/);
  await expect(otherDevice.locator('#move-dialog')).toBeVisible();
  await expect(otherDevice.getByLabel('Its passphrase')).toBeFocused();
  await expect(otherDevice.getByLabel('Its passphrase')).toHaveAttribute('aria-invalid', 'true');

  // One character of the encrypted content changed.
  const sealed = JSON.parse(file);
  const k = Math.floor(sealed.ciphertext.length / 2);
  sealed.ciphertext = sealed.ciphertext.slice(0, k) + (sealed.ciphertext[k] === 'A' ? 'B' : 'A') + sealed.ciphertext.slice(k + 1);
  const cases = [
    [JSON.stringify(sealed), /This file was changed after it was made/],
    [file.slice(0, -40), /This file is incomplete/],
    ['{"format":"shelfwise-export","note":"not a profile"}', /This is not a Shelfwise profile file/],
  ];
  for (const [text, message] of cases) {
    await otherDevice.getByLabel('Your locked file’s text').fill(text);
    await otherDevice.getByLabel('Its passphrase').fill(PASSPHRASE);
    await otherDevice.getByRole('button', { name: 'Bring it here' }).click();
    await expect(error).toHaveText(message);
  }
  await otherDevice.keyboard.press('Escape');
  await expect(otherDevice.locator('#move-dialog')).toBeHidden();
  // Escape closed the dialog alone: the preference center is still open.
  await expect(otherDevice.locator('#privacy-panel')).toBeVisible();
  await expect(otherDevice.locator('#privacy-feedback')).toHaveText('');
  expect(await knows(otherDevice)).toEqual(known);
  // What is stored is unchanged too: the grid ranked from it anew is the same.
  await otherDevice.reload();
  await expect(otherDevice.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(await gridOrder(otherDevice)).toEqual(before);
  expect(await knows(otherDevice)).toEqual(known);

  // The right passphrase still opens it.
  await bringHere(otherDevice, file);
  await expect(otherDevice.locator('#privacy-feedback')).toContainText('combined');
  await expect(otherDevice.locator('#interests')).toContainText('Smartphones');
});

test('a locked file chosen with "Import my data" asks for its passphrase, and can replace what the device knows', async ({
  page,
  otherDevice,
}) => {
  await phoneDevice(page);
  const { before } = await fragranceDevice(otherDevice);
  const file = await createFile(page);

  await otherDevice.click('#open-privacy');
  await otherDevice.setInputFiles('#import-profile', { name: 'shelfwise-profile.enc.json', mimeType: 'application/json', buffer: Buffer.from(file) });
  await expect(otherDevice.locator('#move-dialog')).toBeVisible();
  await expect(otherDevice.getByLabel('Your locked file’s text')).toHaveValue(file);
  await expect(otherDevice.getByLabel('Its passphrase')).toBeFocused();
  await expect(otherDevice.getByLabel(COMBINE), 'combining is the default').toBeChecked();

  await otherDevice.getByLabel('Its passphrase').fill(PASSPHRASE);
  await otherDevice.getByLabel(REPLACE).check();
  await otherDevice.getByRole('button', { name: 'Bring it here' }).click();
  await expect(otherDevice.locator('#move-dialog')).toBeHidden();
  await expect(otherDevice.locator('#privacy-feedback')).toContainText('replaced what this browser knew');
  await expect(otherDevice.locator('#interests')).toContainText('Smartphones');
  await expect(otherDevice.locator('#interests')).not.toContainText('Fragrances');
  const after = await gridOrder(otherDevice);
  expect(meanPosition(after, 'smartphones')).toBeLessThan(meanPosition(before, 'smartphones'));
  expect(meanPosition(after, 'fragrances')).toBeGreaterThan(meanPosition(before, 'fragrances'));
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('a profile too big for one QR code shows numbered codes, which bring it back in any order', async ({ page, otherDevice }) => {
    await openShop(page);
    await page.click('#consent-accept');
    // A profile with some history: sixty products of three categories, recorded in the page.
    await page.evaluate(async () => {
      const { Shelfwise } = await import('/shelfwise/index.js');
      const shelf = await Shelfwise.open({ namespace: 'harbor-market' });
      const products = await (await fetch('/data/products.json')).json();
      const wanted = products.filter((p) => ['laptops', 'smartphones', 'tablets'].includes(p.category)).slice(0, 60);
      for (const product of wanted) shelf.track({ type: 'view', product });
      shelf.close();
    });
    await page.reload();
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');

    await openMove(page);
    // The passphrase is checked before anything is made.
    await page.getByLabel('Choose a passphrase').fill('short');
    await page.getByLabel('Type it again').fill('short');
    await page.getByRole('button', { name: 'Create my locked file' }).click();
    await expect(page.locator('#move-create-error')).toHaveText(/at least 8 characters/);
    await page.getByLabel('Choose a passphrase').fill(PASSPHRASE);
    await page.getByLabel('Type it again').fill(`${PASSPHRASE}!`);
    await page.getByRole('button', { name: 'Create my locked file' }).click();
    await expect(page.locator('#move-create-error')).toHaveText(/not the same/);
    await expect(page.locator('#move-result')).toBeHidden();
    await page.keyboard.press('Escape');

    const file = await createFile(page);
    const codes = await qrCodes(page);
    expect(codes.length, `${file.length} characters`).toBeGreaterThan(1);
    expect(fromCodes(codes.map((code) => code.part))).toBe(file);
    for (const [i, code] of codes.entries()) {
      expect(code.part.length, 'small enough to scan off a screen').toBeLessThanOrEqual(1300);
      expect(code.path, `QR code ${i + 1}`).toBe(qrPath(code.part));
      expect(code.label).toBe(`QR code ${i + 1} of ${codes.length} of your locked file`);
    }
    // At the last code: "Next" is off, the caption and position say where the shopper is.
    await expect(page.getByRole('button', { name: 'Next code' })).toBeDisabled();
    await expect(page.locator('#move-qr-position')).toHaveText(`${codes.length} of ${codes.length}`);
    await expect(page.locator('#move-qr-caption')).toContainText(`Code ${codes.length} of ${codes.length}`);
    await page.getByRole('button', { name: 'Previous code' }).click();
    await expect(page.locator('#move-qr-code')).toHaveAttribute('data-index', String(codes.length - 1));
    // The code fits the phone's screen, large enough to scan.
    const box = await page.locator('#move-qr-code svg').boundingBox();
    expect(box.width).toBeGreaterThanOrEqual(250);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);

    // The other device, with what its camera read pasted code after code, in another order.
    await openShop(otherDevice);
    await otherDevice.click('#consent-accept');
    const parts = codes.map((code) => code.part);
    await bringHere(otherDevice, parts.slice(0, -1).join('\n'));
    await expect(otherDevice.locator('#move-import-error')).toHaveText(new RegExp(`code ${parts.length} is missing \\(of ${parts.length}\\)`));
    await otherDevice.getByLabel('Your locked file’s text').fill([...parts].reverse().join('\n'));
    await otherDevice.getByRole('button', { name: 'Bring it here' }).click();
    await expect(otherDevice.locator('#move-dialog')).toBeHidden();
    await expect(otherDevice.locator('#privacy-feedback')).toContainText('combined');
    for (const name of ['Laptops', 'Smartphones', 'Tablets']) await expect(otherDevice.locator('#interests')).toContainText(name);
  });
});
