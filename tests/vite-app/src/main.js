// The npm quick start: one import, one init.
import { init, track, flush, consent } from 'telemetry-agent';

const status = document.getElementById('status');

init({ endpoint: '/v1/batch', appVersion: '2.0.0', environment: 'staging' })
  .then(() => {
    // A site with its own banner calls this from the banner's callback.
    consent.grant('analytics');
    track('vite_app_ready', { bundler: 'vite' });
    status.textContent = 'ready';
  })
  .catch((err) => {
    status.textContent = 'failed: ' + err.message;
  });

document.getElementById('buy').addEventListener('click', async () => {
  track('purchase', { sku: 'A-1', email: 'buyer@example.com' });
  status.textContent = 'flushed ' + (await flush());
});
