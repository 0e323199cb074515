/* Telemetry loader: a stub that records calls until the agent module is ready.
   <script async src="/loader.js" data-endpoint="/v1/batch" data-app-version="1.0.0"></script>
   The stub has the module's API: calls are replayed in order once it has loaded;
   init, flush, forget and shutdown return promises that settle with the real calls. */
(function (w, d) {
  var me = d.currentScript;
  var api = (w.telemetry = w.telemetry || {});
  if (api.q) return;
  var q = (api.q = []);
  function stub(o, m, name, ret) {
    o[m] = function () {
      var args = [].slice.call(arguments);
      if (ret !== 'p') {
        q.push([name, args]);
        return ret;
      }
      return new Promise(function (res, rej) {
        q.push([name, args, function (ok, v) { (ok ? res : rej)(v); }]);
      });
    };
  }
  'init flush forget shutdown'.split(' ').forEach(function (m) {
    stub(api, m, m, 'p');
  });
  'track identify reset setTag captureException captureMessage addBreadcrumb'.split(' ').forEach(function (m) {
    stub(api, m, m, false);
  });
  api.getStats = function () {
    var s = {};
    'accepted sent retried dropped invalid sampledOut pending held heldDropped denied cleaned rejected errorsReported errorsSuppressed errorsSampledOut droppedByHook'
      .split(' ').forEach(function (k) { s[k] = 0; });
    return s;
  };
  api.mask = function () {
    return null;
  };
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
  var c = (api.consent = {});
  ['grant', 'deny', 'revoke'].forEach(function (m) {
    stub(c, m, 'consent.' + m, null);
  });
  c.get = function () {
    return null;
  };
  c.onChange = function (fn) {
    var off, gone;
    q.push(['consent.onChange', [fn], function (ok, v) { off = v; if (gone && off) off(); }]);
    return function () {
      gone = 1;
      if (off) off();
    };
  };
  var cfg = {};
  if (me) {
    var ds = me.dataset;
    for (var k in ds) {
      var v = ds[k];
      cfg[k] = v === 'true' ? true : v === 'false' ? false : v !== '' && !isNaN(v) && k !== 'appVersion' ? Number(v) : v;
    }
  }
  var base = me && me.src ? me.src : d.baseURI;
  // The wasm is fetched at once, beside the module rather than after it.
  if (w.fetch) {
    api.w = fetch(new URL('pkg/agent_wasm_bg.wasm', base).href);
    api.w.catch(function () {});
  }
  import(new URL('pkg/agent.min.js', base).href).then(
    function (m) {
      m.attach(api, cfg);
    },
    function (e) {
      console.error('[telemetry] agent not loaded:', e && e.message);
    }
  );
})(window, document);
