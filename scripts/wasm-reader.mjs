// Reads and writes a WebAssembly module's binary format as far as the build's
// scripts need it: LEB128 numbers, names, sections and import descriptions.
// Shared by the size breakdown, the import renamer and the cold-function marker.

/** A cursor over `bytes`, past the 8-byte header. */
export function reader(bytes) {
  const r = {
    pos: 8,
    /** An unsigned LEB128 number. */
    u32() {
      let result = 0, shift = 0, b;
      do {
        b = bytes[r.pos++];
        result += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      return result;
    },
    /** A length-prefixed UTF-8 name. */
    str() {
      const n = r.u32();
      const s = bytes.toString('utf8', r.pos, r.pos + n);
      r.pos += n;
      return s;
    },
    /** Skips an import's description; returns its kind (0: a function). */
    importDesc() {
      const kind = bytes[r.pos++];
      if (kind === 0) r.u32();
      else if (kind === 1) { r.pos++; const f = bytes[r.pos++]; r.u32(); if (f & 1) r.u32(); }
      else if (kind === 2) { const f = bytes[r.pos++]; r.u32(); if (f & 1) r.u32(); }
      else if (kind === 3) r.pos += 2;
      else throw new Error(`import kind ${kind} not handled`);
      return kind;
    },
  };
  return r;
}

/**
 * What a module's functions are: how many are imported (their indices come
 * first), each defined function's body size in index order, the names the
 * name section gives by function index, each section's total size by id, and
 * the data section's size.
 */
export function functions(bytes) {
  const r = reader(bytes);
  const out = { imported: 0, sizes: [], names: new Map(), sections: {}, dataBytes: 0 };
  while (r.pos < bytes.length) {
    const id = bytes[r.pos++];
    const size = r.u32();
    const end = r.pos + size;
    out.sections[id] = (out.sections[id] || 0) + size;
    if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        r.str();
        r.str();
        if (r.importDesc() === 0) out.imported++;
      }
    } else if (id === 10) {
      for (let n = r.u32(); n > 0; n--) {
        const len = r.u32();
        out.sizes.push(len);
        r.pos += len;
      }
    } else if (id === 11) {
      out.dataBytes = size;
    } else if (id === 0 && r.str() === 'name') {
      while (r.pos < end) {
        const sub = bytes[r.pos++];
        const subSize = r.u32();
        const subEnd = r.pos + subSize;
        if (sub === 1) {
          for (let n = r.u32(); n > 0; n--) {
            const idx = r.u32();
            out.names.set(idx, r.str());
          }
        }
        r.pos = subEnd;
      }
    }
    r.pos = end;
  }
  return out;
}

/** An unsigned LEB128 number's bytes. */
export function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

/** A name as the binary format writes it: its UTF-8 length, then its bytes. */
export function name(s) {
  return Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s)]);
}

/** A section (or a name subsection): its id, its length, then `body`. */
export function section(id, body) {
  return Buffer.concat([Buffer.from([id]), leb(body.length), body]);
}

/**
 * The module with each function's name in its name section replaced by
 * `rename(index, name)`; every other section and subsection as it was.
 */
export function renameFunctions(bytes, rename) {
  const r = reader(bytes);
  const out = [bytes.subarray(0, 8)];
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = bytes[r.pos++];
    const end = r.u32() + r.pos;
    if (id !== 0 || r.str() !== 'name') {
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
          items.push(leb(index), name(rename(index, r.str())));
        }
        subs.push(section(1, Buffer.concat(items)));
      }
      r.pos = subEnd;
    }
    out.push(section(0, Buffer.concat(subs)));
  }
  return Buffer.concat(out);
}
