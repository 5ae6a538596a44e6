// The original name of an uploaded file is kept for display and downloads only — never as a
// storage key or path. These helpers make it safe to show and to put in a header.

export const DEFAULT_FILENAME = 'tai-lieu';
export const MAX_FILENAME_LENGTH = 200;

// C0/C1 controls and DEL; bidi overrides/isolates and invisible marks that can disguise an
// extension ("hoadon\u202Efdp.exe" displays as "hoadonexe.pdf"); BOM.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
const RESERVED = /[<>:"|?*]/g;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
const EXTENSION = /\.([\p{L}\p{N}]{1,10})$/u;

/** Cuts `s` to at most `max` code points without splitting a grapheme (letter + combining marks, emoji). */
function truncate(s: string, max: number): string {
  if (Array.from(s).length <= max) return s;
  let out = '';
  let count = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)) {
    const n = Array.from(segment).length;
    if (count + n > max) break;
    out += segment;
    count += n;
  }
  return out;
}

/**
 * A safe display name for an uploaded file's original name: the last path segment only (both / and
 * \ are separators), NFC-normalised, without control or invisible direction characters, without
 * the characters Windows reserves (<>:"|?*), without leading dots or trailing dots/spaces, at most
 * 200 characters with the extension preserved. Vietnamese letters are kept as they are
 * ("Kế hoạch CCHC 2025.pdf" is unchanged). Falls back to "tai-lieu".
 */
export function sanitizeFilename(original: string | null | undefined): string {
  let name = String(original ?? '').normalize('NFC');
  name = name.replace(CONTROL, '');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(RESERVED, '');
  name = name.replace(/\s+/gu, ' ');
  name = name.replace(/^[\s.]+/u, '').replace(/[\s.]+$/u, '');

  if (Array.from(name).length > MAX_FILENAME_LENGTH) {
    const ext = EXTENSION.exec(name)?.[0] ?? '';
    const base = name.slice(0, name.length - ext.length);
    name = truncate(base, MAX_FILENAME_LENGTH - Array.from(ext).length).replace(/[\s.]+$/u, '') + ext;
    name = name.replace(/^[\s.]+/u, '');
  }

  // "CON.pdf", "nul" … are device names on Windows, where a clerk may save the download.
  const stem = name.split('.')[0] ?? '';
  if (WINDOWS_DEVICE.test(stem)) name = `_${name}`;

  return name === '' ? DEFAULT_FILENAME : name;
}

const EXT_ALIASES: Record<string, string[]> = { jpg: ['jpg', 'jpeg', 'jpe', 'jfif'] };

/**
 * `name` ending in the extension of the detected type: "scan" → "scan.pdf", "anh.JPEG" stays,
 * "bao-cao.pdf" holding a DOCX → "bao-cao.pdf.docx". Keeps downloads opening in the right program.
 */
export function withExtension(name: string, ext: string): string {
  const current = EXTENSION.exec(name)?.[1]?.toLowerCase();
  const accepted = EXT_ALIASES[ext] ?? [ext];
  if (current !== undefined && accepted.includes(current)) return name;
  const suffix = `.${ext}`;
  return truncate(name, MAX_FILENAME_LENGTH - suffix.length) + suffix;
}

function asciiFallback(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '') // strip diacritics: "Kế hoạch" → "Ke hoach"
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_')
    .replace(/%/g, '_'); // some clients percent-decode filename=
  return ascii.trim() === '' ? DEFAULT_FILENAME : ascii;
}

/** RFC 5987 ext-value encoding: everything but attr-char is percent-encoded UTF-8. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A Content-Disposition header value (RFC 6266) for downloading a file under `filename`:
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded UTF-8>`.
 * The name is sanitised first, so any input is safe.
 */
export function contentDisposition(filename: string, type: 'attachment' | 'inline' = 'attachment'): string {
  const name = sanitizeFilename(filename);
  return `${type}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}
