/* Telemetry loader: the stub and the agent in one file (www/loader.js, built
   by scripts/bundle.mjs), so a page makes one request for them, not two in a row,
   and the file's integrity hash covers all of the agent's JavaScript.
   <script async src="/loader.js" data-endpoint="/v1/batch" data-app-version="1.0.0"></script>
   The stub (stub.js) records calls until the agent is ready; they are replayed in order. */
import { made } from './stub.js';
import { attach } from './agent.js';
import { warmUp } from './warm.js';

if (made) {
  // The agent takes over once the wasm's response has arrived (or failed): by
  // then the page's own scripts after this one have queued their calls, as
  // they did while a separate module loaded.
  const go = () => attach(made.api, made.cfg);
  if (made.api.w) made.api.w.then(go, go);
  else setTimeout(go, 0);
  // The main thread waits for the wasm now: storage and crypto are warmed
  // meanwhile, a task later (so that the page's own scripts after this one
  // are not held up), instead of in init() on the critical path.
  setTimeout(warmUp, 0);
}
