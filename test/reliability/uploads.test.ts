// Hostile evidence uploads (issue 18 items 4 and 9): zip bombs and broken OOXML containers, PDFs that are not
// PDFs and HTML polyglots, two files in one request, and the socket of a refused upload. Every file is built
// here, byte by byte; real writers' output (pdfkit, exceljs) must still be accepted.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ZIP_LIMITS, inspectContainer } from '../../src/lib/blobs/container.js';
import { pdfDocument } from '../../src/demo/evidence-pdf.js';
import { evidence } from '../../src/db/schema.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { multipartFile } from '../helpers/multipart.js';
import { docxBytes, pdfBytes, xlsxBytes } from '../fixtures/blobs/samples.js';

// ---------------------------------------------------------------------------------------------------------------
// A ZIP writer that can lie: deflated or stored entries, declared sizes that differ from the data, flags, and a
// central directory with extra records pointing at an existing local header (overlapping entries).

interface Entry {
  name: string;
  data: Buffer;
  method?: 0 | 8;
  /** Uncompressed size written into the headers (default: the real one). */
  declared?: number;
  flags?: number;
}

function zip(entries: Entry[], opts: { aliases?: { name: string; of: number }[] } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const records: { header: Buffer; offset: number }[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(e.data, { level: 9 }) : e.data;
    const name = Buffer.from(e.name, 'utf8');
    const size = e.declared ?? e.data.length;
    const flags = 0x0800 | (e.flags ?? 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc32(e.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc32(e.data), 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    records.push({ header: central, offset });
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  for (const a of opts.aliases ?? []) {
    const c = Buffer.from(records[a.of]!.header);
    const name = Buffer.from(a.name, 'utf8');
    c.writeUInt16LE(name.length, 28);
    centrals.push(c, name);
  }
  const dir = Buffer.concat(centrals);
  const count = entries.length + (opts.aliases?.length ?? 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const CONTENT_TYPES_DOCX =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const DOCUMENT_XML = '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p/></w:body></w:document>';

/** A DOCX whose parts are real; `extra` entries are appended after them. file-type reads [Content_Types].xml stored. */
function docxWith(extra: Entry[], opts: { aliases?: { name: string; of: number }[]; withoutWord?: boolean } = {}): Buffer {
  const base: Entry[] = [{ name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES_DOCX), method: 0 }];
  if (!opts.withoutWord) base.push({ name: 'word/document.xml', data: Buffer.from(DOCUMENT_XML) });
  return zip([...base, ...extra], opts);
}

function pdfkitBytes(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(14).text('Báo cáo kết quả CCHC năm 2025');
    doc.end();
  });
}

const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------

let t: TestApp;
let roundId: string;
const now = new Date('2025-10-20T03:00:00Z');
beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { EVIDENCE_MAX_MB: '2', EVIDENCE_MAX_FILES_PER_ITEM: '50', SESSION_TTL_HOURS: '8760' } });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

const url = (code = '1.1') => `/api/v1/rounds/${roundId}/assessments/P1/items/${code}/evidence`;
const upload = async (name: string, bytes: Buffer) => {
  const mp = multipartFile(name, bytes);
  // English details (the default is Vietnamese): the assertions read them.
  return t.app.inject({ method: 'POST', url: url(), headers: { ...(await t.as('p1.editor')), ...mp.headers, 'accept-language': 'en' }, payload: mp.payload });
};
const blobFiles = () => {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else out.push(path.join(d, e.name));
    }
  };
  walk(path.join(t.config.dataDir, 'blobs'));
  return out.sort();
};
const evidenceCount = async () => (await t.database.db.select().from(evidence)).length;

/** Uploads, expects `status` with problem+json, and that nothing was stored. */
async function refused(name: string, bytes: Buffer, status: number, detail: RegExp) {
  const rows = await evidenceCount();
  const files = blobFiles();
  const res = await upload(name, bytes);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().detail).toMatch(detail);
  expect(await evidenceCount()).toBe(rows);
  expect(blobFiles()).toEqual(files);
  return res;
}

