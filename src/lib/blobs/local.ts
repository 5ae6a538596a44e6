import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { assertValidKey, generateKey, isValidKey } from './keys.js';
import {
  fsyncDir,
  removeQuietly,
  stageUpload,
  sweepCutoff,
  sweepTempDir,
  unreferenced,
} from './staging.js';
import { BlobNotFoundError, InvalidBlobKeyError, type BlobStore, type StoredBlob } from './types.js';

// A blob store in a local directory:
//   <root>/tmp/<uuid>.part                  uploads in progress (or left by a crash)
//   <root>/objects/<yyyy>/<mm>/<uuid>.<ext>  stored blobs; the key is the path under objects/
// A write is: stream to the temp file (hash, count, check type) → fsync it → rename into place →
// fsync the directory. Only then does the caller commit the row that references the key. A kill at
// any point leaves either a temp file or an unreferenced blob, both removed by sweep().

export interface LocalBlobStoreOptions {
  /** Source of the upload date used in keys (tests). */
  clock?: () => Date;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
}

export function createLocalBlobStore(rootDir: string, opts: LocalBlobStoreOptions = {}): BlobStore {
  const root = path.resolve(rootDir);
  const tmpDir = path.join(root, 'tmp');
  const objectsDir = path.join(root, 'objects');
  const clock = opts.clock ?? (() => new Date());

  /** The file of a key, after checking the key could have been generated here. */
  function fileOf(key: string): string {
    assertValidKey(key);
    const file = path.resolve(objectsDir, key);
    // Redundant with the key pattern; kept so a future pattern change cannot open a traversal.
    if (!file.startsWith(objectsDir + path.sep)) throw new InvalidBlobKeyError(key);
    return file;
  }

  return {
    kind: 'local',

    async put(source, { maxBytes }): Promise<StoredBlob> {
      const staged = await stageUpload(source, { tmpDir, maxBytes, durable: true });
      const key = generateKey(staged.ext, clock());
      const file = path.join(objectsDir, key);
      const dir = path.dirname(file);
      let renamed = false;
      try {
        const firstCreated = await mkdir(dir, { recursive: true });
        await rename(staged.tmpPath, file);
        renamed = true;
        // Make the rename durable, and the entries of any directory mkdir just created.
        const stop = firstCreated ? path.dirname(firstCreated) : dir;
        for (let d = dir; ; d = path.dirname(d)) {
          await fsyncDir(d);
          if (d === stop || d === path.dirname(d)) break;
        }
      } catch (e) {
        await removeQuietly(staged.tmpPath);
        if (renamed) await removeQuietly(file);
        throw e;
      }
      return { key, size: staged.size, sha256: staged.sha256, mime: staged.mime, ext: staged.ext };
    },

    async get(key) {
      const file = fileOf(key);
      try {
        const handle = await open(file, 'r');
        return handle.createReadStream();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
        throw e;
      }
    },

    async delete(key) {
      // No directory fsync: a delete lost to a power cut only resurrects an unreferenced blob, which sweep removes.
      await removeQuietly(fileOf(key));
    },

    async sweep(isReferenced, sweepOpts) {
      const cutoff = sweepCutoff(sweepOpts);
      const tempRemoved = await sweepTempDir(tmpDir, cutoff);

      const candidates: string[] = [];
      for (const yyyy of await listDir(objectsDir)) {
        if (!/^\d{4}$/.test(yyyy)) continue;
        for (const mm of await listDir(path.join(objectsDir, yyyy))) {
          if (!/^\d{2}$/.test(mm)) continue;
          for (const name of await listDir(path.join(objectsDir, yyyy, mm))) {
            const key = `${yyyy}/${mm}/${name}`;
            if (!isValidKey(key)) continue; // never touch what this store did not write
            try {
              const st = await stat(path.join(objectsDir, key));
              if (st.isFile() && st.mtimeMs <= cutoff) candidates.push(key);
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
            }
          }
        }
      }

      let orphansRemoved = 0;
      for (const key of await unreferenced(candidates, isReferenced)) {
        try {
          await unlink(path.join(objectsDir, key));
          orphansRemoved++;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }
      return { tempRemoved, orphansRemoved };
    },

    async close() {},
  };
}
