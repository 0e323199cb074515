// Gives the wasm's imports, the module they come from and the glue's internal
// exports short names, in the module and in its JavaScript glue alike.
// wasm-bindgen names each import after its binding and a 16-digit hash (`__wbg_get_a1b2c3d4e5f6a7b8`); ~170 such names, written once in the
// module and once in the glue, are ~12 KB of text that gzip can barely
// compress. Run after wasm-opt, before the bundle and the integrity hashes.
// usage: node scripts/short-imports.mjs <module.wasm> <glue.js>
import { readFileSync, writeFileSync } from 'node:fs';
import { leb, name, reader, section } from './wasm-reader.mjs';

const [wasmPath, gluePath] = process.argv.slice(2);
const bytes = readFileSync(wasmPath);
let glue = readFileSync(gluePath, 'utf8');

const r = reader(bytes);
// a, b, ... z, A ... Z, then two letters: never a JavaScript keyword.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const short = (i) => (i < ALPHABET.length ? ALPHABET[i] : short(Math.floor(i / ALPHABET.length) - 1) + ALPHABET[i % ALPHABET.length]);

// The glue's own exports of the module (allocator, externref table, closure
// shims: `wasm_bindgen__convert__closures…`, or with the crate's hash after
// `wasm_bindgen` when the standard library is built with the agent) get short
// names too; the agent's API keeps its names.
const INTERNAL = /^(__wbindgen_|__externref_|wasm_bindgen_\w*?_convert__closures)/;
let exported = 0;
function exportSection(end) {
  const count = r.u32();
  const body = [leb(count)];
  for (let n = 0; n < count; n++) {
    const field = r.str();
    const descStart = r.pos;
    r.pos++;
    r.u32();
    let next = field;
    if (INTERNAL.test(field)) {
      next = '_' + short(exported++);
      // The glue reads each as `wasm.name`; its own functions of the same name stay.
      const use = new RegExp(`(?<=[^\\w$]wasm\\.)${field}(?![\\w$])`, 'g');
      if (!use.test(glue)) throw new Error(`export ${field} is not used as wasm.${field} in the glue`);
      glue = glue.replace(use, next);
    }
    body.push(name(next), bytes.subarray(descStart, r.pos));
  }
  if (r.pos !== end) throw new Error('export section misread');
  return section(7, Buffer.concat(body));
}

const GLUE_MODULE = './agent_wasm_bg.js';
const MODULE = 'w';

const parts = [bytes.subarray(0, 8)];
let renamed = 0;
while (r.pos < bytes.length) {
  const start = r.pos;
  const id = bytes[r.pos++];
  const size = r.u32();
  const end = r.pos + size;
  if (id === 7) {
    parts.push(exportSection(end));
    continue;
  }
  if (id !== 2) {
    parts.push(bytes.subarray(start, end));
    r.pos = end;
    continue;
  }
  const count = r.u32();
  const body = [leb(count)];
  for (let n = 0; n < count; n++) {
    const mod = r.str();
    const field = r.str();
    const descStart = r.pos;
    const kind = r.importDesc();
    let next = field;
    if (kind === 0) {
      next = short(renamed++);
      // The glue defines each import once, as `name: function(`.
      const key = new RegExp(`(^|[^\\w$])${field.replace(/\$/g, '\\$')}(?=: function\\()`, 'g');
      const hits = glue.match(key);
      if (!hits || hits.length !== 1) throw new Error(`import ${field}: ${hits ? hits.length : 0} definitions in the glue, not one`);
      glue = glue.replace(key, `$1${next}`);
      if (new RegExp(`[^\\w$]${field.replace(/\$/g, '\\$')}[^\\w$]`).test(glue)) throw new Error(`import ${field} is named elsewhere in the glue`);
    }
    if (mod !== GLUE_MODULE) throw new Error(`import from ${mod}: only ${GLUE_MODULE} is expected`);
    body.push(name(MODULE), name(next), bytes.subarray(descStart, r.pos));
  }
  if (r.pos !== end) throw new Error('import section misread');
  // The module every import comes from, named in each of them.
  const key = `"${GLUE_MODULE}":`;
  if (glue.split(key).length !== 2) throw new Error(`the glue names ${GLUE_MODULE} other than once`);
  glue = glue.replace(key, `${MODULE}:`);
  parts.push(section(2, Buffer.concat(body)));
}
// The imports' definitions sorted by their bodies, so that alike ones (the
// string getters, the instanceof checks, the calls that catch) lie together
// for gzip: -77 B in the loader file. Each is `        name: function(...) {`
// to the next line at its indentation that closes it (`        },` or
// `        }, arguments); },`) in the glue's import object; their order means nothing.
const OPEN = '    const import0 = {\n        __proto__: null,\n';
const from = glue.indexOf(OPEN);
const to = glue.indexOf('\n    };\n', from);
if (from < 0 || to < 0) throw new Error('the glue has no import object of the expected shape');
const defs = glue.slice(from + OPEN.length, to + 1).split(/(?<=\n        \}[^\n]*\n)/);
if (defs.length !== renamed || defs.some((d) => !/^        [\w$]+: function\(/.test(d) || !/\n        \}[^\n]*,\n$/.test(d))) {
  throw new Error(`the glue's import object holds ${defs.length} definitions of unexpected shape, not ${renamed}`);
}
const bodyOf = (d) => d.slice(d.indexOf(': function('));
defs.sort((a, b) => (bodyOf(a) < bodyOf(b) ? -1 : bodyOf(a) > bodyOf(b) ? 1 : 0));
glue = glue.slice(0, from + OPEN.length) + defs.join('') + glue.slice(to + 1);

writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(gluePath, glue);
console.log(`short-imports: ${renamed} imports and ${exported} exports renamed`);
