import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { UploadRejectedError, type AllowedExt } from './types.js';

// Stage 3 of the content check (after the magic bytes and file-type): the container itself must be sound.
//  - DOCX/XLSX are ZIP archives. The central directory is read and every entry is inflated (output counted and
//    discarded, never kept): bounded entry count, total uncompressed size and compression ratio, no overlapping
//    entries (the "overlapping files" bomb), no encryption, sizes that match what the directory declares, and
//    the OOXML parts the type needs ([Content_Types].xml plus word/ or xl/). A zip bomb is refused before a
//    byte of it is stored.
//  - A PDF must be structured as one: the header, then objects (comments allowed) — not an HTML page behind a
//    "%PDF-" prefix — and at the end %%EOF after a startxref that points at a cross-reference table (with a
//    trailer naming /Root) or a cross-reference stream. This is the structure every reader needs to open the
//    file; pdf.js and similar parsers would "repair" almost anything, so a lenient parse would prove nothing.
//  - No accepted file may carry HTML in the window browsers sniff (the first 1024 bytes): a polyglot that a
//    misconfigured proxy or an old browser might render as a page is refused.

export interface ZipLimits {
  maxEntries: number;
  maxTotalUncompressed: number;
  /** Uncompressed ÷ compressed bytes of one entry, checked for entries above ratioFloorBytes. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 5_000,
  maxTotalUncompressed: 256 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

/** Bytes at the start of a file that browsers inspect when they sniff content (WHATWG MIME sniffing: 1445 max). */
const SNIFF_WINDOW = 1445;
const HTML_MARKERS = /<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|script[\s>]|iframe[\s>]|svg[\s>]|object[\s>]|embed[\s>]|meta[\s>]|a\s+href|img\s+src|style[\s>]|title[\s>])/i;

const invalid = (detail: string) => UploadRejectedError.invalidContent(detail);

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/** Throws 415 when the sniffable start of the file looks like an HTML page. */
function refuseHtml(head: Buffer): void {
  if (HTML_MARKERS.test(head.toString('latin1'))) throw UploadRejectedError.unsupportedType('text/html');
}

// ---------------------------------------------------------------------------------------------------------------
// ZIP (OOXML).

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const U32 = 0xffffffff;
const U16 = 0xffff;

function readU64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid('The ZIP archive declares an impossible size.');
  return Number(v);
}

async function readCentralDirectory(handle: FileHandle, size: number, limits: ZipLimits): Promise<{ entries: ZipEntry[]; cdOffset: number }> {
  // End of central directory: 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const tailLen = Math.min(size, 22 + 0xffff);
  const tail = await readAt(handle, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw invalid('The file is not a complete ZIP archive (no end of central directory).');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === U16 || cdSize === U32 || cdOffset === U32) {
    const locAt = eocd - 20;
    if (locAt < 0 || tail.readUInt32LE(locAt) !== ZIP64_LOCATOR_SIG) throw invalid('The ZIP64 end of central directory is missing.');
    const z64At = readU64(tail, locAt + 8);
    const z64 = await readAt(handle, z64At, 56);
    if (z64.length < 56 || z64.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw invalid('The ZIP64 end of central directory is damaged.');
    count = readU64(z64, 32);
    cdSize = readU64(z64, 40);
    cdOffset = readU64(z64, 48);
  }
  if (count > limits.maxEntries) throw invalid(`The archive has ${count} entries; at most ${limits.maxEntries} are accepted.`);
  if (cdOffset + cdSize > size) throw invalid('The ZIP central directory lies outside the file.');
  const cd = await readAt(handle, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  while (entries.length < count) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIG) throw invalid('The ZIP central directory is damaged.');
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localOffset = cd.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) throw invalid('The ZIP central directory is damaged.');
    const name = cd.toString(flags & 0x0800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    // ZIP64 extended information: the 8-byte values, in this order, for each field that is 0xFFFFFFFF.
    let x = p + 46 + nameLen;
    const extraEnd = x + extraLen;
    while (x + 4 <= extraEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const take = () => {
          if (q + 8 > x + 4 + len) throw invalid('The ZIP64 extra field is damaged.');
          const v = readU64(cd, q);
          q += 8;
          return v;
        };
        if (uncompressedSize === U32) uncompressedSize = take();
        if (compressedSize === U32) compressedSize = take();
        if (localOffset === U32) localOffset = take();
      }
      x += 4 + len;
    }
    entries.push({ name, flags, method, compressedSize, uncompressedSize, localOffset });
    p = end;
  }
  return { entries, cdOffset };
}

