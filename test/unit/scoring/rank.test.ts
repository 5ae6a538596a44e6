// Ranking within a group (SPEC §4): competition ranking on the 2-decimal index, ties by Vietnamese name.

import { describe, expect, it } from 'vitest';
import { compareVietnamese, rankGroup } from '../../../src/scoring/index.js';
import { expectInputError } from './helpers.js';

const row = (unitCode: string, index: number | null, unitName = `Đơn vị ${unitCode}`) => ({ unitCode, unitName, index });
const summary = (rows: { unitCode: string; rank: number | null }[]) => rows.map((r) => [r.unitCode, r.rank]);

describe('competition ranking', () => {
  it('ties share the best rank and the next rank is skipped (1, 2, 2, 4)', () => {
    const ranked = rankGroup([row('D', 85), row('B', 90), row('A', 95), row('C', 90)]);
    expect(summary(ranked)).toEqual([
      ['A', 1],
      ['B', 2],
      ['C', 2],
      ['D', 4],
    ]);
  });

  it('three-way tie at the top (1, 1, 1, 4) and a tie at the bottom (…, 5, 5)', () => {
    const ranked = rankGroup([row('A', 80), row('B', 80), row('C', 80), row('D', 70), row('E', 60), row('F', 60)]);
    expect(ranked.map((r) => r.rank)).toEqual([1, 1, 1, 4, 5, 5]);
  });

  it('everybody tied → everybody first', () => {
    expect(rankGroup([row('A', 50), row('B', 50), row('C', 50)]).map((r) => r.rank)).toEqual([1, 1, 1]);
  });

  it('ranks on the 2-decimal index: 89.585 rounds half-up to 89.59 and ties with 89.59', () => {
    // 89.585 is stored as 89.58499999999999… in binary, but its decimal meaning is 89.585 → 89.59.
    const ranked = rankGroup([row('A', 89.585), row('B', 89.59), row('C', 89.584), row('D', 89.58)]);
    expect(summary(ranked)).toEqual([
      ['A', 1],
      ['B', 1],
      ['C', 3], // 89.584 → 89.58, tied with D
      ['D', 3],
    ]);
  });

  it('0 is a real index; null means "no index": rank null, listed last', () => {
    const ranked = rankGroup([row('N1', null, 'Xã Bình An'), row('Z', 0), row('H', 90), row('N2', null, 'Xã An Bình'), row('M', 80)]);
    expect(summary(ranked)).toEqual([
      ['H', 1],
      ['M', 2],
      ['Z', 3],
      ['N2', null], // unranked units listed by name too: An Bình < Bình An
      ['N1', null],
    ]);
  });

  it('an empty group gives an empty list', () => {
    expect(rankGroup([])).toEqual([]);
  });

  it('keeps extra fields and does not modify the input rows', () => {
    const input = [{ unitCode: 'A', unitName: 'Phường A', index: 70, total: 7, band: 'KHA' }];
    const ranked = rankGroup(input);
    expect(ranked).toEqual([{ unitCode: 'A', unitName: 'Phường A', index: 70, total: 7, band: 'KHA', rank: 1 }]);
    expect(input[0]).not.toHaveProperty('rank');
    expect(ranked[0]).not.toBe(input[0]);
  });

  it('a stale rank field in the input is replaced', () => {
    expect(rankGroup([{ unitCode: 'A', unitName: 'A', index: 1, rank: 99 }])[0]?.rank).toBe(1);
  });

  it('works outside the packed-key fast path (huge and negative indices)', () => {
    const ranked = rankGroup([row('A', 1e9), row('B', -5), row('C', 1e9), row('D', null), row('E', 3)]);
    expect(summary(ranked)).toEqual([
      ['A', 1],
      ['C', 1],
      ['E', 3],
      ['B', 4],
      ['D', null],
    ]);
  });

  it('rejects duplicate unit codes and non-finite indices', () => {
    expectInputError(() => rankGroup([row('A', 1), row('A', 2)]), 'rows[1].unitCode', 'duplicate');
    expectInputError(() => rankGroup([row('A', 1), row('B', Number.NaN)]), 'rows[1].index', 'invalid_type');
  });
});

