// Prints raw, gzip -9 and brotli -q 11 sizes of what a page downloads.
// With --check, fails when the gzip total passes the ceiling in size-budget.json.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const files = ['www/loader.js', 'www/agent.js', 'www/clean.js', 'www/navigation.js', 'www/pkg/agent_wasm.js', 'www/pkg/agent_wasm_bg.wasm'];
const rows = [];
const total = { raw: 0, gzip: 0, brotli: 0 };
for (const f of files) {
  if (!existsSync(f)) continue;
  const data = readFileSync(f);
  const raw = data.length;
  const gzip = gzipSync(data, { level: 9 }).length;
  const brotli = brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw },
  }).length;
  rows.push({ file: f, raw, gzip, brotli });
  total.raw += raw; total.gzip += gzip; total.brotli += brotli;
}
const pad = (s, n) => String(s).padStart(n);
console.log('size report (bytes)');
console.log(`${'file'.padEnd(30)}${pad('raw', 10)}${pad('gzip -9', 10)}${pad('brotli 11', 11)}`);
for (const r of [...rows, { file: 'total', ...total }]) {
  console.log(`${r.file.padEnd(30)}${pad(r.raw, 10)}${pad(r.gzip, 10)}${pad(r.brotli, 11)}`);
}

if (process.argv.includes('--check')) {
  const budget = JSON.parse(readFileSync('size-budget.json', 'utf8'));
  const kb = (n) => (n / 1024).toFixed(1) + ' KB';
  console.log(`size budget: ${kb(total.gzip)} gzip -9 shipped; ceiling ${kb(budget.ceiling_gzip_bytes)}; target ${kb(budget.target_gzip_bytes)} (${(total.gzip / budget.target_gzip_bytes).toFixed(1)}x the target)`);
  if (total.gzip > budget.ceiling_gzip_bytes) {
    console.error(`size check failed: ${total.gzip} bytes gzip is above the ceiling of ${budget.ceiling_gzip_bytes} bytes (size-budget.json)`);
    process.exit(1);
  }
}
