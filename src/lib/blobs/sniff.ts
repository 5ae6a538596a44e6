import { fileTypeFromBuffer, fileTypeFromFile, type FileTypeResult } from 'file-type';
import { ALLOWED_TYPES, UploadRejectedError, type AllowedExt, type AllowedMime } from './types.js';

// Content detection. Two stages:
//  1. While streaming, the first bytes must carry the magic number of an allowed family
//     (%PDF, JPEG SOI, PNG signature, or a ZIP local header for DOCX/XLSX). Anything else —
//     HTML, scripts, executables, GIF, old binary Office — is refused after the first chunk,
//     before the rest is read.
//  2. On the complete temp file, file-type decides. DOCX/XLSX are ZIPs: file-type walks the local
//     file headers to [Content_Types].xml and reads its "...main+xml" content type, which may sit
//     anywhere in the archive (some writers put it last, after megabytes of media), so a fixed
//     ~4100-byte prefix is not enough; fileTypeFromFile seeks through the whole file.

/** Bytes needed for the stage-1 signature check. */
export const SIGNATURE_BYTES = 8;

const SIGNATURES: readonly (readonly number[])[] = [
  [0x25, 0x50, 0x44, 0x46], // %PDF
  [0xff, 0xd8, 0xff], // JPEG
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], // PNG
  [0x50, 0x4b, 0x03, 0x04], // ZIP local file header (DOCX, XLSX)
];

/** Stage 1: does `head` (the first bytes, or the whole file if shorter) start like an allowed type? */
export function hasAllowedSignature(head: Uint8Array): boolean {
  return SIGNATURES.some((sig) => head.length >= sig.length && sig.every((b, i) => head[i] === b));
}

function toAllowed(result: FileTypeResult | undefined): { ext: AllowedExt; mime: AllowedMime } | undefined {
  if (!result) return undefined;
  // An animated PNG is still a PNG every decoder can show.
  if (result.mime === 'image/apng') return { ext: 'png', mime: ALLOWED_TYPES.png };
  for (const [ext, mime] of Object.entries(ALLOWED_TYPES) as [AllowedExt, AllowedMime][]) {
    if (result.mime === mime) return { ext, mime };
  }
  return undefined;
}

const isFsError = (e: unknown) => typeof (e as { code?: unknown })?.code === 'string' && /^E[A-Z]+$/.test((e as { code: string }).code);

/** Best-effort name of what a refused prefix is, for the error message. */
export async function describeBytes(head: Uint8Array): Promise<string | undefined> {
  try {
    return (await fileTypeFromBuffer(head))?.mime;
  } catch {
    return undefined;
  }
}

/** Stage 2: the allowed type of a complete file, or UploadRejectedError (415). */
export async function detectAllowedFileType(filePath: string): Promise<{ ext: AllowedExt; mime: AllowedMime }> {
  let result: FileTypeResult | undefined;
  try {
    result = await fileTypeFromFile(filePath);
  } catch (e) {
    if (isFsError(e)) throw e;
    // Malformed content that trips the parser is simply not an accepted file.
    throw UploadRejectedError.unsupportedType(undefined);
  }
  const allowed = toAllowed(result);
  if (!allowed) throw UploadRejectedError.unsupportedType(result?.mime);
  return allowed;
}
