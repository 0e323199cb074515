// Input cleaning: whatever a page passes as event properties, traits, tags or
// breadcrumb data, the agent keeps plain JSON of bounded size, and never throws.
//
// Documented limits (README, agent.d.ts):
//   strings      at most 1000 characters (cut with '…'); lone surrogates become U+FFFD
//   keys         at most 200 characters; at most 100 keys per object, 100 items per array
//   depth        at most 10 levels; deeper values become '[Truncated]'
//   size         about 32 KB of text in all; what comes after is dropped
//   cycles       a reference back to an enclosing object becomes '[Circular]'
//   functions, symbols     dropped (null inside arrays)
//   BigInt       its decimal string
//   NaN, ±Infinity         null
//   DOM nodes, window      '[NODENAME]', '[Window]'
//   toJSON()     used (Dates become ISO strings); a throwing getter or toJSON drops the value
// `undefined` values are left out as JSON.stringify does, and that alone is no cleaning.

export const LIMITS = Object.freeze({
  maxStringChars: 1000,
  maxKeyChars: 200,
  maxKeys: 100,
  maxItems: 100,
  maxDepth: 10,
  maxBytes: 32 * 1024,
});

const DROP = Symbol('drop');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SURROGATE = /[\uD800-\uDFFF]/;

function wellFormed(s) {
  return SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s;
}

/**
 * Cleans a properties-like value. Returns `null` when it is not an object
 * (or is an array), otherwise `{ value, problems }` where `problems` names
 * what was cleaned (empty when nothing was). `null`/`undefined` give `{}`.
 */
export function cleanProperties(input) {
  if (input === undefined || input === null) return { value: {}, problems: [] };
  let isObject = false;
  try {
    isObject = typeof input === 'object' && !Array.isArray(input);
  } catch (_) {
    // A revoked proxy: not readable at all.
  }
  if (!isObject) return null;
  const flat = flatMembers(input);
  if (flat) {
    const value = {};
    for (let i = 0; i < flat.length; i += 2) value[flat[i]] = flat[i + 1];
    return { value, problems: NONE };
  }
  const r = cleanValue(input);
  const value = r.value && typeof r.value === 'object' && !Array.isArray(r.value) ? r.value : {};
  return { value, problems: r.problems };
}

const NONE = Object.freeze([]);
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The common case, read without cleanValue's machinery: a plain object of
 * primitive members that need no cleaning (strings within the limits and
 * well-formed, finite numbers, booleans, null; `undefined` left out), as its
 * members in a flat array `[key, value, key, value, ...]`: what the module
 * reads, with no object built for it. Returns `null` for anything else, which
 * cleanValue then handles (and reports).
 */
export function flatMembers(input) {
  try {
    if (input === null || typeof input !== 'object') return null;
    const proto = Object.getPrototypeOf(input);
    if (proto !== Object.prototype && proto !== null) return null;
    const out = [];
    let budget = LIMITS.maxBytes - 2;
    for (const k in input) {
      if (!hasOwn.call(input, k)) continue;
      const v = input[k];
      switch (typeof v) {
        case 'string':
          if (v.length > LIMITS.maxStringChars || SURROGATE.test(v)) return null;
          budget -= v.length + 2;
          break;
        case 'number':
          if (!Number.isFinite(v)) return null;
          budget -= 8;
          break;
        case 'boolean':
          budget -= 5;
          break;
        case 'undefined':
          continue;
        default:
          if (v !== null) return null;
          budget -= 4;
      }
      if (out.length >= 2 * LIMITS.maxKeys || k.length > LIMITS.maxKeyChars || k === '__proto__' || SURROGATE.test(k)) return null;
      budget -= k.length + 3;
      if (budget < 0) return null;
      out.push(k, v);
    }
    return out;
  } catch (_) {
    // A proxy or a getter that throws: cleanValue says what it was.
    return null;
  }
}

