// Safari's private browsing before Safari 11, and any storage with no quota left:
// reading works, every write throws QuotaExceededError. Injected before the page's
// scripts, so Shelfwise opens on it.
(() => {
  Storage.prototype.setItem = function () {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  };
})();
