import { describe, expect, it } from 'vitest';
import { contentDisposition, sanitizeFilename, withExtension } from '../../../src/lib/blobs/index.js';

describe('sanitizeFilename', () => {
  it.each([
    ['Kế hoạch CCHC 2025.pdf', 'Kế hoạch CCHC 2025.pdf'],
    ['Báo cáo tự đánh giá – Phường Đống Đa.docx', 'Báo cáo tự đánh giá – Phường Đống Đa.docx'],
    ['Ảnh chụp ĐƯỜNG ỐNG.JPG', 'Ảnh chụp ĐƯỜNG ỐNG.JPG'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Windows\\evil.pdf', 'evil.pdf'],
    ['\\\\server\\share\\minh chứng.xlsx', 'minh chứng.xlsx'],
    ['/var/lib/../../x.png', 'x.png'],
    ['..', 'tai-lieu'],
    ['../', 'tai-lieu'],
    ['.htaccess', 'htaccess'],
    ['...hidden.pdf', 'hidden.pdf'],
    ['', 'tai-lieu'],
    ['   ', 'tai-lieu'],
    ['a<b>c:d"e|f?g*h.pdf', 'abcdefgh.pdf'],
    ['Báo cáo: quý 1?.pdf', 'Báo cáo quý 1.pdf'],
    ['line\nbreak\r\tand\u0000nul\u007f.pdf', 'linebreakandnul.pdf'],
    ['hoadon\u202Efdp.exe', 'hoadonfdp.exe'],
    ['\ufeffbom.pdf', 'bom.pdf'],
    ['trailing dots and spaces. . .', 'trailing dots and spaces'],
    ['many    inner   spaces.pdf', 'many inner spaces.pdf'],
    ['CON.pdf', '_CON.pdf'],
    ['nul', '_nul'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it('NFC-normalises (decomposed Vietnamese becomes precomposed)', () => {
    const decomposed = 'Kế hoạch.pdf'.normalize('NFD');
    expect(decomposed).not.toBe('Kế hoạch.pdf');
    expect(sanitizeFilename(decomposed)).toBe('Kế hoạch.pdf');
  });

  it('treats null and undefined as no name', () => {
    expect(sanitizeFilename(undefined)).toBe('tai-lieu');
    expect(sanitizeFilename(null)).toBe('tai-lieu');
  });

  it('caps very long names at 200 characters, keeping the extension', () => {
    const out = sanitizeFilename(`${'Tài liệu kiểm chứng '.repeat(30)}.docx`);
    expect(Array.from(out).length).toBeLessThanOrEqual(200);
    expect(out.endsWith('.docx')).toBe(true);
    expect(out.startsWith('Tài liệu kiểm chứng')).toBe(true);
    expect(out).not.toMatch(/ \.docx$/); // no dangling space before the extension

    const noExt = sanitizeFilename('x'.repeat(500));
    expect(noExt).toBe('x'.repeat(200));
  });

  it('does not split an emoji or a letter with combining marks when truncating', () => {
    // 195 + 2 code points of 👍🏽 would be 197 > 196 left for the stem: the whole emoji goes.
    expect(sanitizeFilename(`${'a'.repeat(195)}👍🏽👍🏽.pdf`)).toBe(`${'a'.repeat(195)}.pdf`);
    expect(sanitizeFilename(`${'a'.repeat(194)}👍🏽👍🏽.pdf`)).toBe(`${'a'.repeat(194)}👍🏽.pdf`);
    // "q̣̃" has no precomposed form (3 code points after NFC): cut as a whole, never leaving a bare mark.
    expect(sanitizeFilename(`${'b'.repeat(195)}q\u0303\u0323x.pdf`)).toBe(`${'b'.repeat(195)}.pdf`);
  });

  it('is idempotent', () => {
    for (const s of ['../../etc/passwd', 'Kế hoạch CCHC 2025.pdf', 'a<b>.pdf', `${'x'.repeat(300)}.pdf`, 'CON']) {
      expect(sanitizeFilename(sanitizeFilename(s))).toBe(sanitizeFilename(s));
    }
  });
});

describe('withExtension', () => {
  it('adds the detected extension when the name lacks or contradicts it', () => {
    expect(withExtension('scan', 'pdf')).toBe('scan.pdf');
    expect(withExtension('bao-cao.pdf', 'docx')).toBe('bao-cao.pdf.docx');
    expect(withExtension('anh.JPEG', 'jpg')).toBe('anh.JPEG');
    expect(withExtension('Kế hoạch.PDF', 'pdf')).toBe('Kế hoạch.PDF');
    expect(Array.from(withExtension('y'.repeat(200), 'xlsx')).length).toBe(200);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the UTF-8 name (RFC 6266/5987)', () => {
    expect(contentDisposition('Kế hoạch CCHC 2025.pdf')).toBe(
      `attachment; filename="Ke hoach CCHC 2025.pdf"; filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20CCHC%202025.pdf`,
    );
    expect(contentDisposition('Đề án.docx')).toBe(`attachment; filename="De an.docx"; filename*=UTF-8''%C4%90%E1%BB%81%20%C3%A1n.docx`);
  });

  it('cannot be used to inject header parameters or lines', () => {
    const v = contentDisposition('a"; filename="evil.exe\r\nX-Injected: 1.pdf');
    expect(v).not.toMatch(/[\r\n]/);
    expect(v.match(/"/g)).toHaveLength(2); // only the quotes around the fallback
    expect(v).toMatch(/^attachment; filename="[^"\\]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
  });

  it('percent-encodes characters outside RFC 5987 attr-char', () => {
    expect(contentDisposition("it's (1)*%.pdf")).toBe(`attachment; filename="it's (1)_.pdf"; filename*=UTF-8''it%27s%20%281%29%25.pdf`);
  });

  it('supports inline and sanitises the name first', () => {
    expect(contentDisposition('../../x.png', 'inline')).toBe(`inline; filename="x.png"; filename*=UTF-8''x.png`);
  });
});
