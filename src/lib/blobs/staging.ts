import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { inspectContainer } from './container.js';
import { describeBytes, detectAllowedFileType, hasAllowedSignature, SIGNATURE_BYTES } from './sniff.js';
import { UploadRejectedError, type AllowedExt, type AllowedMime, type BlobSource } from './types.js';

// Streaming an upload to a local temp file while counting, hashing and checking its first bytes.
// Shared by the local store (which then renames the temp file into place) and the S3 store
// (which uploads it): nothing reaches storage before size, type and hash are known.

export const TEMP_SUFFIX = '.part';
const TEMP_PATTERN = /^[0-9a-f-]{36}\.part$/;

/** How much of the start of a refused stream is kept to name its type in the error. */
const DESCRIBE_BYTES = 4100;

export interface StagedFile {
  tmpPath: string;
  size: number;
  sha256: string;
  mime: AllowedMime;
  ext: AllowedExt;
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new TypeError('Upload source yielded a chunk that is not bytes.');
}

async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await handle.write(buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
}

export async function removeQuietly(filePath: string): Promise<void> {
  try {
    await unlink(filePath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** fsync a directory so a rename or unlink in it survives a power cut (no-op where unsupported). */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Windows cannot open or fsync directories; nothing more can be done there.
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw e;
  } finally {
    await handle?.close();
  }
}

/** Uploads being staged now (any store in this process): shutdown waits for them to clean up (settleStagings). */
const activeStagings = new Set<Promise<unknown>>();

/**
 * Resolves once every upload being staged has finished or failed (and so removed its temp file), or after
 * `timeoutMs`. Called on shutdown after the sockets of unfinished uploads are destroyed.
 */
export async function settleStagings(timeoutMs: number): Promise<void> {
  if (activeStagings.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...activeStagings]),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Streams `source` into `<tmpDir>/<uuid>.part`. Refuses (UploadRejectedError) as soon as the size
 * passes `maxBytes` or the first bytes are not an allowed type, without reading the rest; then
 * identifies the complete file by content and checks its container (zip bombs, PDF structure, HTML polyglots). On any error the temp file is removed. With
 * `durable`, the file is fsynced before it is returned.
 */
export function stageUpload(source: BlobSource, opts: { tmpDir: string; maxBytes: number; durable: boolean }): Promise<StagedFile> {
  const p = stageUploadNow(source, opts);
  activeStagings.add(p);
  const forget = () => activeStagings.delete(p);
  p.then(forget, forget);
  return p;
}

async function stageUploadNow(source: BlobSource, opts: { tmpDir: string; maxBytes: number; durable: boolean }): Promise<StagedFile> {
  if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes <= 0) throw new RangeError('maxBytes must be a positive integer');
  await mkdir(opts.tmpDir, { recursive: true });
  const tmpPath = path.join(opts.tmpDir, `${randomUUID()}${TEMP_SUFFIX}`);
  const hash = createHash('sha256');
  let size = 0;
  let head: Buffer = Buffer.alloc(0);
  let signatureChecked = false;
  const checkSignature = async () => {
    signatureChecked = true;
    if (!hasAllowedSignature(head)) throw UploadRejectedError.unsupportedType(await describeBytes(head));
  };

  let handle: FileHandle | undefined = await open(tmpPath, 'wx', 0o600);
  try {
    for await (const chunk of source as AsyncIterable<unknown>) {
      const buf = toBuffer(chunk);
      if (buf.length === 0) continue;
      size += buf.length;
      // Refuse while streaming: the rest of an oversized upload is never read.
      if (size > opts.maxBytes) throw UploadRejectedError.tooLarge(opts.maxBytes);
      if (!signatureChecked) {
        if (head.length < DESCRIBE_BYTES) head = Buffer.concat([head, buf.subarray(0, DESCRIBE_BYTES - head.length)]);
        if (head.length >= SIGNATURE_BYTES) await checkSignature();
      }
      hash.update(buf);
      await writeAll(handle, buf);
    }
    if (size === 0) throw UploadRejectedError.empty();
    if (!signatureChecked) await checkSignature();
    if (opts.durable) await handle.sync();
    await handle.close();
    handle = undefined;
    const type = await detectAllowedFileType(tmpPath);
    await inspectContainer(tmpPath, type.ext);
    return { tmpPath, size, sha256: hash.digest('hex'), ...type };
  } catch (e) {
    await handle?.close().catch(() => {});
    await removeQuietly(tmpPath);
    throw e;
  }
}

/** Removes `<uuid>.part` files in `tmpDir` last modified before `cutoffMs`; returns how many. */
export async function sweepTempDir(tmpDir: string, cutoffMs: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(tmpDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let removed = 0;
  for (const name of names) {
    if (!TEMP_PATTERN.test(name)) continue;
    const file = path.join(tmpDir, name);
    try {
      const st = await stat(file);
      if (!st.isFile() || st.mtimeMs > cutoffMs) continue;
      await unlink(file);
      removed++;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  if (removed > 0) await fsyncDir(tmpDir);
  return removed;
}

export const DEFAULT_SWEEP_AGE_MS = 60 * 60 * 1000;

/** The mtime cutoff for a sweep: things modified at or before it are leftovers. */
export function sweepCutoff(opts: { olderThanMs?: number; now?: Date } | undefined): number {
  const now = (opts?.now ?? new Date()).getTime();
  return now - (opts?.olderThanMs ?? DEFAULT_SWEEP_AGE_MS);
}

/** Calls `isReferenced` in batches of at most `batchSize` keys; returns the keys that are not referenced. */
export async function unreferenced(
  keys: string[],
  isReferenced: (keys: string[]) => Promise<Set<string>>,
  batchSize = 1000,
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < keys.length; i += batchSize) {
    const batch = keys.slice(i, i + batchSize);
    const referenced = await isReferenced(batch);
    for (const k of batch) if (!referenced.has(k)) out.push(k);
  }
  return out;
}
