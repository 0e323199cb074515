/* Telemetry loader: a stub that records calls until the agent module is ready.
   <script async src="/loader.js" data-endpoint="/v1/batch" data-app-version="1.0.0"></script> */
(function (w, d) {
  var me = d.currentScript;
  var api = (w.telemetry = w.telemetry || {});
  if (api.q) return;
  var q = (api.q = []);
  function stub(o, m, name) {
    o[m] = function () {
      q.push([name, [].slice.call(arguments)]);
    };
  }
  ['init', 'track', 'identify', 'flush', 'forget', 'captureException', 'captureMessage', 'addBreadcrumb'].forEach(function (m) {
    stub(api, m, m);
  });
  // Errors before the agent is ready are recorded and handed over.
  var errs = (api.e = []);
  function onError(ev) {
    if (errs.length >= 100) return;
    var r = ev.reason, e = ev.error || r;
    errs.push({
      kind: ev.type, time: Date.now(), message: (e && e.message) || ev.message || String(r),
      name: e && e.name, stack: e && e.stack, filename: ev.filename, lineno: ev.lineno, colno: ev.colno,
    });
  }
  w.addEventListener('error', onError);
  w.addEventListener('unhandledrejection', onError);
  api.off = function () {
    w.removeEventListener('error', onError);
    w.removeEventListener('unhandledrejection', onError);
  };
  api.consent = {};
  ['grant', 'deny', 'revoke', 'onChange'].forEach(function (m) {
    stub(api.consent, m, 'consent.' + m);
  });
  var cfg = {};
  if (me) {
    var ds = me.dataset;
    for (var k in ds) {
      var v = ds[k];
      cfg[k] = v === 'true' ? true : v === 'false' ? false : v !== '' && !isNaN(v) && k !== 'appVersion' ? Number(v) : v;
    }
  }
  var base = me && me.src ? me.src : d.baseURI;
  import(new URL('agent.js', base).href).then(
    function (m) {
      m.attach(api, cfg);
    },
    function (e) {
      console.error('[telemetry] agent not loaded:', e && e.message);
    }
  );
})(window, document);