/** Cleans any value into plain JSON data: `{ value, problems }` (`value` may be `undefined`). */
export function cleanValue(input) {
  const problems = [];
  const ancestors = [];
  let budget = LIMITS.maxBytes;
  const note = (p) => {
    if (!problems.includes(p)) problems.push(p);
  };

  function str(s) {
    if (s.length > LIMITS.maxStringChars) {
      note('long string');
      s = s.slice(0, LIMITS.maxStringChars - 1);
      // Never end on half a surrogate pair.
      if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
      s += '…';
    }
    const w = wellFormed(s);
    if (w !== s) note('lone surrogate');
    return w;
  }

  function spend(n) {
    budget -= n;
    if (budget < 0) {
      note('too large');
      return false;
    }
    return true;
  }

  function walk(v, depth) {
    if (budget < 0) return DROP;
    switch (typeof v) {
      case 'string': {
        const s = str(v);
        return spend(s.length + 2) ? s : DROP;
      }
      case 'number':
        if (Number.isFinite(v)) return spend(8) ? v : DROP;
        note('non-finite number');
        return null;
      case 'boolean':
        return spend(5) ? v : DROP;
      case 'bigint': {
        note('BigInt');
        const s = str(v.toString());
        return spend(s.length + 2) ? s : DROP;
      }
      case 'undefined':
        return DROP;
      case 'function':
        note('function');
        return DROP;
      case 'symbol':
        note('symbol');
        return DROP;
      default:
        break;
    }
    if (v === null) return spend(4) ? null : DROP;
    try {
      if (ancestors.includes(v)) {
        note('circular');
        return '[Circular]';
      }
      if (depth >= LIMITS.maxDepth) {
        note('too deep');
        return '[Truncated]';
      }
      if (typeof window !== 'undefined' && v === window) {
        note('DOM object');
        return '[Window]';
      }
      if (typeof Node !== 'undefined' && v instanceof Node) {
        note('DOM object');
        return '[' + String(v.nodeName) + ']';
      }
      if (typeof v.toJSON === 'function') {
        let j;
        try {
          j = v.toJSON();
        } catch (_) {
          note('toJSON threw');
          return DROP;
        }
        ancestors.push(v);
        try {
          return walk(j, depth + 1);
        } finally {
          ancestors.pop();
        }
      }
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
        note('binary data');
        return '[' + Object.prototype.toString.call(v).slice(8, -1) + ']';
      }
      ancestors.push(v);
      try {
        if (!spend(2)) return DROP;
        if (Array.isArray(v)) {
          const out = [];
          const n = Math.min(v.length, LIMITS.maxItems);
          if (v.length > LIMITS.maxItems) note('too many items');
          for (let i = 0; i < n && budget >= 0; i++) {
            let item;
            try {
              item = v[i];
            } catch (_) {
              note('unreadable value');
              item = undefined;
            }
            const c = walk(item, depth + 1);
            out.push(c === DROP ? null : c);
          }
          return out;
        }
        // A plain object, not Object.create(null): V8 keeps those in dictionary
        // mode, and reading their members from the module cost ~0.2 µs per event.
        const out = {};
        let keys = 0;
        for (const k in v) {
          if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
          if (keys >= LIMITS.maxKeys) {
            note('too many keys');
            break;
          }
          if (budget < 0) break;
          let item;
          try {
            item = v[k];
          } catch (_) {
            note('unreadable value');
            continue;
          }
          const c = walk(item, depth + 1);
          if (c === DROP) continue;
          let key = k;
          if (key.length > LIMITS.maxKeyChars) {
            note('long key');
            key = key.slice(0, LIMITS.maxKeyChars);
          }
          key = wellFormed(key);
          if (!spend(key.length + 3)) break;
          // `__proto__` as a key is data, never the object's prototype.
          if (key === '__proto__') Object.defineProperty(out, key, { value: c, enumerable: true, writable: true, configurable: true });
          else out[key] = c;
          keys++;
        }
        return out;
      } finally {
        ancestors.pop();
      }
    } catch (_) {
      // A proxy or host object that throws on inspection.
      note('unreadable value');
      return DROP;
    }
  }

  const value = walk(input, 0);
  return { value: value === DROP ? undefined : value, problems };
}
