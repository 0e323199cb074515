// Prints raw, gzip -9 and brotli -q 11 sizes of what a page downloads, by
// each of the two script-tag routes: the loader file (the stub with the agent
// bundled in, and the wasm) and the README's inline snippet (its bytes in the
// page, the bundled module, the wasm). The npm module's source files are listed
// too, for reference (a site's own bundler minifies them). With --check, fails
// when the larger route's gzip total passes the ceiling in size-budget.json.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const routes = [
  { name: 'loader file', files: ['www/loader.js', 'www/pkg/agent_wasm_bg.wasm'] },
  { name: 'inline snippet', files: ['www/snippet.html', 'www/pkg/agent.min.js', 'www/pkg/agent_wasm_bg.wasm'] },
];
const sources = ['www/agent.js', 'www/clean.js', 'www/navigation.js', 'www/warm.js', 'www/pkg/agent_wasm.js'];
const pad = (s, n) => String(s).padStart(n);

function measure(f) {
  const data = readFileSync(f);
  const raw = data.length;
  const gzip = gzipSync(data, { level: 9 }).length;
  const brotli = brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw },
  }).length;
  return { file: f, raw, gzip, brotli };
}

const line = (r) => console.log(`${r.file.padEnd(34)}${pad(r.raw, 10)}${pad(r.gzip, 10)}${pad(r.brotli, 11)}`);
console.log('size report (bytes): what a script-tag page downloads');
console.log(`${'file'.padEnd(34)}${pad('raw', 10)}${pad('gzip -9', 10)}${pad('brotli 11', 11)}`);
let total = null;
for (const route of routes) {
  const sum = { file: `total (${route.name})`, raw: 0, gzip: 0, brotli: 0 };
  for (const f of route.files) {
    if (!existsSync(f)) {
      console.error(`size report: ${f} is missing (run scripts/build.sh)`);
      process.exit(1);
    }
    const r = measure(f);
    line(r);
    for (const k of ['raw', 'gzip', 'brotli']) sum[k] += r[k];
  }
  line(sum);
  if (!total || sum.gzip > total.gzip) total = sum;
}
console.log('npm module sources (unminified; a bundler minifies them):');
for (const f of sources.filter(existsSync)) line(measure(f));

if (process.argv.includes('--check')) {
  const budget = JSON.parse(readFileSync('size-budget.json', 'utf8'));
  const kb = (n) => (n / 1024).toFixed(1) + ' KB';
  console.log(`size budget: ${kb(total.gzip)} gzip -9 shipped (the larger route, ${total.file.slice(7, -1)}); ceiling ${kb(budget.ceiling_gzip_bytes)}; target ${kb(budget.target_gzip_bytes)} (${(total.gzip / budget.target_gzip_bytes).toFixed(1)}x the target)`);
  if (total.gzip > budget.ceiling_gzip_bytes) {
    console.error(`size check failed: ${total.gzip} bytes gzip is above the ceiling of ${budget.ceiling_gzip_bytes} bytes (size-budget.json)`);
    process.exit(1);
  }
}
