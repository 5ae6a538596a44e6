// Server-side HTML as typed tagged templates. Every interpolated value is escaped unless it is already `Html`
// (the output of `html` itself or an explicit `raw`), so user data can never inject markup.

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/** What a template slot accepts: text (escaped), Html (as is), lists of either, and nothing (null/undefined/false). */
export type Slot = Html | string | number | boolean | null | undefined | readonly Slot[];

function render(v: Slot): string {
  if (v === null || v === undefined || v === false || v === true) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Slot[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Markup that is trusted as is (constants only; never user data). */
export const raw = (s: string) => new Html(s);

/** JSON for a `<script type="application/json">` data block: `<` is escaped so the block cannot be closed early. */
export function jsonData(id: string, data: unknown): Html {
  const json = JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return new Html(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`);
}

/** Only http(s) and site-relative URLs make it into an href. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  return /^https?:\/\//i.test(url) ? url : null;
}

/** Attribute helpers: `checked`, `selected`, `disabled` when the condition holds. */
export const attr = (name: string, on: boolean) => (on ? raw(` ${name}`) : '');
