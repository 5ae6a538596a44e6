// Build step (scripts/ensure-build.mjs): makes the embedded database's pristine data directory once, so a fresh
// start copies it instead of running initdb and the migrations (see pgliteTemplateDir in client.ts).
import { performance } from 'node:perf_hooks';
import { buildPgliteTemplate, pgliteTemplateDir } from './client.js';

const t0 = performance.now();
const outcome = await buildPgliteTemplate();
if (outcome === 'built') console.error(`Embedded database template ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${pgliteTemplateDir()}).`);
