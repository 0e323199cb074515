// Where the wasm's bytes go: code size per crate (and per module of our own
// crate), read from the function bodies and the name section of a module.
// By default the module that cargo writes, before wasm-bindgen and wasm-opt;
// with --shipped, the shipped module's code (wasm-bindgen and wasm-opt -Oz as
// the build runs them, names kept), where inlining has moved the bytes.
// usage: node scripts/size-breakdown.mjs [module.wasm] [--shipped [--keep names.wasm]] [--top N] [--depth D]
// (--keep writes the shipped module with its names, for bench/startup-trace.mjs --names)
// (W=400 in the environment prints function names up to 400 characters, not 140)
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functions } from './wasm-reader.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt;
};
const TOP = opt('--top', 25);
const DEPTH = opt('--depth', 3);
const keep = args.indexOf('--keep') >= 0 ? args.splice(args.indexOf('--keep'), 2)[1] : null;
const shipped = args.includes('--shipped');
if (shipped) args.splice(args.indexOf('--shipped'), 1);
const built = args[0] || 'target/ship/wasm32-unknown-unknown/release/telemetry_agent.wasm';
let file = built;
let bytes;
if (shipped) {
  const dir = mkdtempSync(join(tmpdir(), 'size-'));
  try {
    execFileSync('wasm-bindgen', ['--keep-debug', '--target', 'web', '--no-typescript', '--out-dir', dir, '--out-name', 'm', built]);
    execFileSync('node', ['scripts/cold-functions.mjs', join(dir, 'm_bg.wasm')]);
    execFileSync('node_modules/.bin/wasm-opt', ['-g', '--no-inline', '--pass-arg=no-inline@cold~*', '-Oz', '--converge', '--low-memory-unused', join(dir, 'm_bg.wasm'), '-o', join(dir, 'g.wasm')]);
    execFileSync('node', ['scripts/order-functions.mjs', join(dir, 'g.wasm'), join(dir, 'o.wasm'), '--keep-names']);
    bytes = readFileSync(join(dir, 'o.wasm'));
    if (keep) writeFileSync(keep, bytes);
    file = `${built} after wasm-bindgen and wasm-opt -Oz`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  bytes = readFileSync(file);
}

const { imported: importedFuncs, sizes: bodySizes, names, sections, dataBytes } = functions(bytes);

// Demangle enough of the legacy Rust mangling (_ZN...E) to get the path.
function path(sym) {
  sym = sym.replace(/^cold~/, '');
  if (!sym.startsWith('_ZN')) {
    // Names that wasm-bindgen already demangled: `crate[hash]::path::f::h0123...`.
    const clean = sym.replace(/\[[0-9a-f]+\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
    return clean.includes('::') ? clean : clean.split(/[<(:]/)[0] || clean;
  }
  const parts = [];
  let i = 3;
  while (i < sym.length && sym[i] !== 'E') {
    let n = 0;
    while (sym[i] >= '0' && sym[i] <= '9') n = n * 10 + Number(sym[i++]);
    if (n === 0) break;
    parts.push(sym.slice(i, i + n));
    i += n;
  }
  return parts
    .filter((p) => !/^h[0-9a-f]{16}$/.test(p))
    .map((p) => p.replace(/\$LT\$|\$GT\$|\$u20\$|\$C\$|\$RF\$|\$BP\$|\.\./g, (m) => ({ '$LT$': '<', '$GT$': '>', '$u20$': ' ', '$C$': ',', '$RF$': '&', '$BP$': '*', '..': '::' })[m]))
    .join('::');
}

function group(p) {
  // `<A as B>::f` counts for the crate of A (the type that owns the code).
  const m = p.match(/^_?<([^ >]+)/);
  const core = (m ? m[1] : p).replace(/^&(mut )?|^\*(const|mut) /, '');
  const segs = core.split('::').filter(Boolean);
  if (segs[0] === 'telemetry_agent') return segs.slice(0, DEPTH).join('::');
  return segs[0] || p;
}

const byGroup = new Map();
const byFunc = [];
let total = 0;
bodySizes.forEach((size, i) => {
  const raw = names.get(i + importedFuncs) || `func${i + importedFuncs}`;
  const p = path(raw);
  const g = group(p);
  byGroup.set(g, (byGroup.get(g) || 0) + size);
  byFunc.push([size, p]);
  total += size;
});

const pct = (n) => ((100 * n) / total).toFixed(1).padStart(5) + ' %';
console.log(`code of ${file}: ${total} bytes in ${bodySizes.length} functions; data ${dataBytes} bytes`);
console.log('\nby crate (our own crate by module):');
for (const [g, n] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(`${String(n).padStart(9)} ${pct(n)}  ${g}`);
}
console.log(`\nlargest functions:`);
for (const [n, p] of byFunc.sort((a, b) => b[0] - a[0]).slice(0, TOP)) {
  console.log(`${String(n).padStart(9)} ${pct(n)}  ${p.slice(0, Number(process.env.W || 140))}`);
}
