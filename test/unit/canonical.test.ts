import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeInSlices } from '../../src/lib/canonical.js';

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
});
