// Bundles what the script tag loads into one minified module next to the
// wasm: www/pkg/agent.min.js (www/agent.js with clean.js, navigation.js and
// the wasm-bindgen glue). One request instead of four, and a quarter of the
// bytes. npm users import www/agent.js itself; their bundler minifies it.
// The loader file (www/loader.js, from www/loader.src.js) is the stub and the
// same agent in one classic script: a page that loads it makes one request for
// the JavaScript, not the loader and then, once it has run, the module.
import { build } from 'esbuild';

await build({
  entryPoints: ['www/agent.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  outfile: 'www/pkg/agent.min.js',
  logLevel: 'error',
  legalComments: 'none',
});

await build({
  entryPoints: ['www/loader.src.js'],
  bundle: true,
  format: 'iife',
  // The loader always hands the module its early fetch of the wasm, so the
  // glue's default path (next to the module, from import.meta.url) is unused.
  define: { 'import.meta.url': 'undefined' },
  minify: true,
  target: 'es2020',
  outfile: 'www/loader.js',
  logLevel: 'error',
  legalComments: 'none',
});
