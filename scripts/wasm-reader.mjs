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
