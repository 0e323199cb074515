// Prints raw, gzip -9 and brotli -q 11 sizes of what a page downloads.
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
