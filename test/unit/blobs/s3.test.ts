import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BlobNotFoundError,
  createBlobStore,
  createS3BlobStore,
  InvalidBlobKeyError,
  UploadRejectedError,
  type BlobStore,
} from '../../../src/lib/blobs/index.js';
import { docxBytes, exeBytes, htmlBytes, jpegBytes, pdfBytes, pngBytes, xlsxBytes } from '../../fixtures/blobs/samples.js';
import { startFakeS3, type FakeS3 } from './fake-s3.js';
import { chunked, filesUnder, readAll, sha256, UUID } from './helpers.js';

const MB = 1024 * 1024;
const BUCKET = 'par-evidence';
let s3: FakeS3;
let tmpDir: string;
let store: BlobStore;

const settings = () => ({
  bucket: BUCKET,
  region: 'us-east-1',
  endpoint: s3.endpoint,
  forcePathStyle: true,
  accessKeyId: 'test',
  secretAccessKey: 'test-secret',
  prefix: 'evidence/',
});

beforeEach(async () => {
  s3 = await startFakeS3(BUCKET);
  tmpDir = await mkdtemp(path.join(os.tmpdir(), 'par-s3-staging-'));
  store = createS3BlobStore({ ...settings(), tmpDir, clock: () => new Date('2026-01-02T00:00:00Z'), retryDelayMs: 1 });
});

afterEach(async () => {
  await store.close();
  await s3.close();
  await rm(tmpDir, { recursive: true, force: true });
});

describe('S3 blob store', () => {
  it('puts each allowed type under the prefix with its checksum, then gets it back', async () => {
    for (const bytes of [pdfBytes(), pngBytes(), jpegBytes(), docxBytes(), await xlsxBytes()]) {
      const blob = await store.put(chunked(bytes, 1000), { maxBytes: 20 * MB });
      expect(blob.key).toMatch(new RegExp(`^2026/01/${UUID}\\.${blob.ext}$`));
      expect(blob).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
      const stored = s3.objects.get(`evidence/${blob.key}`);
      expect(stored?.body).toEqual(bytes);
      expect(stored?.contentType).toBe(blob.mime);
      expect(await readAll(await store.get(blob.key))).toEqual(bytes);
    }
    // The fake verified x-amz-checksum-sha256 on every PUT; no aws-chunked encoding was used.
    expect(s3.requests.filter((r) => r.method === 'PUT')).toHaveLength(5);
    expect(filesUnder(tmpDir)).toEqual([]);
  });

  it('a refused type or size never reaches the bucket and leaves no staging file', async () => {
    for (const bad of [htmlBytes(), exeBytes()]) {
      await expect(store.put(chunked(bad), { maxBytes: MB })).rejects.toMatchObject({ status: 415 });
    }
    await expect(store.put(chunked(Buffer.alloc(0)), { maxBytes: MB })).rejects.toMatchObject({ status: 400 });
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2 * MB)]);
    await expect(store.put(chunked(big), { maxBytes: MB })).rejects.toBeInstanceOf(UploadRejectedError);
    expect(s3.requests).toEqual([]);
    expect(s3.objects.size).toBe(0);
    expect(filesUnder(tmpDir)).toEqual([]);
  });

  it('get of a missing key is BlobNotFoundError; delete is idempotent; bad keys are refused', async () => {
    const blob = await store.put(chunked(pdfBytes()), { maxBytes: MB });
    await store.delete(blob.key);
    await store.delete(blob.key);
    expect(s3.objects.size).toBe(0);
    await expect(store.get(blob.key)).rejects.toBeInstanceOf(BlobNotFoundError);
    const before = s3.requests.length;
    for (const key of ['../../etc/passwd', '/etc/passwd', '2026/01/../../other-prefix/x.pdf']) {
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    }
    expect(s3.requests.length).toBe(before);
  });

  it('a refused PutObject (4xx) is not retried and leaves no staging file and nothing stored', async () => {
    s3.failPuts = { status: 403, code: 'AccessDenied', times: 5 };
    await expect(store.put(chunked(pdfBytes()), { maxBytes: MB })).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(s3.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(s3.objects.size).toBe(0);
    expect(filesUnder(tmpDir)).toEqual([]);
  });

  it('retries a PutObject that failed transiently (5xx), re-sending the whole body', async () => {
    s3.failPuts = { status: 503, code: 'SlowDown', times: 2 };
    const bytes = pdfBytes();
    const blob = await store.put(chunked(bytes), { maxBytes: MB });
    expect(s3.requests.filter((r) => r.method === 'PUT')).toHaveLength(3);
    expect(s3.objects.get(`evidence/${blob.key}`)?.body).toEqual(bytes);
    expect(filesUnder(tmpDir)).toEqual([]);
  });

  it('gives up after three transient failures', async () => {
    s3.failPuts = { status: 500, code: 'InternalError', times: 3 };
    await expect(store.put(chunked(pdfBytes()), { maxBytes: MB })).rejects.toMatchObject({ name: 'InternalError' });
    expect(s3.requests.filter((r) => r.method === 'PUT')).toHaveLength(3);
    expect(s3.objects.size).toBe(0);
    expect(filesUnder(tmpDir)).toEqual([]);
  });

  it('sweep pages through the prefix: removes old unreferenced objects and temp files, keeps the rest', async () => {
    const kept = await store.put(chunked(pdfBytes()), { maxBytes: MB });
    const orphans = [];
    for (let i = 0; i < 4; i++) orphans.push(await store.put(chunked(pngBytes()), { maxBytes: MB }));
    const foreign = { body: Buffer.from('x'), contentType: undefined, lastModified: new Date(0) };
    s3.objects.set('other/2026/01/00000000-0000-4000-8000-000000000000.pdf', foreign); // outside the prefix
    s3.objects.set('evidence/manual-upload.pdf', foreign); // not a key this store writes
    const oldTemp = path.join(tmpDir, '44444444-4444-4444-8444-444444444444.part');
    await writeFile(oldTemp, 'x');
    await utimes(oldTemp, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));

    // Recent objects are in-flight uploads of some instance: untouched at the default age.
    expect(await store.sweep(async () => new Set())).toEqual({ tempRemoved: 1, orphansRemoved: 0 });

    const result = await store.sweep(async (keys) => new Set(keys.filter((k) => k === kept.key)), {
      olderThanMs: 3_600_000,
      now: new Date(Date.now() + 2 * 3_600_000),
    });
    expect(result).toEqual({ tempRemoved: 0, orphansRemoved: 4 });
    expect([...s3.objects.keys()].sort()).toEqual(
      [`evidence/${kept.key}`, 'evidence/manual-upload.pdf', 'other/2026/01/00000000-0000-4000-8000-000000000000.pdf'].sort(),
    );
    // Pages of 2: the listing used continuation tokens.
    expect(s3.requests.some((r) => r.url.includes('continuation-token='))).toBe(true);
  });

  it('createBlobStore picks S3 when a bucket is configured and stages under <dataDir>/blobs/tmp', async () => {
    const s = createBlobStore({ dataDir: tmpDir, s3: settings() });
    try {
      expect(s.kind).toBe('s3');
      const blob = await s.put(chunked(pdfBytes()), { maxBytes: MB });
      expect(s3.objects.has(`evidence/${blob.key}`)).toBe(true);
    } finally {
      await s.close();
    }
  });
});
