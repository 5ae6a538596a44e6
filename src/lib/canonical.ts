// RFC 8785 canonical JSON of large documents without holding the event loop. The `canonicalize` package does
// the canonicalisation; a national publication (4,000 units, ~30 MB) takes it ~2.5 s in one synchronous call,
// during which the service answers nobody. Canonical JSON of an object or array is the concatenation of its
// members' canonical JSON in a fixed order, so the upper levels are assembled here (same rules as the package:
// keys in UTF-16 code-unit order, undefined/symbol members skipped, undefined/symbol array entries as null) and
// everything below SPLIT_DEPTH is handed to the package, yielding between slices.
import canonicalize from 'canonicalize';

const SPLIT_DEPTH = 4;

/** Exactly `canonicalize(value)`, built in slices of about `sliceMs` with the event loop served in between. */
export async function canonicalizeInSlices(value: unknown, sliceMs = 10): Promise<string> {
  let deadline = performance.now() + sliceMs;
  const pause = async () => {
    if (performance.now() < deadline) return;
    await new Promise((resolve) => setImmediate(resolve));
    deadline = performance.now() + sliceMs;
  };

  async function walk(v: unknown, depth: number): Promise<string> {
    if (depth >= SPLIT_DEPTH || v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      const text = canonicalize(v);
      if (text === undefined) throw new Error('the value cannot be canonicalised');
      await pause();
      return text;
    }
    const parts: string[] = [];
    if (Array.isArray(v)) {
      for (const x of v) parts.push(await walk(x === undefined || typeof x === 'symbol' ? null : x, depth + 1));
      return `[${parts.join(',')}]`;
    }
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o).sort()) {
      const x = o[key];
      if (x === undefined || typeof x === 'symbol') continue;
      parts.push(`${canonicalize(key)}:${await walk(x, depth + 1)}`);
    }
    return `{${parts.join(',')}}`;
  }

  return walk(value, 0);
}
