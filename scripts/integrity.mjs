// Writes www/pkg/integrity.json: the Subresource Integrity hash (sha384) of
// every shipped file, for `<script integrity=…>` and for a CDN's records.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';

const files = ['loader.js', 'pkg/agent.min.js', 'pkg/agent_wasm_bg.wasm', 'agent.js', 'clean.js', 'navigation.js', 'warm.js', 'pkg/agent_wasm.js'];
const out = {};
for (const f of files) {
  const path = `www/${f}`;
  if (!existsSync(path)) continue;
  out[f] = 'sha384-' + createHash('sha384').update(readFileSync(path)).digest('base64');
}
writeFileSync('www/pkg/integrity.json', JSON.stringify(out, null, 2) + '\n');
console.log('Subresource Integrity (www/pkg/integrity.json):');
for (const [f, h] of Object.entries(out)) console.log(`  ${f.padEnd(24)} ${h}`);
