// Demo page behaviour (kept out of the HTML so the page works under a strict CSP).
(function () {
  var clicks = 0;
  function show() {
    var stats = window.telemetry.getStats ? window.telemetry.getStats() : undefined;
    document.getElementById('stats').textContent = 'agent stats: ' + JSON.stringify(stats || {});
  }
  document.getElementById('track').addEventListener('click', function () {
    clicks += 1;
    window.telemetry.track('demo_click', { clicks: clicks, plan: 'free', contact: 'jane.doe@example.com' });
    show();
  });
  document.getElementById('flush').addEventListener('click', function () {
    var p = window.telemetry.flush();
    if (p && p.then) p.then(show);
  });
  setInterval(show, 1000);
})();
