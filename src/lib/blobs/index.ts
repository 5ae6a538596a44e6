import path from 'node:path';
import { createLocalBlobStore } from './local.js';
import { createS3BlobStore, type S3BlobStoreOptions } from './s3.js';
import type { BlobStore } from './types.js';

export interface BlobStoreConfig {
  /** The service's DATA_DIR; local blobs live in <dataDir>/blobs, S3 uploads are staged in <dataDir>/blobs/tmp. */
  dataDir: string;
  /** S3-compatible store settings; when absent (or without a bucket) the local directory store is used. */
  s3?: (Omit<S3BlobStoreOptions, 'tmpDir'> & { tmpDir?: string }) | undefined;
}

export function blobRootDir(dataDir: string): string {
  return path.join(dataDir, 'blobs');
}

/** The configured blob store: S3 when S3 settings are given, otherwise a directory under DATA_DIR. */
export function createBlobStore(config: BlobStoreConfig): BlobStore {
  const root = blobRootDir(config.dataDir);
  if (config.s3?.bucket) {
    return createS3BlobStore({ ...config.s3, tmpDir: config.s3.tmpDir ?? path.join(root, 'tmp') });
  }
  return createLocalBlobStore(root);
}

export { createLocalBlobStore, type LocalBlobStoreOptions } from './local.js';
export { createS3BlobStore, type S3BlobStoreOptions } from './s3.js';
export { contentDisposition, sanitizeFilename, withExtension, DEFAULT_FILENAME, MAX_FILENAME_LENGTH } from './filename.js';
export { isValidKey } from './keys.js';
export { detectAllowedFileType } from './sniff.js';
export {
  ALLOWED_TYPES,
  BlobNotFoundError,
  DEFAULT_MAX_UPLOAD_BYTES,
  InvalidBlobKeyError,
  UploadRejectedError,
  type AllowedExt,
  type AllowedMime,
  type BlobSource,
  type BlobStore,
  type StoredBlob,
  type SweepOptions,
  type SweepResult,
  type UploadRejectionReason,
} from './types.js';
