// Bundles what the script tag loads into one minified module next to the
// wasm: www/pkg/agent.min.js (www/agent.js with clean.js, navigation.js and
// the wasm-bindgen glue). One request instead of four, and a quarter of the
// bytes. npm users import www/agent.js itself; their bundler minifies it.
// The loader too is shipped minified (www/loader.js, from www/loader.src.js):
// its comments and names were a third of its gzip bytes.
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
  minify: true,
  target: 'es2020',
  outfile: 'www/loader.js',
  logLevel: 'error',
  legalComments: 'none',
});
