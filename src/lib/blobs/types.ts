import { AppError, type ProblemSlug } from '../errors.js';

/** The evidence file types accepted, by content (never by name). */
export const ALLOWED_TYPES = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  jpg: 'image/jpeg',
  png: 'image/png',
} as const;

export type AllowedExt = keyof typeof ALLOWED_TYPES;
export type AllowedMime = (typeof ALLOWED_TYPES)[AllowedExt];

/** Default per-file upload cap (20 MB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export interface StoredBlob {
  /** Store-relative key, generated ("2025/06/<uuid>.pdf"); never derived from user input. */
  key: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  mime: AllowedMime;
  ext: AllowedExt;
}

export interface SweepOptions {
  /** Only blobs and temp files last modified at least this long ago are removed. Default 1 hour. */
  olderThanMs?: number;
  now?: Date;
}

export interface SweepResult {
  tempRemoved: number;
  orphansRemoved: number;
}

export type BlobSource = NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

export interface BlobStore {
  /** Which backend this is ("local" or "s3"), for logs and health output. */
  readonly kind: 'local' | 's3';
  /**
   * Streams `source` to durable storage under a generated key; enforces maxBytes and the content
   * allowlist while streaming; on any error nothing remains stored.
   * Throws UploadRejectedError (413/415/400) for refused content; other errors are I/O failures.
   */
  put(source: BlobSource, opts: { maxBytes: number }): Promise<StoredBlob>;
  /** The content of a stored blob. Throws BlobNotFoundError, or InvalidBlobKeyError for a malformed key. */
  get(key: string): Promise<NodeJS.ReadableStream>;
  /** Removes a blob; removing a missing blob is not an error. Throws InvalidBlobKeyError for a malformed key. */
  delete(key: string): Promise<void>;
  /**
   * Deletes leftovers: temp files, and stored blobs not in `isReferenced` older than `olderThanMs`
   * (so in-flight uploads of another instance are not touched). `isReferenced` is called with
   * batches of at most 1000 keys and returns the subset that is referenced. Returns counts.
   */
  sweep(
    isReferenced: (keys: string[]) => Promise<Set<string>>,
    opts?: SweepOptions,
  ): Promise<SweepResult>;
  /** Releases connections (S3); the store must not be used afterwards. */
  close(): Promise<void>;
}

export type UploadRejectionReason = 'too-large' | 'unsupported-type' | 'empty' | 'invalid-content';

function formatLimit(maxBytes: number): string {
  const mb = maxBytes / (1024 * 1024);
  const rounded = Math.round(mb * 100) / 100;
  return rounded > 0 ? `${rounded} MB` : `${maxBytes} bytes`;
}

/**
 * An upload refused for its content: too large (413), a type outside the allowlist (415), empty (400), or a
 * damaged or hostile container of an allowed type (422: zip bomb, broken PDF structure).
 */
export class UploadRejectedError extends AppError {
  readonly reason: UploadRejectionReason;
  /** The detected MIME type of refused content, when file-type recognised it. */
  readonly detectedMime: string | undefined;

  private constructor(
    status: number,
    slug: ProblemSlug,
    title: string,
    detail: string,
    reason: UploadRejectionReason,
    detectedMime?: string,
  ) {
    super(status, slug, title, detail, { field: 'file' });
    this.reason = reason;
    this.detectedMime = detectedMime;
  }

  static tooLarge(maxBytes: number): UploadRejectedError {
    return new UploadRejectedError(
      413,
      'file-too-large',
      'File too large',
      `The file is larger than the ${formatLimit(maxBytes)} limit.`,
      'too-large',
    );
  }

  static unsupportedType(detectedMime: string | undefined): UploadRejectedError {
    return new UploadRejectedError(
      415,
      'unsupported-file-type',
      'Unsupported file type',
      `Only PDF, DOCX, XLSX, JPG and PNG files are accepted; this file's content is ${detectedMime ?? 'unknown'}.`,
      'unsupported-type',
      detectedMime,
    );
  }

  static invalidContent(detail: string): UploadRejectedError {
    return new UploadRejectedError(422, 'invalid-file-content', 'Invalid file content', detail, 'invalid-content');
  }

  static empty(): UploadRejectedError {
    return new UploadRejectedError(400, 'empty-file', 'Empty file', 'The file is empty.', 'empty');
  }
}

export class BlobNotFoundError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`Blob '${key}' was not found.`);
    this.name = 'BlobNotFoundError';
    this.key = key;
  }
}

/** A key that this store could never have generated (path traversal, absolute path, wrong shape). */
export class InvalidBlobKeyError extends Error {
  constructor(key: string) {
    super(`Invalid blob key '${key.slice(0, 200)}'.`);
    this.name = 'InvalidBlobKeyError';
  }
}
