import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { isEmptyDatabase } from './db/client.js';
import { assessmentsRepo } from './modules/assessments/assessments.repo.js';
import { DEMO_PASSWORD, listDemoUsers, seedDemoData } from './demo/seed.js';

export interface BootstrapReport {
  adminCreated: boolean;
  /** Set only when the admin password was generated: it is shown once and never stored in clear. */
  generatedAdminPassword?: string;
  demoSeeded: boolean;
  demoUsers: { username: string; role: string; unit: string | null }[];
  sweep: { tempRemoved: number; orphansRemoved: number };
  /** Survey respondents whose optional demographics passed the retention period and were deleted. */
  respondentsPurged: number;
}

/**
 * Removes evidence files no row refers to: leftovers of an upload killed between storing the file and committing
 * its row. The embedded database has one process, so everything unreferenced goes; on a shared PostgreSQL another
 * instance may be mid-upload, so only files older than an hour are touched.
 */
export function sweepEvidence(app: FastifyInstance) {
  const olderThanMs = app.database.driver === 'pglite' ? 0 : 3_600_000;
  return app.blobStore.sweep((keys) => assessmentsRepo.blobKeysIn(app.database.db, keys), { olderThanMs, now: app.clock() });
}

/** Deletes survey respondents' demographics older than SURVEY_PERSONAL_DATA_RETENTION_DAYS (start-up and hourly). */
export function purgeSurveyPersonalData(app: FastifyInstance) {
  return app.services.surveys.purgePersonalData({ actor: null, requestId: 'retention', now: app.clock() });
}

/**
 * Start-up duties: an admin must exist; the embedded default gets a demo province when the database is new. The server
 * runs this under the database's start-up lock (one instance at a time). `housekeeping: false` leaves the evidence
 * sweep and the retention purge to the scheduled jobs (src/modules/jobs), which run them once across instances.
 */
export async function bootstrap(app: FastifyInstance, opts: { housekeeping?: boolean } = {}): Promise<BootstrapReport> {
  const housekeeping = opts.housekeeping ?? true;
  const { config, services } = { config: app.appConfig, services: app.services };
  const ctx = { actor: null, requestId: 'bootstrap', now: app.clock() };
  const sweep = housekeeping ? await sweepEvidence(app) : { tempRemoved: 0, orphansRemoved: 0 };
  const report: BootstrapReport = { adminCreated: false, demoSeeded: false, demoUsers: [], sweep, respondentsPurged: 0 };

  const fresh = await isEmptyDatabase(app.database.db);
  if (config.demoData && fresh) {
    report.demoUsers = await seedDemoData(app, ctx);
    report.demoSeeded = true;
  }
  if (!(await services.users.adminExists())) {
    const password = config.adminPassword ?? randomBytes(12).toString('base64url');
    // A generated password was printed on the console (and may sit in its logs): it is replaced at first login.
    // One the operator chose in ADMIN_PASSWORD is theirs already.
    await services.users.createAsSystem(ctx, { username: 'admin', password, displayName: 'Quản trị hệ thống', role: 'admin', orgUnitCode: null, mustChangePassword: !config.adminPassword });
    report.adminCreated = true;
    if (!config.adminPassword) report.generatedAdminPassword = password;
  }
  if (housekeeping) report.respondentsPurged = await purgeSurveyPersonalData(app);
  if (config.demoData && !report.demoSeeded) {
    report.demoUsers = await listDemoUsers(app);
  }
  return report;
}

export function describeLogins(report: BootstrapReport, baseUrl: string): string {
  const lines = [`PAR INDEX service (Chỉ số CCHC) is listening on ${baseUrl}`, `  Web forms: ${baseUrl}/  (public results: ${baseUrl}/cong-khai)`, `  API docs:  ${baseUrl}/docs`, `  Health:    ${baseUrl}/health/ready`];
  if (report.generatedAdminPassword) {
    lines.push(`  Admin login (shown once; you must change it at first login): admin / ${report.generatedAdminPassword}`);
  } else if (report.adminCreated) {
    lines.push('  Admin login: admin / the ADMIN_PASSWORD you configured');
  }
  if (report.demoUsers.length > 0) {
    lines.push(`  Demo logins (password for all: ${DEMO_PASSWORD}):`);
    for (const u of report.demoUsers) lines.push(`    ${u.username.padEnd(16)} ${u.role.padEnd(12)} ${u.unit ?? ''}`);
    lines.push(`  Try: curl -s -X POST ${baseUrl}/api/v1/auth/login -H 'content-type: application/json' -d '{"username":"${report.demoUsers[0]!.username}","password":"${DEMO_PASSWORD}"}'`);
  }
  return lines.join('\n');
}
