import { randomUUID } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { problemType } from '../../../src/lib/errors.js';
import {
  BlobNotFoundError,
  createBlobStore,
  createLocalBlobStore,
  DEFAULT_MAX_UPLOAD_BYTES,
  InvalidBlobKeyError,
  UploadRejectedError,
  type BlobStore,
} from '../../../src/lib/blobs/index.js';
import {
  cfbBytes,
  docxBytes,
  elfBytes,
  exeBytes,
  gifBytes,
  htmlBytes,
  jpegBytes,
  pdfBytes,
  plainZipBytes,
  pngBytes,
  svgBytes,
  xlsxBytes,
} from '../../fixtures/blobs/samples.js';
import { chunked, filesUnder, readAll, sha256, UUID } from './helpers.js';

const MB = 1024 * 1024;
let root: string;
let store: BlobStore;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'par-blobs-'));
  store = createLocalBlobStore(root, { clock: () => new Date('2025-06-15T10:00:00Z') });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<UploadRejectedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UploadRejectedError);
  return err as UploadRejectedError;
}

describe('local blob store: accepted files', () => {
  const cases: [string, () => Buffer | Promise<Buffer>, string, string][] = [
    ['PDF', pdfBytes, 'application/pdf', 'pdf'],
    ['PNG', () => pngBytes(), 'image/png', 'png'],
    ['JPEG', jpegBytes, 'image/jpeg', 'jpg'],
    ['DOCX', () => docxBytes(), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
    ['XLSX (exceljs)', () => xlsxBytes(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
  ];

  it.each(cases)('stores a %s with its detected type, size and SHA-256', async (_name, make, mime, ext) => {
    const bytes = await make();
    const blob = await store.put(chunked(bytes, 100), { maxBytes: DEFAULT_MAX_UPLOAD_BYTES });
    expect(blob).toEqual({ key: expect.stringMatching(new RegExp(`^2025/06/${UUID}\\.${ext}$`)), size: bytes.length, sha256: sha256(bytes), mime, ext });
    expect(filesUnder(root)).toEqual([path.join('objects', blob.key)]);
    expect(await readAll(await store.get(blob.key))).toEqual(bytes);
  });

  it('accepts a Node Readable as the source', async () => {
    const bytes = pdfBytes();
    const blob = await store.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]), { maxBytes: MB });
    expect(blob.sha256).toBe(sha256(bytes));
  });

  it('detects a DOCX whose [Content_Types].xml comes after megabytes of other entries (whole-file detection)', async () => {
    const bytes = docxBytes({ contentTypesLast: true, paddingBytes: 3 * MB });
    const blob = await store.put(chunked(bytes, 64 * 1024), { maxBytes: DEFAULT_MAX_UPLOAD_BYTES });
    expect(blob.ext).toBe('docx');
    expect(blob.size).toBe(bytes.length);
  });

  it('generates distinct keys for concurrent uploads of the same content', async () => {
    const blobs = await Promise.all(Array.from({ length: 8 }, () => store.put(chunked(pdfBytes()), { maxBytes: MB })));
    expect(new Set(blobs.map((b) => b.key)).size).toBe(8);
    expect(filesUnder(path.join(root, 'tmp'))).toEqual([]);
  });
});

