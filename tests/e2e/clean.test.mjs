// Input cleaning's fast path (flat objects of clean primitives, copied as they
// are) must give exactly what the general path gives: same value, no problems.
// Plain Node, no browser: clean.js is plain JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanProperties, cleanValue, flatMembers, LIMITS } from '../../www/clean.js';

// A small seeded generator, so that a failure can be replayed.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = ['a', 'Z', '0', ' ', 'é', '€', '😀', '\uD800', '\uDC00', '"', '\\', '\n'];

function randomString(r, max) {
  const n = Math.floor(r() * max);
  let s = '';
  for (let i = 0; i < n; i++) s += CHARS[Math.floor(r() * CHARS.length)];
  return s;
}

function randomValue(r) {
  switch (Math.floor(r() * 9)) {
    case 0: return randomString(r, 12);
    case 1: return 'x'.repeat(LIMITS.maxStringChars - 2 + Math.floor(r() * 4));
    case 2: return r() * 1e6 - 5e5;
    case 3: return [NaN, Infinity, -Infinity, 0, -0][Math.floor(r() * 5)];
    case 4: return r() < 0.5;
    case 5: return null;
    case 6: return undefined;
    case 7: return { nested: 1 };
    default: return Math.floor(r() * 100);
  }
}

function randomObject(r) {
  const o = r() < 0.1 ? Object.create(null) : {};
  const n = r() < 0.1 ? LIMITS.maxKeys - 1 + Math.floor(r() * 3) : Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const k = r() < 0.05 ? 'k'.repeat(LIMITS.maxKeyChars - 1 + Math.floor(r() * 3)) : r() < 0.03 ? '__proto__' : randomString(r, 6) + i;
    if (k === '__proto__') Object.defineProperty(o, k, { value: randomValue(r), enumerable: true, writable: true, configurable: true });
    else o[k] = randomValue(r);
  }
  return o;
}

function general(input) {
  const r = cleanValue(input);
  return { value: r.value, problems: r.problems };
}

test('the fast path and the general path agree on 20,000 random objects', () => {
  const r = rng(20261201);
  let fast = 0;
  for (let i = 0; i < 20_000; i++) {
    const o = randomObject(r);
    const got = cleanProperties(o);
    const want = general(o);
    assert.deepEqual(got.value, want.value, `object ${i}: ${JSON.stringify(o)}`);
    assert.deepEqual([...got.problems], want.problems, `object ${i}`);
    assert.equal(Object.getPrototypeOf(got.value), Object.prototype, 'a plain object comes out');
    if (got.value !== o && want.problems.length === 0) fast++;
  }
  assert.ok(fast > 5_000, `the fast path's cases were generated (${fast})`);
});

test('the flat member list the module reads holds what the general path gives, in order', () => {
  const r = rng(20261202);
  let flat = 0;
  for (let i = 0; i < 20_000; i++) {
    const o = randomObject(r);
    const list = flatMembers(o);
    if (list === null) continue;
    flat++;
    assert.equal(list.length % 2, 0);
    const want = general(o);
    assert.deepEqual(want.problems, [], `object ${i}: the list is only for input that needs no cleaning`);
    const pairs = [];
    for (let j = 0; j < list.length; j += 2) pairs.push([list[j], list[j + 1]]);
    assert.deepEqual(pairs, Object.entries(want.value), `object ${i}: ${JSON.stringify(o)}`);
  }
  assert.ok(flat > 2_000, `flat objects were generated (${flat})`);
  for (const v of [undefined, null, 1, 'text', [1, 2], ['k', 1], new Date(0), new Map()]) assert.equal(flatMembers(v), null, String(v));
});

test('at the limits: size budget, key count, string and key length', () => {
  const cases = [
    { s: 'x'.repeat(LIMITS.maxStringChars) },
    { s: 'x'.repeat(LIMITS.maxStringChars + 1) },
    Object.fromEntries(Array.from({ length: LIMITS.maxKeys }, (_, i) => ['k' + i, i])),
    Object.fromEntries(Array.from({ length: LIMITS.maxKeys + 1 }, (_, i) => ['k' + i, i])),
    // Near the 32 KB budget: strings of 990 characters, whose count decides it.
    ...Array.from({ length: 6 }, (_, j) => Object.fromEntries(Array.from({ length: 30 + j }, (_, i) => ['k' + i, 'y'.repeat(990)]))),
  ];
  // One object for every total size from just under the budget to just over it.
  const base = Object.fromEntries(Array.from({ length: 32 }, (_, i) => ['k' + i, 'y'.repeat(1000)]));
  for (let extra = 0; extra < 900; extra += 7) cases.push({ ...base, tail: 'z'.repeat(extra) });
  for (const o of cases) {
    const got = cleanProperties(o);
    const want = general(o);
    assert.deepEqual(got.value, want.value);
    assert.deepEqual([...got.problems], want.problems);
  }
});

test('a copy, never the page object itself, and a throwing getter falls back to the general path', () => {
  const o = { a: 1 };
  assert.notEqual(cleanProperties(o).value, o);
  const g = { ok: 1 };
  Object.defineProperty(g, 'bad', { get() { throw new Error('no'); }, enumerable: true });
  const got = cleanProperties(g);
  assert.deepEqual(got.value, { ok: 1 });
  assert.deepEqual([...got.problems], ['unreadable value']);
});
