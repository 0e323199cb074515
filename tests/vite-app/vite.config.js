// The production build needs no setting for the agent. The dev server does:
// without `optimizeDeps.exclude`, Vite pre-bundles the package and the
// module's `new URL('agent_wasm_bg.wasm', import.meta.url)` no longer finds
// the .wasm next to it.
import { defineConfig } from 'vite';

export default defineConfig({
  optimizeDeps: { exclude: ['telemetry-agent'] },
  build: { target: 'es2022' },
});
