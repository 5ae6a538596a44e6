// Operations files stay complete (issue 15 item 4): .env.example documents, and docker-compose.yml passes, every
// variable the service reads — the list is taken from src/config.ts itself, so a new variable without an entry fails
// here — and compose refuses to start without real passwords.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

/** The keys of envSchema in src/config.ts (the only reader of process.env). */
function configVariables(): string[] {
  const src = read('src/config.ts');
  const body = src.slice(src.indexOf('const envSchema = z.object({'), src.indexOf('});', src.indexOf('const envSchema = z.object({')));
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
}

describe('.env.example and docker-compose.yml', () => {
  const vars = configVariables();

  it('the config schema is found (guards the parser above)', () => {
    expect(vars).toContain('DATABASE_URL');
    expect(vars).toContain('PUBLIC_BASE_URL');
    expect(vars.length).toBeGreaterThan(30);
  });

  it('.env.example has every variable, each under a comment saying what it means', () => {
    const lines = read('.env.example').split('\n');
    for (const v of vars) {
      const at = lines.findIndex((l) => l.startsWith(`${v}=`));
      expect(at, v).toBeGreaterThan(0);
      expect(lines[at - 1]!.startsWith('#') || lines[at - 2]!.startsWith('#'), `${v} has no comment`).toBe(true);
    }
  });

  it('.env.example values are valid configuration as written', () => {
    const env = Object.fromEntries(
      read('.env.example')
        .split('\n')
        .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('compose passes every variable to the app, and requires the passwords', () => {
    const compose = parse(read('docker-compose.yml')) as { services: Record<string, { environment?: Record<string, unknown> }> };
    const env = compose.services.app!.environment!;
    for (const v of vars) expect(Object.keys(env), v).toContain(v);
    expect(String(env.DATABASE_URL)).toMatch(/\$\{POSTGRES_PASSWORD:\?/);
    expect(String(env.ADMIN_PASSWORD)).toMatch(/^\$\{ADMIN_PASSWORD:\?/);
    expect(String(compose.services.db!.environment!.POSTGRES_PASSWORD)).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(read('docker-compose.yml')).not.toContain('par-change-me');
  });
});
