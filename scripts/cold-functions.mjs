// Keeps the functions that run once per page, per error or per batch out of
// wasm-opt's inlining (its `--no-inline` pass takes one name pattern, so they
// are marked: `cold~*`). Inlined, the same code lands in its callers in shapes
// that gzip finds fewer matches in: the whole shell and the core's
// once-per-page and once-per-error modules, kept apart, are ~2.5 KB smaller
// gzip. The shell is marked whole, its per-event entry points with it (they
// are thin and cost the same apart: bench/ab.mjs); the core's per-event work
// (the pipeline, masking, the model, the queue) is still inlined.
// Only the name section changes (the build strips it from the shipped file).
// usage: node scripts/cold-functions.mjs <module.wasm>   (in place; before wasm-opt)
import { readFileSync, writeFileSync } from 'node:fs';
import { leb, name, reader, section } from './wasm-reader.mjs';

/** Our modules whose functions run once per page, per error, per batch or per observer entry. */
const COLD = /::shell::|::core::(pageview|vitals|errors|stack|delivery::gzip|model::otlp|retry|config)::/;
/** The prefix wasm-opt's pattern matches (scripts/build.sh, scripts/size-breakdown.mjs). */
const MARK = 'cold~';

const [path] = process.argv.slice(2);
const bytes = readFileSync(path);
const r = reader(bytes);

const out = [bytes.subarray(0, 8)];
let marked = 0;
while (r.pos < bytes.length) {
  const start = r.pos;
  const id = bytes[r.pos++];
  const end = r.u32() + r.pos;
  const custom = id === 0 ? r.str() : null;
  if (custom !== 'name') {
    out.push(bytes.subarray(start, end));
    r.pos = end;
    continue;
  }
  const subs = [name('name')];
  while (r.pos < end) {
    const sub = bytes[r.pos++];
    const subEnd = r.u32() + r.pos;
    if (sub !== 1) {
      subs.push(section(sub, bytes.subarray(r.pos, subEnd)));
    } else {
      // Function names: (index, name) pairs.
      const count = r.u32();
      const items = [leb(count)];
      for (let n = 0; n < count; n++) {
        const index = r.u32();
        let fn = r.str();
        if (COLD.test(fn) && !fn.startsWith(MARK)) {
          fn = MARK + fn;
          marked++;
        }
        items.push(leb(index), name(fn));
      }
      subs.push(section(1, Buffer.concat(items)));
    }
    r.pos = subEnd;
  }
  out.push(section(0, Buffer.concat(subs)));
}
if (!marked) throw new Error('cold-functions: no function name matched; has the module lost its name section?');
writeFileSync(path, Buffer.concat(out));
console.log(`cold-functions: ${marked} functions kept out of inlining`);
