// The scheduled work of the service: what runs in the background, once per period across all instances.
import type { FastifyInstance } from 'fastify';
import { purgeSurveyPersonalData, sweepEvidence } from '../../bootstrap.js';
import { sharedCounters } from '../../lib/shared-counters.js';
import { jobsRepo } from './jobs.repo.js';
import type { JobDefinition } from './jobs.service.js';

const HOUR = 3_600_000;
/** Job runs are kept this long for the admin's record. */
const JOB_RUNS_KEPT_MS = 90 * 86_400_000;

export function scheduledJobs(app: FastifyInstance): JobDefinition[] {
  const db = app.database.db;
  return [
    {
      // Deletes respondents' demographics past SURVEY_PERSONAL_DATA_RETENTION_DAYS (audited by the service).
      name: 'survey-personal-data-purge',
      periodMs: HOUR,
      run: async () => ({ respondentsPurged: await purgeSurveyPersonalData(app) }),
    },
    {
      // Evidence files no row refers to: leftovers of uploads killed between storing the file and its row.
      name: 'evidence-sweep',
      periodMs: HOUR,
      run: async () => ({ ...(await sweepEvidence(app)) }),
    },
    {
      name: 'housekeeping',
      periodMs: HOUR,
      run: async (now) => ({
        rateLimitWindowsRemoved: await sharedCounters.prune(db, now),
        jobRunsRemoved: await jobsRepo.prune(db, new Date(now.getTime() - JOB_RUNS_KEPT_MS)),
      }),
    },
  ];
}