describe('evidence containers: what real writers produce is accepted', () => {
  it('accepts the minimal PDF, the demo PDF, a pdfkit PDF, a DOCX and an exceljs XLSX', async () => {
    for (const [name, bytes] of [
      ['a.pdf', pdfBytes()],
      ['demo.pdf', pdfDocument('Kế hoạch CCHC')],
      ['pdfkit.pdf', await pdfkitBytes()],
      ['a.docx', docxBytes()],
      ['deflated.docx', docxWith([])],
      ['a.xlsx', await xlsxBytes(20)],
    ] as const) {
      const res = await upload(name, bytes);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
    }
  });

  it('accepts an XLSX with a large but ordinary sheet (ratio under the limit)', async () => {
    // ~1.5 MB of varied cell XML compresses far less than 200:1.
    const rows = Array.from({ length: 15_000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${(i * 7919) % 100_003}</v></c></row>`).join('');
    const xlsx = zip([
      {
        name: '[Content_Types].xml',
        method: 0,
        data: Buffer.from(
          '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        ),
      },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(`<worksheet><sheetData>${rows}</sheetData></worksheet>`) },
    ]);
    const res = await upload('bang.xlsx', xlsx);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().evidence.mime).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });
});

describe('zip bombs and broken OOXML containers are 422 and nothing is stored', () => {
  it('an entry compressed beyond 200:1 (30 MB of zeros in ~30 KB)', async () => {
    const bomb = docxWith([{ name: 'word/media/image1.png', data: Buffer.alloc(30 * MB) }]);
    expect(bomb.length).toBeLessThan(100 * 1024);
    await refused('ke-hoach.docx', bomb, 422, /compressed more than 200:1.*zip bomb/);
  });

  it('an entry that inflates to more than its declared size (lying header)', async () => {
    await refused('bao-cao.docx', docxWith([{ name: 'word/media/x.bin', data: Buffer.alloc(4 * MB), declared: 1000 }]), 422, /inflates to more than its declared size/);
  });

  it('overlapping entries (several names for the same bytes)', async () => {
    const aliases = Array.from({ length: 5 }, (_, i) => ({ name: `word/copy${i}.xml`, of: 1 }));
    await refused('chong.docx', docxWith([], { aliases }), 422, /overlapping entries/);
  });

  it('more entries than the limit', async () => {
    const many = Array.from({ length: DEFAULT_ZIP_LIMITS.maxEntries + 1 }, (_, i) => ({ name: `word/p${i}.xml`, data: Buffer.from('x'), method: 0 as const }));
    await refused('nhieu.docx', docxWith(many), 422, new RegExp(`${DEFAULT_ZIP_LIMITS.maxEntries + 3} entries; at most ${DEFAULT_ZIP_LIMITS.maxEntries}`));
  });

  it('an encrypted entry, an unknown compression method, a missing word/ part', async () => {
    await refused('mat-khau.docx', docxWith([{ name: 'word/secret.xml', data: Buffer.from('x'), flags: 1 }]), 422, /encrypted/);
    const bzip = docxWith([{ name: 'word/a.xml', data: Buffer.from('abc'), method: 0 }]);
    // Patch the method of the last entry (local and central header) to 12 (bzip2).
    const lastLocal = bzip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    bzip.writeUInt16LE(12, lastLocal + 8);
    const lastCentral = bzip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bzip.writeUInt16LE(12, lastCentral + 10);
    await refused('bzip.docx', bzip, 422, /unsupported compression method \(12\)/);
    await refused('rong.docx', docxWith([{ name: 'docProps/app.xml', data: Buffer.from('<Properties/>') }], { withoutWord: true }), 422, /nothing under word\//);
  });

  it('a truncated archive (no central directory)', async () => {
    const whole = docxBytes();
    await refused('cut.docx', whole.subarray(0, whole.length - 40), 422, /not a complete ZIP archive|central directory/);
  });

  it('the total uncompressed size is bounded (checked directly with a small limit)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-zip-'));
    try {
      const file = path.join(dir, 'x.docx');
      // Three 400 KB entries of random bytes: ratio ~1, total 1.2 MB > the 1 MB limit given here.
      fs.writeFileSync(file, docxWith([0, 1, 2].map((i) => ({ name: `word/media/r${i}.bin`, data: randomBytes(400 * 1024), method: 0 as const }))));
      await expect(inspectContainer(file, 'docx', { ...DEFAULT_ZIP_LIMITS, maxTotalUncompressed: MB })).rejects.toMatchObject({ status: 422, reason: 'invalid-content' });
      await expect(inspectContainer(file, 'docx', DEFAULT_ZIP_LIMITS)).resolves.toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PDFs must be PDFs; HTML is refused', () => {
  it('"%PDF-" in front of an HTML page is 415 text/html', async () => {
    const page = Buffer.from('%PDF-1.4\n<!DOCTYPE html><html><body><script>fetch("/api/v1/auth/me")</script></body></html>\n%%EOF\n');
    const res = await refused('bao-cao.pdf', page, 415, /text\/html/);
    expect(res.json().type).toMatch(/unsupported-file-type$/);
  });

  it('HTML hidden in a PDF comment within the sniffed window is 415', async () => {
    const real = pdfBytes().toString('latin1');
    const polyglot = Buffer.from(real.replace('%PDF-1.4\n', '%PDF-1.4\n%<html><script>alert(1)</script>\n'), 'latin1');
    await refused('poly.pdf', polyglot, 415, /text\/html/);
  });

  it('a header followed by something other than objects, no %%EOF, a startxref into nowhere, a trailer without /Root are 422', async () => {
    await refused('rac.pdf', Buffer.from(`%PDF-1.7\nthis is not a pdf ${'x'.repeat(200)}\n`), 422, /followed by something other than PDF objects/);
    const real = pdfBytes().toString('latin1');
    await refused('cut.pdf', Buffer.from(real.slice(0, real.indexOf('startxref')), 'latin1'), 422, /no %%EOF/);
    await refused('xref.pdf', Buffer.from(real.replace(/startxref\n\d+/, 'startxref\n12'), 'latin1'), 422, /does not point at a cross-reference/);
    await refused('root.pdf', Buffer.from(real.replace('/Root 1 0 R', '/Info 1 0 R'), 'latin1'), 422, /does not name its document catalogue/);
  });
});

describe('one file per request', () => {
  function twoFiles(a: { name: string; bytes: Buffer }, b: { name: string; bytes: Buffer }) {
    const boundary = '----partwo' + randomBytes(6).toString('hex');
    const part = (f: { name: string; bytes: Buffer }, field: string) =>
      Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${f.name}"\r\nContent-Type: application/pdf\r\n\r\n`), f.bytes, Buffer.from('\r\n')]);
    return {
      payload: Buffer.concat([part(a, 'file'), part(b, 'file'), Buffer.from(`--${boundary}--\r\n`)]),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    };
  }

  it('a second file is 400 naming it, and neither file is stored', async () => {
    const rows = await evidenceCount();
    const files = blobFiles();
    const mp = twoFiles({ name: 'mot.pdf', bytes: pdfBytes() }, { name: 'hai.pdf', bytes: pdfBytes() });
    const res = await t.app.inject({ method: 'POST', url: url(), headers: { ...(await t.as('p1.editor')), ...mp.headers, 'accept-language': 'en' }, payload: mp.payload });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'body.file', code: 'too_many_files' })]);
    expect(res.json().detail).toContain('"hai.pdf"');
    expect(await evidenceCount()).toBe(rows);
    expect(blobFiles()).toEqual(files);
  });
});