describe('Vietnamese collation of tied names', () => {
  it('orders the names of the brief by hand: a < ă < â, d < đ', () => {
    // Letter by letter in the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y):
    //  "An Hòa" vs "Ấp Bắc": a < â → An Hòa first (the tone on Ấ does not matter at this level);
    //  "Bình Minh" next (b);
    //  "Dương Đông" vs "Đông Hải": d < đ → Dương Đông first — a collation that treated Đ as D with a mark
    //  would compare "ong" with "uong" and put Đông Hải first.
    const names = ['Phường Ấp Bắc', 'Phường An Hòa', 'Phường Bình Minh', 'Phường Đông Hải', 'Phường Dương Đông'];
    const ranked = rankGroup(names.map((n, i) => row(`U${i}`, 75.5, n)));
    expect(ranked.map((r) => r.unitName)).toEqual(['Phường An Hòa', 'Phường Ấp Bắc', 'Phường Bình Minh', 'Phường Dương Đông', 'Phường Đông Hải']);
    expect(ranked.every((r) => r.rank === 1)).toBe(true);
  });

  it('ă and â are letters after a (not a with a mark): Ao < Az < Ăn < Ân', () => {
    const ranked = rankGroup(['Xã Ân Phú', 'Xã Az', 'Xã Ăn', 'Xã Ao'].map((n, i) => row(`U${i}`, 60, n)));
    expect(ranked.map((r) => r.unitName)).toEqual(['Xã Ao', 'Xã Az', 'Xã Ăn', 'Xã Ân Phú']);
  });

  it('e < ê, o < ô < ơ, u < ư', () => {
    const names = ['Xã Ưu', 'Xã Ơn', 'Xã Ê Đê', 'Xã Uy', 'Xã Ong', 'Xã Ea Tam', 'Xã Ô Môn'];
    const sorted = [...names].sort(compareVietnamese);
    expect(sorted).toEqual(['Xã Ea Tam', 'Xã Ê Đê', 'Xã Ong', 'Xã Ô Môn', 'Xã Ơn', 'Xã Uy', 'Xã Ưu']);
  });

  it('tones only break ties between otherwise equal letters (ngang, huyền, hỏi, ngã, sắc, nặng), before longer words', () => {
    const names = ['Xã Mai', 'Xã Mạ', 'Xã Má', 'Xã Mã', 'Xã Mả', 'Xã Mà', 'Xã Ma'];
    expect([...names].sort(compareVietnamese)).toEqual(['Xã Ma', 'Xã Mà', 'Xã Mả', 'Xã Mã', 'Xã Má', 'Xã Mạ', 'Xã Mai']);
  });

  it('numbers in names compare by value: "Phường 2" before "Phường 10"', () => {
    expect(['Phường 2', 'Phường 10', 'Phường 1'].sort(compareVietnamese)).toEqual(['Phường 1', 'Phường 2', 'Phường 10']);
  });

  it('same name → by unit code', () => {
    const ranked = rankGroup([row('P2', 80, 'Phường 1'), row('P10', 80, 'Phường 1'), row('P1', 80, 'Phường 1')]);
    expect(ranked.map((r) => r.unitCode)).toEqual(['P1', 'P10', 'P2']);
  });

  it('the vectors ranking: U1 "Phường Ấp Bắc" before U3 "Phường Bình Minh" at 89.58', () => {
    const ranked = rankGroup([
      row('U3', 89.58, 'Phường Bình Minh'),
      row('U4', 0, 'Phường Đông Hải'),
      row('U1', 89.58, 'Phường Ấp Bắc'),
      row('U5', 100, 'Phường Cái Khế'),
      row('U2', 83.33, 'Phường An Hòa'),
    ]);
    expect(summary(ranked)).toEqual([
      ['U5', 1],
      ['U1', 2],
      ['U3', 2],
      ['U2', 4],
      ['U4', 5],
    ]);
  });
});