describe('local blob store: refused files leave nothing behind', () => {
  const refused: [string, () => Buffer, string][] = [
    ['HTML (whatever it was named)', htmlBytes, 'unknown'],
    ['an ELF executable', elfBytes, 'application/x-elf'],
    ['a Windows MZ/PE executable', exeBytes, 'application/x-msdownload'],
    ['a plain ZIP', plainZipBytes, 'application/zip'],
    ['a GIF', gifBytes, 'image/gif'],
    ['an old binary Office (.doc/.xls) file', cfbBytes, 'application/x-cfb'],
    ['an SVG', svgBytes, 'application/xml'],
    ['a 3-byte file', () => Buffer.from('abc'), 'unknown'],
    ['a truncated ZIP header only', () => Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0]), 'application/zip'],
  ];

  it.each(refused)('refuses %s with 415', async (_name, make, detected) => {
    const err = await rejection(store.put(chunked(make()), { maxBytes: MB }));
    expect(err.status).toBe(415);
    expect(err.type).toBe(problemType('unsupported-file-type'));
    expect(err.reason).toBe('unsupported-type');
    expect(err.extra).toEqual({ field: 'file' });
    expect(err.message).toBe(`Only PDF, DOCX, XLSX, JPG and PNG files are accepted; this file's content is ${detected}.`);
    expect(filesUnder(root)).toEqual([]);
  });

  it('refuses a non-allowed type after the first chunk, without reading the rest', async () => {
    let pulled = 0;
    async function* html() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.from(`<html><body>${'x'.repeat(1000)}</body></html>`);
      }
    }
    await rejection(store.put(html(), { maxBytes: 100 * MB }));
    expect(pulled).toBe(1);
    expect(filesUnder(root)).toEqual([]);
  });

  it('refuses an empty file with 400', async () => {
    const err = await rejection(store.put(chunked(Buffer.alloc(0)), { maxBytes: MB }));
    expect(err).toMatchObject({ status: 400, type: problemType('empty-file'), extra: { field: 'file' }, reason: 'empty' });
    expect(filesUnder(root)).toEqual([]);
  });

  it('refuses a stream over maxBytes while streaming, without buffering or reading it all, and keeps nothing', async () => {
    let pulled = 0;
    let finished = false;
    async function* endlessPdf() {
      try {
        yield Buffer.from('%PDF-1.4\n');
        for (;;) {
          pulled += 64 * 1024;
          yield Buffer.alloc(64 * 1024, 0x20);
        }
      } finally {
        finished = true; // the store stopped pulling and closed the source
      }
    }
    const err = await rejection(store.put(endlessPdf(), { maxBytes: MB }));
    expect(err).toMatchObject({ status: 413, type: problemType('file-too-large'), extra: { field: 'file' }, reason: 'too-large' });
    expect(err.message).toBe('The file is larger than the 1 MB limit.');
    expect(pulled).toBeLessThanOrEqual(MB + 64 * 1024);
    expect(finished).toBe(true);
    expect(filesUnder(root)).toEqual([]);
  });

  it('destroys a Node Readable source that is refused for size', async () => {
    const source = Readable.from(
      (function* () {
        yield Buffer.from('%PDF-1.4\n');
        for (;;) yield Buffer.alloc(16 * 1024);
      })(),
    );
    await rejection(store.put(source, { maxBytes: 100 * 1024 }));
    expect(source.destroyed).toBe(true);
  });

  it('accepts exactly maxBytes and refuses one byte more', async () => {
    const pdf = pdfBytes();
    await expect(store.put(chunked(pdf), { maxBytes: pdf.length })).resolves.toMatchObject({ size: pdf.length });
    const err = await rejection(store.put(chunked(pdf), { maxBytes: pdf.length - 1 }));
    expect(err.status).toBe(413);
    expect(err.message).toMatch(/bytes limit/);
  });

  it('names the default limit in MB', () => {
    expect(UploadRejectedError.tooLarge(DEFAULT_MAX_UPLOAD_BYTES).message).toBe('The file is larger than the 20 MB limit.');
  });

  it('removes the temp file when the source fails mid-upload', async () => {
    async function* failing() {
      yield Buffer.from('%PDF-1.4\n');
      yield Buffer.alloc(10_000);
      throw new Error('client went away');
    }
    await expect(store.put(failing(), { maxBytes: MB })).rejects.toThrow('client went away');
    expect(filesUnder(root)).toEqual([]);
  });
});

describe('local blob store: keys, get and delete', () => {
  const traversal = [
    '../../etc/passwd',
    '/etc/passwd',
    '2025/06/../../../etc/passwd',
    '..\\..\\windows\\win.ini',
    'C:\\Windows\\win.ini',
    '2025/06/12345678-1234-4234-8234-123456789abc.pdf/../../x',
    '',
    'objects/2025/06/12345678-1234-4234-8234-123456789abc.pdf',
  ];

  it.each(traversal)('get and delete refuse the key %j', async (key) => {
    await writeFile(path.join(root, 'secret.txt'), 'secret');
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    expect(filesUnder(root)).toEqual(['secret.txt']);
  });

  it('get of a missing blob throws BlobNotFoundError; delete is idempotent', async () => {
    const blob = await store.put(chunked(pngBytes()), { maxBytes: MB });
    await store.delete(blob.key);
    await store.delete(blob.key);
    await expect(store.get(blob.key)).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(filesUnder(root)).toEqual([]);
  });

  it('createBlobStore uses <dataDir>/blobs when no S3 bucket is configured', async () => {
    const s = createBlobStore({ dataDir: root, s3: undefined });
    expect(s.kind).toBe('local');
    const blob = await s.put(chunked(pdfBytes()), { maxBytes: MB });
    expect((await stat(path.join(root, 'blobs', 'objects', blob.key))).isFile()).toBe(true);
  });
});