describe('the socket of a refused upload', () => {
  let port: number;
  beforeAll(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as net.AddressInfo).port;
  });

  /**
   * Sends headers announcing 50 MB and streams a PDF body 64 KB at a time until the server answers; resolves with
   * the status line and how long the socket stayed open after the answer began.
   */
  async function streamUntilRefused(headers: Record<string, string>, target: string) {
    const token = (await t.as('p1.editor')).authorization!;
    const boundary = 'sockettest';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
    const sock = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    sock.write(
      [`POST ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: ${token}`, `Content-Type: multipart/form-data; boundary=${boundary}`, `Content-Length: ${50 * MB}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'),
    );
    sock.write(head + '%PDF-1.4\n');
    let answer = '';
    let answeredAt = 0;
    let sent = 0;
    const closed = new Promise<number>((resolve) => sock.once('close', () => resolve(Date.now())));
    sock.on('error', () => {});
    sock.on('data', (d: Buffer) => {
      if (!answeredAt) answeredAt = Date.now();
      answer += d.toString('latin1');
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    // Keep sending like a client that has not read the answer yet, for at most 20 s.
    const deadline = Date.now() + 20_000;
    while (!sock.destroyed && Date.now() < deadline && sent < 45 * MB) {
      const ok = sock.write(chunk);
      sent += chunk.length;
      if (!ok) await Promise.race([new Promise((r) => sock.once('drain', r)), closed, new Promise((r) => setTimeout(r, 200))]);
      if (answeredAt) await new Promise((r) => setTimeout(r, 5));
    }
    const closedAt = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 3000))]);
    sock.destroy();
    return { status: /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1], answer, openAfterAnswerMs: closedAt < 0 ? Infinity : closedAt - answeredAt, sent };
  }

  it('an upload refused as too large is answered 413 and its connection closed at once', async () => {
    const r = await streamUntilRefused({}, url('1.2'));
    expect(r.status).toBe('413');
    expect(r.answer.toLowerCase()).toContain('connection: close');
    expect(r.openAfterAnswerMs).toBeLessThan(2000);
    // The server stopped well before the client's 45 MB: it did not read the whole body.
    expect(r.sent).toBeLessThan(45 * MB);
  });

  it('an upload refused for its origin (web form) is answered at once and closed too', async () => {
    const r = await streamUntilRefused({ Origin: 'https://evil.example' }, `/don-vi/${roundId}/P1/tieu-chi/1.1/tai-lieu`);
    expect(r.status).toBe('403');
    expect(r.openAfterAnswerMs).toBeLessThan(2000);
  });
});
