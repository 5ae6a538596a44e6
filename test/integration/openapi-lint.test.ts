// The committed OpenAPI document passes Redocly's recommended rules and Spectral's `spectral:oas` ruleset with no
// errors (issue 20 item 5), with the repository's .redocly.yaml and .spectral.yaml. `npm run openapi:check` keeps
// the committed file equal to what the code generates, so this lints what the service serves.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = (name: string) => path.resolve('node_modules/.bin', name);
const DOCUMENT = 'openapi/openapi.json';
// No update check or telemetry from a test run. The child gets the test's environment plus these; nothing is read
// from it as configuration.
// eslint-disable-next-line no-restricted-properties
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

/** Runs a linter that exits non-zero on errors; its JSON report is on stdout either way. */
async function report(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(bin(cmd), args, { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    if (!stdout) throw new Error(`${cmd} failed without a report: ${stderr ?? String(err)}`);
    return stdout;
  }
}

describe('OpenAPI document lint', () => {
  it('Redocly (recommended): no errors', { timeout: 240_000 }, async () => {
    const out = JSON.parse(await report('redocly', ['lint', DOCUMENT, '--format=json', '--config=.redocly.yaml'])) as {
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    const errors = out.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    expect(errors).toEqual([]);
  });

  it('Spectral (spectral:oas): no errors', { timeout: 240_000 }, async () => {
    const out = JSON.parse(await report('spectral', ['lint', DOCUMENT, '--format=json', '--quiet', '--ruleset=.spectral.yaml'])) as {
      code: string;
      severity: number;
      message: string;
      path: string[];
    }[];
    // Severity 0 is error (1 warning, 2 info, 3 hint).
    const errors = out.filter((p) => p.severity === 0).map((p) => `${p.code} ${p.path.join('.')}: ${p.message}`);
    expect(errors).toEqual([]);
  });
});
