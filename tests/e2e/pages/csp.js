// The script of the strict-CSP page: a file, since the policy forbids inline script.
window.telemetry.track('csp_page', { policy: 'strict' });
document.getElementById('go').addEventListener('click', () => {
  throw new Error('clicked under a strict CSP');
});
