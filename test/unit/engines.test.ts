// "Engines honest" (issue 15 item 5): every installed package must run on the oldest Node the project declares, and
// the Docker image must be that Node line, so `npm install` on a supported Node prints no EBADENGINE warning.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// semver is what npm itself uses to judge `engines` (a devDependency here, so the check does not lean on the toolchain's copy).
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe('declared Node range', () => {
  const oldest = semver.minVersion(pkg.engines.node)?.version ?? '';

  it('is Node 20 from 20.19 on', () => {
    expect(oldest).toBe('20.19.0');
  });

  it('every locked package accepts the oldest declared Node', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([name, p]) => name !== '' && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(oldest, (p.engines as { node: string }).node))
      .map(([name, p]) => `${name}@${p.version ?? '?'} wants node ${(p.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });

  it('the Docker image runs that same Node line', () => {
    const froms = readFileSync(new URL('Dockerfile', root), 'utf8').match(/^FROM node:(\d+)/gm) ?? [];
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(f).toBe('FROM node:20');
  });
});
