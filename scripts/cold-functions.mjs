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
import { renameFunctions } from './wasm-reader.mjs';

/** Our modules whose functions run once per page, per error, per batch or per observer entry. */
const COLD = /::shell::|::core::(pageview|vitals|errors|stack|delivery::gzip|model::otlp|retry|config)::/;
/** The prefix wasm-opt's pattern matches (scripts/build.sh, scripts/size-breakdown.mjs). */
const MARK = 'cold~';

const [path] = process.argv.slice(2);
let marked = 0;
const out = renameFunctions(readFileSync(path), (_, fn) => {
  if (!COLD.test(fn) || fn.startsWith(MARK)) return fn;
  marked++;
  return MARK + fn;
});
if (!marked) throw new Error('cold-functions: no function name matched; has the module lost its name section?');
writeFileSync(path, out);
console.log(`cold-functions: ${marked} functions kept out of inlining`);
