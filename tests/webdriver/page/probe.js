// Injected first into every page the WebDriver suite opens (a classic script, so it runs
// before the page's own). Firefox's and WebKit's drivers cannot read the console, so this
// reports what the Playwright fixture reads there: console errors and warnings, uncaught
// errors and rejections, resources that failed, CSP violations, and any request beyond
// the local server. Each is sent to the test server as it happens (sendBeacon survives
// navigation and closing the window).
(() => {
  window.__probe = true;
  const report = (text) => {
    const body = JSON.stringify({ page: location.pathname + location.search, text: String(text).slice(0, 500) });
    if (!navigator.sendBeacon('/__test/problem', body)) (window.__problems ??= []).push(text);
  };
  for (const level of ['error', 'warn']) {
    const original = console[level];
    console[level] = function (...args) {
      report(`console.${level}: ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}`);
      return original.apply(this, args);
    };
  }
  // Capture: a failed <script>, <img> or <link> fires a non-bubbling error on itself.
  addEventListener(
    'error',
    (event) => report(event instanceof ErrorEvent ? `uncaught: ${event.message}` : `failed to load: ${event.target?.src ?? event.target?.href}`),
    true,
  );
  addEventListener('unhandledrejection', (event) => report(`unhandled rejection: ${event.reason?.message ?? event.reason}`));
  document.addEventListener('securitypolicyviolation', (event) => report(`CSP: ${event.violatedDirective} ${event.blockedURI}`));
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.name.startsWith(`${location.origin}/`)) report(`request beyond the local server: ${entry.name}`);
    }
  }).observe({ type: 'resource', buffered: true });
})();
