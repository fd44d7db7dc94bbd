// A classic (parser-blocking) script in the category page's <head>, before the
// render-blocking module that reorders the grid. Where the engine supports
// blocking="render" (Chromium, WebKit as tested) it does nothing: the module runs before
// the first paint. Where it does not (Firefox as tested), the module runs after the
// parser, and the browser may paint the shop's order first: this hides the grid (it keeps
// its place, so nothing moves) until category.js has reordered it (style.css, with a
// 1.5 s fallback). No inline script: the page keeps its strict CSP.
if (!document.currentScript?.blocking?.supports?.('render')) document.documentElement.classList.add('reorder-pending');
