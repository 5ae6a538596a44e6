import { randomUUID } from 'node:crypto';
import { InvalidBlobKeyError, type AllowedExt } from './types.js';

// Keys are generated here only: "<yyyy>/<mm>/<uuid v4>.<ext>" (UTC month of the upload).
// Nothing of the user's file name goes into a key, so a key can never address anything else.
const KEY_PATTERN = /^\d{4}\/(0[1-9]|1[0-2])\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.(pdf|docx|xlsx|jpg|png)$/;

export function generateKey(ext: AllowedExt, now: Date = new Date()): string {
  const yyyy = String(now.getUTCFullYear()).padStart(4, '0');
  const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `${yyyy}/${mm}/${randomUUID()}.${ext}`;
}

export function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

/**
 * Defence in depth for get/delete: keys come from our own rows, but a key with "..", a
 * backslash, an absolute path or any other shape this module never generates is refused.
 */
export function assertValidKey(key: unknown): asserts key is string {
  if (!isValidKey(key)) throw new InvalidBlobKeyError(String(key));
}