/** Inflates (or copies) one entry's data, counting output; refuses as soon as it passes what was declared. */
function inflatedSize(data: Buffer, method: number, declared: number): Promise<number> {
  if (method === 0) return Promise.resolve(data.length);
  return new Promise((resolve, reject) => {
    const inflate = createInflateRaw({ chunkSize: 64 * 1024 });
    let out = 0;
    let failed = false;
    inflate.on('data', (chunk: Buffer) => {
      out += chunk.length;
      if (out > declared && !failed) {
        failed = true;
        inflate.destroy();
        reject(invalid('A ZIP entry inflates to more than its declared size.'));
      }
    });
    inflate.on('error', () => {
      if (failed) return;
      failed = true;
      reject(invalid('A ZIP entry is not valid compressed data.'));
    });
    inflate.on('end', () => {
      if (!failed) resolve(out);
    });
    inflate.end(data);
  });
}

async function checkZip(handle: FileHandle, size: number, ext: 'docx' | 'xlsx', limits: ZipLimits): Promise<void> {
  const { entries, cdOffset } = await readCentralDirectory(handle, size, limits);
  let total = 0;
  for (const e of entries) {
    if (e.flags & 0x0001) throw invalid(`The archive entry "${e.name}" is encrypted; password-protected files are not accepted.`);
    if (e.method !== 0 && e.method !== 8) throw invalid(`The archive entry "${e.name}" uses an unsupported compression method (${e.method}).`);
    total += e.uncompressedSize;
    if (total > limits.maxTotalUncompressed) {
      throw invalid(`The archive unpacks to more than ${Math.round(limits.maxTotalUncompressed / (1024 * 1024))} MB; it is refused as a possible zip bomb.`);
    }
    if (e.uncompressedSize > limits.ratioFloorBytes && e.uncompressedSize > e.compressedSize * limits.maxRatio) {
      throw invalid(`The archive entry "${e.name}" is compressed more than ${limits.maxRatio}:1; it is refused as a possible zip bomb.`);
    }
  }
  // Each entry's local header and data must lie before the central directory, one after another: entries that
  // share bytes multiply a small file into a huge one.
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  let cursor = 0;
  for (const e of sorted) {
    if (e.localOffset < cursor) throw invalid('The archive has overlapping entries; it is refused as a possible zip bomb.');
    const local = await readAt(handle, e.localOffset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIG) throw invalid(`The archive entry "${e.name}" has no valid local header.`);
    const dataStart = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const dataEnd = dataStart + e.compressedSize;
    if (dataEnd > cdOffset) throw invalid(`The archive entry "${e.name}" runs past the end of the archive.`);
    const out = await inflatedSize(await readAt(handle, dataStart, e.compressedSize), e.method, e.uncompressedSize);
    if (out !== e.uncompressedSize) throw invalid(`The archive entry "${e.name}" does not match its declared size.`);
    cursor = dataEnd;
  }
  const names = new Set(entries.map((e) => e.name));
  const folder = ext === 'docx' ? 'word/' : 'xl/';
  if (!names.has('[Content_Types].xml')) throw invalid('The file is not an Office document: [Content_Types].xml is missing.');
  if (!entries.some((e) => e.name.startsWith(folder))) throw invalid(`The file is not a ${ext.toUpperCase()} document: nothing under ${folder} in the archive.`);
}

