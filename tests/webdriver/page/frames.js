// Records what every rendered frame would show of #grid, from before the page's own
// scripts run: requestAnimationFrame callbacks run right before each paint, and not while
// rendering is blocked. Each entry: whether the grid was visible, its first product ids,
// the top of its first card (a jump in place would move it), and whether the shop's
// render guard was hiding it.
(() => {
  const frames = (window.__frames = []);
  const tick = () => {
    const grid = document.getElementById('grid');
    if (grid) {
      const cards = grid.querySelectorAll('li[data-product-id]');
      frames.push({
        at: performance.now(),
        visible: getComputedStyle(grid).visibility === 'visible' && grid.getBoundingClientRect().height > 0,
        order: [...cards].slice(0, 6).map((card) => card.dataset.productId),
        top: cards[0]?.getBoundingClientRect().top ?? null,
        guarded: document.documentElement.classList.contains('reorder-pending'),
      });
    }
    if (frames.length < 120) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
