// RFC 8785 canonical JSON of large documents without holding the event loop. The `canonicalize` package does
// the canonicalisation; a national publication (4,000 units, ~70 MB) takes it seconds in one synchronous call,
// during which the service answers nobody. Canonical JSON of an object or array is the concatenation of its
// members' canonical JSON in a fixed order, so the upper levels are assembled here (same rules as the package:
// keys in UTF-16 code-unit order, undefined/symbol members skipped, undefined/symbol array entries as null) and
// everything below SPLIT_DEPTH is handed to the package, yielding between slices.
//
// Memory (issue 14): the text is produced as a sequence of pieces, so a caller that needs bytes (hash, signature,
// storage) gets them without the text ever existing as one JS string (UTF-16: twice the UTF-8 size once a single
// Vietnamese letter is in it), and checking that a stored text is canonical (parseCanonicalInSlices) compares it
// piece by piece instead of building the canonical text again next to a full parse of it.
import canonicalize from 'canonicalize';

const SPLIT_DEPTH = 4;

function slicer(sliceMs: number) {
  let deadline = performance.now() + sliceMs;
  return async () => {
    if (performance.now() < deadline) return;
    await new Promise((resolve) => setImmediate(resolve));
    deadline = performance.now() + sliceMs;
  };
}

function canonicalLeaf(v: unknown): string {
  const text = canonicalize(v);
  if (text === undefined) throw new Error('the value cannot be canonicalised');
  return text;
}

/**
 * `canonicalize(value)` handed to `emit` in order, piece by piece (their concatenation is exactly the package's
 * text), in slices of about `sliceMs` with the event loop served in between.
 */
export async function canonicalPiecesInSlices(value: unknown, emit: (piece: string) => void, sliceMs = 10): Promise<void> {
  const pause = slicer(sliceMs);
  async function walk(v: unknown, depth: number): Promise<void> {
    if (depth >= SPLIT_DEPTH || v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      emit(canonicalLeaf(v));
      await pause();
      return;
    }
    if (Array.isArray(v)) {
      emit('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) emit(',');
        const x: unknown = v[i];
        await walk(x === undefined || typeof x === 'symbol' ? null : x, depth + 1);
      }
      emit(']');
      return;
    }
    const o = v as Record<string, unknown>;
    emit('{');
    let first = true;
    for (const key of Object.keys(o).sort()) {
      const x = o[key];
      if (x === undefined || typeof x === 'symbol') continue;
      emit(`${first ? '' : ','}${canonicalLeaf(key)}:`);
      first = false;
      await walk(x, depth + 1);
    }
    emit('}');
  }
  await walk(value, 0);
}

/** Exactly `canonicalize(value)`, built in slices of about `sliceMs` with the event loop served in between. */
export async function canonicalizeInSlices(value: unknown, sliceMs = 10): Promise<string> {
  const parts: string[] = [];
  await canonicalPiecesInSlices(value, (p) => parts.push(p), sliceMs);
  return parts.join('');
}

/**
 * The UTF-8 bytes of exactly `canonicalize(value)`, built in slices: pieces are encoded as they come, so the
 * whole text never exists as a JS string, only its bytes (in chunks, then once joined).
 */