// ---------------------------------------------------------------------------------------------------------------
// PDF.

const PDF_HEADER = /^%PDF-(?:1\.[0-7]|2\.0)[\r\n\s%]/;

/** After the header line, only comments and whitespace may precede the first "N G obj". */
function checkPdfStart(head: Buffer): void {
  const text = head.toString('latin1');
  if (!PDF_HEADER.test(text)) throw invalid('The file does not start with a valid PDF header.');
  let i = text.search(/[\r\n]/);
  if (i < 0) throw invalid('The PDF header is not followed by any content.');
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\r' || c === '\n' || c === '\t' || c === '\f' || c === '\0') {
      i++;
      continue;
    }
    if (c === '%') {
      const eol = text.slice(i).search(/[\r\n]/);
      if (eol < 0) return; // a comment running past the window (binary marker): nothing else seen
      i += eol;
      continue;
    }
    if (/^\d+\s+\d+\s+obj\b/.test(text.slice(i, i + 40))) return;
    throw invalid('The PDF header is followed by something other than PDF objects.');
  }
}

async function checkPdf(handle: FileHandle, size: number, head: Buffer): Promise<void> {
  checkPdfStart(head);
  const tailLen = Math.min(size, 4096);
  const tail = (await readAt(handle, size - tailLen, tailLen)).toString('latin1');
  // %%EOF must be at the end (trailing whitespace or a final newline aside; PDF 1.7 §7.5.5 lets readers look
  // in the last 1024 bytes), preceded by startxref and a byte offset.
  const eofAt = tail.lastIndexOf('%%EOF');
  if (eofAt < 0 || tail.length - eofAt > 1024) throw invalid('The PDF has no %%EOF marker at its end.');
  const m = /startxref\s+(\d{1,15})\s*$/.exec(tail.slice(0, eofAt));
  if (!m) throw invalid('The PDF has no startxref before %%EOF.');
  const xrefAt = Number(m[1]);
  if (xrefAt <= 0 || xrefAt >= size) throw invalid('The PDF startxref points outside the file.');
  const at = (await readAt(handle, xrefAt, Math.min(4096, size - xrefAt))).toString('latin1');
  if (/^\s*xref\b/.test(at)) {
    // The trailer after this table names the catalogue; in a linearised file that is the first-page table near
    // the start (the final trailer there carries only /Size), otherwise the one just before startxref.
    const TRAILER_WINDOW = 256 * 1024;
    const table = (await readAt(handle, xrefAt, Math.min(TRAILER_WINDOW, size - xrefAt))).toString('latin1');
    const hasRoot = (s: string, from: number) => from >= 0 && /^trailer\s*<<[^]{0,2048}?\/Root\s+\d+\s+\d+\s+R/.test(s.slice(from, from + 2100));
    if (!hasRoot(table, table.indexOf('trailer')) && !hasRoot(tail, tail.lastIndexOf('trailer'))) {
      throw invalid('The PDF trailer does not name its document catalogue (/Root).');
    }
    return;
  }
  if (/^\s*\d+\s+\d+\s+obj\b/.test(at) && /\/Type\s*\/XRef\b/.test(at) && /\/Root\s+\d+\s+\d+\s+R/.test(at)) return;
  throw invalid('The PDF startxref does not point at a cross-reference table or stream.');
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Checks the structure of a complete staged file whose type file-type already identified. Throws
 * UploadRejectedError: 415 for HTML content, 422 (invalid-file-content) for a damaged or hostile container.
 */
export async function inspectContainer(filePath: string, ext: AllowedExt, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    const head = await readAt(handle, 0, Math.min(size, SNIFF_WINDOW));
    refuseHtml(head);
    if (ext === 'pdf') await checkPdf(handle, size, head);
    else if (ext === 'docx' || ext === 'xlsx') await checkZip(handle, size, ext, limits);
  } finally {
    await handle.close();
  }
}
