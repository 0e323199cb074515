/* The script-tag stub: defines window.telemetry at once with the agent's API,
   recording the calls (init, flush, forget and shutdown return promises that
   settle with the real calls) and the page's errors until the agent takes over,
   and starts fetching the wasm. Bundled first into www/loader.js, so that it has
   run, and the wasm is on its way, before the agent's own code is evaluated.
   `made` is null when a stub was already there (the file loaded twice, or with
   the inline snippet): that one stays in charge. */
function makeStub(w, d) {
  var me = d.currentScript;
  var api = (w.telemetry = w.telemetry || {});
  if (api.q) return null;
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
  // The wasm is fetched at once, while the agent's code is evaluated.
  if (w.fetch) {
    api.w = fetch(new URL('pkg/agent_wasm_bg.wasm', base).href);
    api.w.catch(function () {});
  }
  return { api: api, cfg: cfg };
}

export const made = makeStub(window, document);
