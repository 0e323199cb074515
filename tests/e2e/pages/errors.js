// Each function raises one kind of error; the test finds the throwing
// statements by their markers to check line and column of the first frame.
window.fixture = {
  uncaught: function () {
    setTimeout(function thrower() {
      throw new TypeError('uncaught from fixture'); // MARK:uncaught
    }, 0);
  },
  rejectError: function () {
    Promise.reject(new Error('rejected with an Error')); // MARK:reject
  },
  rejectString: function () {
    Promise.reject('plain string reason');
  },
  rejectObject: function () {
    Promise.reject({ code: 42, reason: 'object reason' });
  },
  rejectUndefined: function () {
    Promise.reject(undefined);
  },
  resource: function () {
    var img = document.createElement('img');
    img.src = '/missing/avatar.png?email=jane.doe@example.com';
    document.body.appendChild(img);
  },
  csp: function () {
    var img = document.createElement('img');
    img.src = 'http://127.0.0.2:9/blocked.png';
    document.body.appendChild(img);
  },
  consoleError: function () {
    console.error('console says card 4111 1111 1111 1111 failed');
  },
  serverError: function () {
    return fetch('/api/fail').catch(function () {});
  },
  networkError: function () {
    return fetch('http://127.0.0.1:9/unreachable').catch(function () {});
  },
  manual: function () {
    window.telemetry.captureException(new SyntaxError('manual capture'), { tags: { area: 'cart' }, severity: 'WARNING' });
  },
  message: function () {
    window.telemetry.captureMessage('checkout reached step 3', 'INFO');
  },
  click: function () {
    document.getElementById('ready').click();
  },
  storm: function (n, perTask) {
    var left = n;
    return new Promise(function (resolve) {
      function chunk() {
        for (var i = 0; i < perTask && left > 0; i++, left--) {
          try {
            throw new Error('storm number ' + left); // MARK:storm
          } catch (e) {
            reportError(e);
          }
        }
        if (left > 0) setTimeout(chunk, 0);
        else setTimeout(resolve, 0);
      }
      setTimeout(chunk, 0);
    });
  },
};
