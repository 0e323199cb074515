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
  ['init', 'track', 'identify', 'flush', 'forget'].forEach(function (m) {
    stub(api, m, m);
  });
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
