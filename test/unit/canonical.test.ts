import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeInSlices, canonicalUtf8InSlices, parseCanonicalInSlices, parseKeeping, type JsonPath } from '../../src/lib/canonical.js';

describe('canonicalizeInSlices', () => {
  it('gives exactly the canonicalize package text for any JSON value, also when it yields after every member', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 7 }), fc.constantFrom(0, 10), async (value, sliceMs) => {
        expect(await canonicalizeInSlices(value, sliceMs)).toBe(canonicalize(value));
      }),
      { numRuns: 400 },
    );
  });

  it('follows the package on what JSON.parse never produces: undefined members, toJSON, sort order by code unit', async () => {
    const value = {
      b: [1, undefined, 'x'],
      a: { skip: undefined, when: new Date('2025-12-22T02:00:00Z') },
      'é': 1,
      Z: { '\u{1F600}': 2, '\uFF61': 3 },
      n: [{ deep: [{ deeper: [{ deepest: [1e21, 0.1, -0] }] }] }],
    };
    const text = await canonicalizeInSlices(value, 0);
    expect(text).toBe(canonicalize(value));
    expect(text).toBe('{"Z":{"\u{1F600}":2,"\uFF61":3},"a":{"when":"2025-12-22T02:00:00.000Z"},"b":[1,null,"x"],"n":[{"deep":[{"deeper":[{"deepest":[1e+21,0.1,0]}]}]}],"é":1}');
  });

  it('refuses what RFC 8785 refuses, at any depth', async () => {
    await expect(canonicalizeInSlices({ a: Number.NaN })).rejects.toThrow(/NaN/);
    await expect(canonicalizeInSlices({ a: [{ b: [{ c: [{ d: Infinity }] }] }] })).rejects.toThrow(/Infinity/);
    await expect(canonicalizeInSlices({ ['\uD800']: 1 })).rejects.toThrow(/surrogate/i);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = { again: cyclic };
    await expect(canonicalizeInSlices(cyclic)).rejects.toThrow(/Circular/);
  });

  it('lets other work run while it canonicalises a large document', async () => {
    const big = { groups: Array.from({ length: 20 }, (_, g) => ({ rows: Array.from({ length: 400 }, (_, u) => ({ unit: `X${g}-${u}`, items: Array.from({ length: 40 }, (_, i) => ({ code: `${i}`, points: i / 4 })) })) })) };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const text = await canonicalizeInSlices(big, 2);
    clearInterval(timer);
    expect(text).toBe(canonicalize(big));
    expect(ticks).toBeGreaterThan(3);
  });

  it('gives exactly the UTF-8 bytes of the package text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 7 }), async (value) => {
        expect((await canonicalUtf8InSlices(value, 0)).equals(Buffer.from(canonicalize(value)!, 'utf8'))).toBe(true);
      }),
      { numRuns: 200 },
    );
    const big = { name: 'Lĩnh vực', rows: Array.from({ length: 3000 }, (_, i) => ({ unit: `Xã ${i}`, items: Array.from({ length: 10 }, (_, j) => ({ code: `${j}`, title: 'Tiêu chí ư' })) })) };
    expect((await canonicalUtf8InSlices(big, 0)).toString('utf8')).toBe(canonicalize(big));
  });
});

describe('parseCanonicalInSlices', () => {
  const slow = (text: string) => {
    try {
      const parsed: unknown = JSON.parse(text);
      return canonicalize(parsed) === text ? { value: parsed } : undefined;
    } catch {
      return undefined;
    }
  };

  const PROTO_KEY = /"__proto__"\s*:/;
  /**
   * The fast check gives the full check's verdict, except that it may leave a text with a "__proto__" key to the
   * caller's full parse (undefined): JSON.parse makes such a key an own property, plain assignment would not.
   */
  const expectSameVerdict = async (text: string) => {
    const fast = await parseCanonicalInSlices(text, undefined, 0);
    if (fast === undefined && PROTO_KEY.test(text)) return;
    expect(fast).toEqual(slow(text));
  };

  it('parses exactly the texts that are the canonical JSON of their own content', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 7 }), async (value) => {
        const text = canonicalize(value)!;
        const fast = await parseCanonicalInSlices(text, undefined, 0);
        // The one canonical text it leaves to the caller's full parse: a "__proto__" key (fast-check seed -64150310).
        if (fast === undefined) expect(text).toMatch(PROTO_KEY);
        else expect(fast).toEqual({ value: JSON.parse(text) });
      }),
      { numRuns: 300 },
    );
    // Any text at all, and canonical texts with a character changed, added or removed: same verdict as parse + canonicalize.
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string()), async (text) => {
        await expectSameVerdict(text);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 7 }), fc.nat(), fc.constantFrom('', ' ', ',', '"', '}', ']', '{', '[', '\\', '1', '.0', 'a'), fc.nat(3), async (value, at, insert, remove) => {
        const text = canonicalize(value)!;
        const i = text.length ? at % text.length : 0;
        const altered = text.slice(0, i) + insert + text.slice(i + remove);
        await expectSameVerdict(altered);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses what is not canonical: whitespace, key order, duplicate keys, number and string forms', async () => {
    for (const text of [
      '{"a":1, "b":2}',
      '{"b":1,"a":2}',
      '{"a":1,"a":1}',
      '{"a":[{"b":[{"c":1.0}]}]}',
      '{"a":"\\u0041"}',
      '{"a":{"b":{"c":{"d":{"f":1,"e":2}}}}}',
      '{"__proto__":1}',
      '{"a":1}x',
      '',
    ]) {
      expect(await parseCanonicalInSlices(text, undefined, 0), text).toBeUndefined();
    }
  });

  it('hands each value below the upper levels to keep with its path', async () => {
    const text = canonicalize({ groups: [{ code: 'A', rows: [{ unit: 'X', items: [1, 2] }, { unit: 'Y', items: [] }] }] })!;
    const paths: unknown[] = [];
    const r = await parseCanonicalInSlices(text, (path, v) => {
      paths.push(path);
      return path.length === 4 ? (v as { unit: string }).unit : v;
    });
    expect(r).toEqual({ value: { groups: [{ code: 'A', rows: ['X', 'Y'] }] } });
    expect(paths).toEqual([['groups', 0, 'code'], ['groups', 0, 'rows', 0], ['groups', 0, 'rows', 1]]);
  });
});

describe('parseKeeping', () => {
  // Keeps scalars as they are and replaces every value at the split depth by a marker naming its path.
  const keep = (path: JsonPath, value: unknown) => (path.length >= 4 ? `kept ${path.join('/')}` : value);

  it('gives a non-canonical text the shape the canonical reading gives, keep applied at the same places', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (value) => {
        const fast = await parseKeeping(canonicalize(value)!, keep);
        expect(await parseKeeping(JSON.stringify(value, null, 1), keep)).toEqual(fast);
      }),
      { numRuns: 300 },
    );
  });

  it('throws on a text that is not JSON, as JSON.parse does', async () => {
    await expect(parseKeeping('{"a":', keep)).rejects.toThrow(SyntaxError);
  });
});