export async function canonicalUtf8InSlices(value: unknown, sliceMs = 10): Promise<Buffer> {
  const CHUNK_CHARS = 1 << 16;
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = () => {
    if (pending.length === 0) return;
    chunks.push(Buffer.from(pending.join(''), 'utf8'));
    pending = [];
    pendingChars = 0;
  };
  await canonicalPiecesInSlices(
    value,
    (p) => {
      pending.push(p);
      pendingChars += p.length;
      if (pendingChars >= CHUNK_CHARS) flush();
    },
    sliceMs,
  );
  flush();
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

export type JsonPath = readonly (string | number)[];

class NotCanonical extends Error {}

/**
 * `JSON.parse(text)` when `text` is exactly the canonical JSON (RFC 8785) of its own content, i.e.
 * `canonicalize(JSON.parse(text)) === text`; undefined otherwise (not canonical, not JSON, or content RFC 8785
 * refuses — the caller finds out which the usual way), and also for a "__proto__" key in the levels read here,
 * which the caller's full parse judges. The levels above SPLIT_DEPTH are read here (no whitespace,
 * keys canonical and in strictly increasing code-unit order), each value below is parsed, canonicalised and
 * compared with its own span of the text, and `keep(path, value)` may replace it by what the caller needs of it:
 * the check never holds a second copy of the text, nor (with `keep`) the whole parse.
 */
export async function parseCanonicalInSlices(text: string, keep: (path: JsonPath, value: unknown) => unknown = (_p, v) => v, sliceMs = 10): Promise<{ value: unknown } | undefined> {
  const pause = slicer(sliceMs);
  const fail = (): never => {
    throw new NotCanonical();
  };
  const QUOTE = 0x22;
  const BACKSLASH = 0x5c;
  const OPEN_BRACE = 0x7b;
  const CLOSE_BRACE = 0x7d;
  const OPEN_BRACKET = 0x5b;
  const CLOSE_BRACKET = 0x5d;
  const COMMA = 0x2c;
  const COLON = 0x3a;
  let pos = 0;

  /** Where the value starting at `i` ends (exclusive), by its delimiters only; JSON.parse judges the rest. */
  function endOf(i: number): number {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return endOfString(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      let depth = 0;
      for (let j = i; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === QUOTE) j = endOfString(j) - 1;
        else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
        else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return j + 1;
      }
      return fail();
    }
    let j = i;
    for (; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET) break;
    }
    return j > i ? j : fail();
  }
  function endOfString(i: number): number {
    for (let j = i + 1; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === BACKSLASH) j++;
      else if (d === QUOTE) return j + 1;
    }
    return fail();
  }
  /** The value at `pos` parsed, after checking that its text is its canonical JSON. */
  function leaf(): unknown {
    const end = endOf(pos);
    const piece = text.slice(pos, end);
    const v: unknown = JSON.parse(piece);
    if (canonicalize(v) !== piece) fail();
    pos = end;
    return v;
  }
  const expect = (code: number) => {
    if (text.charCodeAt(pos) !== code) fail();
    pos++;
  };

  async function walk(depth: number, path: JsonPath): Promise<unknown> {
    const c = text.charCodeAt(pos);
    if (depth >= SPLIT_DEPTH || (c !== OPEN_BRACE && c !== OPEN_BRACKET)) {
      const v = keep(path, leaf());
      await pause();
      return v;
    }
    pos++;
    if (c === OPEN_BRACKET) {
      const out: unknown[] = [];
      if (text.charCodeAt(pos) === CLOSE_BRACKET) {
        pos++;
        return out;
      }
      for (;;) {
        out.push(await walk(depth + 1, [...path, out.length]));
        if (text.charCodeAt(pos) === CLOSE_BRACKET) break;
        expect(COMMA);
      }
      pos++;
      return out;
    }
    const out: Record<string, unknown> = {};
    if (text.charCodeAt(pos) === CLOSE_BRACE) {
      pos++;
      return out;
    }
    let previous: string | undefined;
    for (;;) {
      if (text.charCodeAt(pos) !== QUOTE) fail();
      const key = leaf();
      // Strictly increasing: sorted as the package sorts, and no key twice. A "__proto__" key is left to the
      // caller's full parse (undefined): JSON.parse makes it an own property, the assignment below would not.
      if (typeof key !== 'string' || (previous !== undefined && !(previous < key)) || key === '__proto__') fail();
      previous = key as string;
      expect(COLON);
      out[key as string] = await walk(depth + 1, [...path, key as string]);
      if (text.charCodeAt(pos) === CLOSE_BRACE) break;
      expect(COMMA);
    }
    pos++;
    return out;
  }

  try {
    const value = await walk(0, []);
    return pos === text.length ? { value } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What `parseCanonicalInSlices(text, keep)` gives for a canonical text, and for any other JSON text the same
 * through JSON.parse: `keep` is applied at the same places (values at SPLIT_DEPTH, and scalars above it), so a
 * caller gets one shape whichever way the text was read. A text that is not JSON throws, as JSON.parse does.
 */
export async function parseKeeping(text: string, keep: (path: JsonPath, value: unknown) => unknown): Promise<unknown> {
  const canonical = await parseCanonicalInSlices(text, keep);
  if (canonical) return canonical.value;
  const apply = (v: unknown, path: JsonPath): unknown => {
    if (path.length >= SPLIT_DEPTH || v === null || typeof v !== 'object') return keep(path, v);
    if (Array.isArray(v)) return v.map((x, i) => apply(x, [...path, i]));
    // fromEntries defines own properties, as JSON.parse does (a "__proto__" key stays a key).
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, apply(x, [...path, k])]));
  };
  return apply(JSON.parse(text), []);
}
