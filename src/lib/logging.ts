// One definition of what the logs may contain, shared by the process logger (server.ts) and the app's own
// default logger (app.ts): secrets and personal data are censored by path, errors are logged through
// safeError (SQL text and error code, never bound parameters).
import type { LoggerOptions } from 'pino';
import { safeError } from './db-errors.js';

/** Log fields that must never be written: credentials, session material, respondents' personal data. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  'passwordHash',
  'token',
  'tokenHash',
  'params',
  'cookie',
  'csrf',
  '_csrf',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.passwordHash',
  '*.password_hash',
  '*.token',
  '*.tokenHash',
  '*.token_hash',
  '*.params',
  '*.cookie',
  '*.csrf',
  '*._csrf',
  // Survey respondents' optional demographics (survey_respondents).
  '*.sex',
  '*.ageBand',
  '*.occupation',
  '*.respondent',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: safeError, error: safeError },
    hooks: {
      // `log.error(err)` without a message makes pino use err.message as `msg`, and drizzle's message lists the
      // bound parameters; give such calls the sanitised message instead.
      logMethod(args, method) {
        const [first, second] = args as unknown[];
        if (first instanceof Error && typeof second !== 'string') {
          const safe = safeError(first) as { message: string };
          return method.apply(this, [{ err: first }, safe.message, ...(args.slice(1) as [])]);
        }
        return method.apply(this, args);
      },
    },
  };
}
