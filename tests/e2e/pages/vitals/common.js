// Helpers the fixture pages share.
window.block = function block(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
};
// Inserts a block of `px` at the top of #content: everything below moves.
window.shiftBy = function shiftBy(px, label) {
  const d = document.createElement('div');
  d.className = 'spacer';
  d.style.height = px + 'px';
  d.dataset.label = label || '';
  const content = document.getElementById('content');
  content.insertBefore(d, content.firstChild);
};
window.at = function at(ms, fn) {
  setTimeout(fn, ms);
};
addEventListener('pageshow', (e) => {
  if (e.persisted) window.__restored = (window.__restored || 0) + 1;
});
// The page's own record of layout shifts, for the test's independent CLS sum.
window.__shifts = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__shifts.push({ startTime: e.startTime, value: e.value, hadRecentInput: e.hadRecentInput });
  }).observe({ type: 'layout-shift', buffered: true });
} catch (_) {}
