// One evidence file per multipart request, for the API and the web form alike. The parser is asked for up to two
// files so that a second one is seen (with its name) rather than cut off by the parser's file limit: the caller
// stores the first, then calls `rejectExtraFiles` before committing, which reads the rest of the request and
// refuses (400, naming the extra file) when there is another file — so a request never has one file stored and
// another silently dropped.
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from './errors.js';

export interface SingleFileUpload {
  /** Text fields that came before the file (the web form's _csrf comes first). */
  fields: Map<string, string>;
  /** The first file part, unread; undefined when the request has none. */
  file: MultipartFile | undefined;
  /** Reads the remaining parts; throws ValidationError (400) naming the first further file. */
  rejectExtraFiles(): Promise<void>;
}

export async function readSingleFile(req: FastifyRequest): Promise<SingleFileUpload> {
  // files: 2 so the second file is reported by name; fields/parts stay small (a form has a handful).
  const iterator = req.parts({ limits: { files: 2, fields: 8, parts: 10 } })[Symbol.asyncIterator]();
  const fields = new Map<string, string>();
  let file: MultipartFile | undefined;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const part = next.value;
    if (part.type === 'file') {
      file = part;
      break;
    }
    if (typeof part.value === 'string' && !fields.has(part.fieldname)) fields.set(part.fieldname, part.value);
  }
  return {
    fields,
    file,
    async rejectExtraFiles() {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const part = next.value;
        if (part.type !== 'file') continue;
        part.file.resume();
        const name = part.filename ? `"${part.filename.slice(0, 200)}"` : `in field "${part.fieldname}"`;
        throw new ValidationError(
          [{ field: 'body.file', message: `only one file per request: the file ${name} was not stored (nor the first); send each file in its own request`, code: 'too_many_files' }],
          `Only one file per request; the file ${name} was not stored and neither was the first.`,
          400,
        );
      }
    },
  };
}