describe('local blob store: sweep', () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

  it('removes leftover temp files and old unreferenced blobs, keeps referenced and recent ones', async () => {
    const referenced = await store.put(chunked(pdfBytes()), { maxBytes: MB });
    const orphan = await store.put(chunked(pngBytes()), { maxBytes: MB });
    const recent = await store.put(chunked(jpegBytes()), { maxBytes: MB });
    for (const b of [referenced, orphan]) await utimes(path.join(root, 'objects', b.key), hoursAgo(2), hoursAgo(2));

    const oldTemp = path.join(root, 'tmp', '11111111-1111-4111-8111-111111111111.part');
    const liveTemp = path.join(root, 'tmp', '22222222-2222-4222-8222-222222222222.part');
    await writeFile(oldTemp, '%PDF-partial');
    await writeFile(liveTemp, '%PDF-in-flight');
    await utimes(oldTemp, hoursAgo(3), hoursAgo(3));
    // Files this store did not write are never touched.
    await mkdir(path.join(root, 'objects', '2025', '06'), { recursive: true });
    await writeFile(path.join(root, 'objects', '2025', '06', 'README.txt'), 'operator note');
    await utimes(path.join(root, 'objects', '2025', '06', 'README.txt'), hoursAgo(5), hoursAgo(5));

    const asked: string[][] = [];
    const result = await store.sweep(
      async (keys) => {
        asked.push(keys);
        return new Set(keys.filter((k) => k === referenced.key));
      },
      { olderThanMs: 3_600_000 },
    );

    expect(result).toEqual({ tempRemoved: 1, orphansRemoved: 1 });
    expect(asked.flat().sort()).toEqual([referenced.key, orphan.key].sort());
    expect(filesUnder(root)).toEqual(
      [
        path.join('objects', referenced.key),
        path.join('objects', recent.key),
        path.join('objects', '2025', '06', 'README.txt'),
        path.join('tmp', path.basename(liveTemp)),
      ].sort(),
    );
  });

  it('with olderThanMs 0 removes every unreferenced blob and temp file', async () => {
    await store.put(chunked(pdfBytes()), { maxBytes: MB });
    await writeFile(path.join(root, 'tmp', '33333333-3333-4333-8333-333333333333.part'), 'x');
    const result = await store.sweep(async () => new Set(), { olderThanMs: 0, now: new Date(Date.now() + 1000) });
    expect(result).toEqual({ tempRemoved: 1, orphansRemoved: 1 });
    expect(filesUnder(root)).toEqual([]);
  });

  it('asks isReferenced in batches of at most 1000 keys', async () => {
    const blob = await store.put(chunked(pdfBytes()), { maxBytes: MB });
    const file = path.join(root, 'objects', blob.key);
    const content = await readFile(file);
    const dir = path.dirname(file);
    for (let i = 0; i < 1500; i++) {
      await writeFile(path.join(dir, `${randomUUID()}.pdf`), content);
    }
    const sizes: number[] = [];
    const result = await store.sweep(
      async (keys) => {
        sizes.push(keys.length);
        return new Set(keys);
      },
      { olderThanMs: 0, now: new Date(Date.now() + 1000) },
    );
    expect(result.orphansRemoved).toBe(0);
    expect(sizes).toEqual([1000, 501]);
  });

  it('is a no-op on an empty or missing root', async () => {
    await expect(createLocalBlobStore(path.join(root, 'nope')).sweep(async () => new Set())).resolves.toEqual({ tempRemoved: 0, orphansRemoved: 0 });
  });
});
