// The demo's consent banner: vanilla-cookieconsent wired to the agent's consent API.
// Until the visitor chooses, the agent holds events in memory and sends and stores nothing.
(function () {
  var CATEGORIES = ['analytics', 'marketing'];

  function sync() {
    CATEGORIES.forEach(function (c) {
      if (window.CookieConsent.acceptedCategory(c)) window.telemetry.consent.grant(c);
      else window.telemetry.consent.deny(c);
    });
  }

  window.CookieConsent.run({
    categories: {
      necessary: { enabled: true, readOnly: true },
      analytics: {},
      marketing: {},
    },
    // The end-to-end tests drive a real browser that announces itself as automated.
    hideFromBots: false,
    onConsent: sync,
    onChange: sync,
    guiOptions: { consentModal: { layout: 'box', position: 'bottom right' } },
    language: {
      default: 'en',
      translations: {
        en: {
          consentModal: {
            title: 'Telemetry on this page',
            description:
              'With your consent we measure page views, performance and errors to improve this site. ' +
              'Personal data (emails, phone and card numbers, IPs, tokens) is masked in your browser before anything is sent.',
            acceptAllBtn: 'Accept all',
            acceptNecessaryBtn: 'Reject all',
            showPreferencesBtn: 'Choose',
          },
          preferencesModal: {
            title: 'Consent preferences',
            acceptAllBtn: 'Accept all',
            acceptNecessaryBtn: 'Reject all',
            savePreferencesBtn: 'Save choices',
            closeIconLabel: 'Close',
            sections: [
              { title: 'Necessary', description: 'Needed for the site to work.', linkedCategory: 'necessary' },
              { title: 'Analytics', description: 'Page views, Web Vitals and errors.', linkedCategory: 'analytics' },
              { title: 'Marketing', description: 'Your user id and campaign parameters.', linkedCategory: 'marketing' },
            ],
          },
        },
      },
    },
  });

  var withdraw = document.getElementById('withdraw');
  if (withdraw) {
    withdraw.addEventListener('click', function () {
      window.telemetry.consent.revoke();
      window.CookieConsent.reset(true);
      window.CookieConsent.show(true);
    });
  }
  var forget = document.getElementById('forget');
  if (forget) {
    forget.addEventListener('click', function () {
      window.telemetry.forget().then(function (n) {
        document.getElementById('stats').textContent = 'erased ' + n + ' events at the collector';
      });
      window.CookieConsent.reset(true);
    });
  }
})();
