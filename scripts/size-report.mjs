// Prints raw, gzip -9 and brotli -q 11 sizes of what a page downloads.
// The total is the script-tag route (loader, the bundled module, the wasm);
// the npm module's source files are listed too, for reference (a site's own
// bundler minifies them). With --check, fails when the gzip total passes the
// ceiling in size-budget.json.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const shipped = ['www/loader.js', 'www/pkg/agent.min.js', 'www/pkg/agent_wasm_bg.wasm'];
const sources = ['www/agent.js', 'www/clean.js', 'www/navigation.js', 'www/pkg/agent_wasm.js'];
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
const total = { file: 'total (script tag)', raw: 0, gzip: 0, brotli: 0 };
console.log('size report (bytes): what a script-tag page downloads');
console.log(`${'file'.padEnd(34)}${pad('raw', 10)}${pad('gzip -9', 10)}${pad('brotli 11', 11)}`);
for (const f of shipped.filter(existsSync)) {
  const r = measure(f);
  line(r);
  for (const k of ['raw', 'gzip', 'brotli']) total[k] += r[k];
}
line(total);
console.log('npm module sources (unminified; a bundler minifies them):');
for (const f of sources.filter(existsSync)) line(measure(f));

if (process.argv.includes('--check')) {
  const budget = JSON.parse(readFileSync('size-budget.json', 'utf8'));
  const kb = (n) => (n / 1024).toFixed(1) + ' KB';
  console.log(`size budget: ${kb(total.gzip)} gzip -9 shipped; ceiling ${kb(budget.ceiling_gzip_bytes)}; target ${kb(budget.target_gzip_bytes)} (${(total.gzip / budget.target_gzip_bytes).toFixed(1)}x the target)`);
  if (total.gzip > budget.ceiling_gzip_bytes) {
    console.error(`size check failed: ${total.gzip} bytes gzip is above the ceiling of ${budget.ceiling_gzip_bytes} bytes (size-budget.json)`);
    process.exit(1);
  }
}
