import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { assertValidKey, generateKey, isValidKey } from './keys.js';
import { removeQuietly, stageUpload, sweepCutoff, sweepTempDir, unreferenced } from './staging.js';
import { BlobNotFoundError, type BlobStore, type StoredBlob } from './types.js';

// A blob store in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, …).
// An upload is staged to a local temp file first, so size, type and SHA-256 are known before
// anything reaches the bucket; then one PutObject with ContentLength and ChecksumSHA256 (the server
// verifies the bytes), then the temp file is removed. PutObject is atomic, so a kill leaves at most
// a temp file or an unreferenced object, both removed by sweep().

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** For S3-compatible services, e.g. "https://minio.internal:9000". */
  endpoint?: string;
  /** Path-style URLs (bucket in the path), usually needed by MinIO and other compatible stores. */
  forcePathStyle?: boolean;
  /** Static credentials; without them the SDK's default provider chain is used (env, profile, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Key prefix inside the bucket, e.g. "evidence/". */
  prefix?: string;
  /** Local directory for staging uploads. */
  tmpDir: string;
  /** Source of the upload date used in keys (tests). */
  clock?: () => Date;
  /** Base delay between PutObject attempts after a transient failure (default 200 ms, times the attempt number). */
  retryDelayMs?: number;
}

function normalisePrefix(prefix: string | undefined): string {
  const p = (prefix ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '') return '';
  if (p.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) {
    throw new RangeError(`Invalid S3 key prefix '${prefix}'`);
  }
  return `${p}/`;
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

const PUT_ATTEMPTS = 3;

/** Worth another attempt: network errors, throttling and server errors; not 4xx refusals. */
function isTransient(e: unknown): boolean {
  const err = e as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  if (err?.$retryable) return true;
  if (status === undefined) return true;
  return status === 429 || status >= 500;
}

// The SDK warns on console about failed streaming requests unless given a logger; we report errors ourselves.
const silentLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export function createS3BlobStore(opts: S3BlobStoreOptions): BlobStore {
  const prefix = normalisePrefix(opts.prefix);
  const { bucket, tmpDir } = opts;
  const clock = opts.clock ?? (() => new Date());
  const retryDelayMs = opts.retryDelayMs ?? 200;
  const config: S3ClientConfig = {
    region: opts.region,
    logger: silentLogger,
    // Only send/validate the newer flexible checksums when an operation requires them: many
    // S3-compatible stores do not support aws-chunked uploads. PutObject carries our own SHA-256.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (opts.endpoint) config.endpoint = opts.endpoint;
  if (opts.forcePathStyle !== undefined) config.forcePathStyle = opts.forcePathStyle;
  if (opts.accessKeyId && opts.secretAccessKey) {
    config.credentials = { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey };
  }
  const client = new S3Client(config);

  return {
    kind: 's3',

    async put(source, { maxBytes }): Promise<StoredBlob> {
      // Staging needs no fsync: the temp file only has to outlive this call, not a crash.
      const staged = await stageUpload(source, { tmpDir, maxBytes, durable: false });
      const key = generateKey(staged.ext, clock());
      try {
        // The SDK does not retry requests with a stream body; we can, by reopening the temp file.
        for (let attempt = 1; ; attempt++) {
          try {
            await client.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: prefix + key,
                Body: createReadStream(staged.tmpPath),
                ContentLength: staged.size,
                ContentType: staged.mime,
                ChecksumSHA256: Buffer.from(staged.sha256, 'hex').toString('base64'),
              }),
            );
            break;
          } catch (e) {
            if (attempt >= PUT_ATTEMPTS || !isTransient(e)) throw e;
            await sleep(retryDelayMs * attempt);
          }
        }
      } catch (e) {
        // The request may have reached the store before failing (e.g. a lost response): remove it.
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + key })).catch(() => {});
        throw e;
      } finally {
        await removeQuietly(staged.tmpPath);
      }
      return { key, size: staged.size, sha256: staged.sha256, mime: staged.mime, ext: staged.ext };
    },

    async get(key) {
      assertValidKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + key }));
        // In Node the SDK's body is the HTTP response stream (an IncomingMessage).
        if (out.Body instanceof Readable) return out.Body;
        throw new Error(`S3 GetObject for '${key}' returned no readable body`);
      } catch (e) {
        if (isNotFound(e)) throw new BlobNotFoundError(key);
        throw e;
      }
    },

    async delete(key) {
      assertValidKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + key }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },

    async sweep(isReferenced, sweepOpts) {
      const cutoff = sweepCutoff(sweepOpts);
      const tempRemoved = await sweepTempDir(tmpDir, cutoff);
      let orphansRemoved = 0;
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        const candidates: string[] = [];
        for (const obj of page.Contents ?? []) {
          if (!obj.Key?.startsWith(prefix)) continue;
          const key = obj.Key.slice(prefix.length);
          // Never touch what this store did not write (other prefixes' files, manual uploads).
          if (!isValidKey(key)) continue;
          if (obj.LastModified && obj.LastModified.getTime() <= cutoff) candidates.push(key);
        }
        for (const key of await unreferenced(candidates, isReferenced)) {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + key }));
          orphansRemoved++;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return { tempRemoved, orphansRemoved };
    },

    async close() {
      client.destroy();
    },
  };
}
