// A browser without Web Locks (Safari before 15.4, Firefox before 96): Shelfwise then
// compacts without a lock. Injected before the page's scripts.
(() => {
  Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
})();
