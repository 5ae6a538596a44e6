// The demo's frameworks and questionnaires for any year, derived from the 2025 templates: the code, year and
// name carry the year (PB-2026, SIPAS-XA-2026, …) so that every round uses a framework of its own year.
import pb2025 from './frameworks/pb-2025.json' with { type: 'json' };
import xa2025 from './frameworks/xa-2025.json' with { type: 'json' };
import { sipasPb, sipasXa } from './surveys.js';

const TEMPLATE_YEAR = '2025';

/**
 * Deep copy with every "2025" in codes, names and survey references replaced by `year`, worded for a province
 * after 1 July 2025 (sở, ban, ngành and UBND cấp xã under the provincial People's Committee; no district level).
 */
function forYear<T>(template: T, year: number): T {
  const text = JSON.stringify(template)
    .replaceAll(`-${TEMPLATE_YEAR}"`, `-${year}"`)
    .replaceAll(`năm ${TEMPLATE_YEAR}`, `năm ${year}`)
    .replaceAll('các phòng chuyên môn thuộc UBND thành phố', 'các sở, ban, ngành thuộc UBND tỉnh')
    .replaceAll('UBND thành phố Sa Đéc', 'UBND tỉnh Đồng Tháp')
    .replaceAll('UBND thành phố giao', 'UBND tỉnh giao')
    .replaceAll('thành phố', 'tỉnh');
  return JSON.parse(text) as T;
}

function withYear<T extends { year: number }>(template: T, year: number): T {
  return { ...forYear(template, year), year };
}

/** Criteria sets of the demo province for a year: departments (PB-yyyy) and communes/wards (XA-yyyy). */
export function demoFrameworksFor(year: number) {
  return { pb: withYear(pb2025 as { code: string; year: number }, year), xa: withYear(xa2025 as { code: string; year: number }, year) };
}

/** The SIPAS questionnaires the frameworks of that year score from. */
export function demoSurveysFor(year: number) {
  return { xa: withYear(sipasXa, year), pb: withYear(sipasPb, year) };
}
