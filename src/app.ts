import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { systemClock, type Actor, type Clock } from './lib/context.js';
import { createPlansService, type PlansService } from './modules/plans/plans.service.js';
import { createReportsService, type ReportsService } from './modules/plans/reports.service.js';
import { createInspectionsService, type InspectionsService } from './modules/plans/inspections.service.js';
import { createPrefillService, type PrefillService } from './modules/plans/prefill.service.js';
import { plansRoutes } from './modules/plans/plans.routes.js';
import { finishOpenApiDocument } from './lib/openapi-document.js';
import { PasswordChangeRequiredError, problemType, UnauthorizedError } from './lib/errors.js';
import { registerProblemHandlers, sendProblem } from './plugins/problem.js';
import { registerUnreadBodyGuard } from './plugins/unread-body.js';
import { loggerOptions as baseLoggerOptions, redactPaths } from './lib/logging.js';
import { DB_RETRY_AFTER_SECONDS } from './lib/db-errors.js';
import { clientErrorHandler, frameworkErrors, registerInputGuard } from './plugins/input-guard.js';
import { registerHeavyLimit } from './plugins/heavy-limit.js';
import { databaseRateLimitStore } from './plugins/rate-limit-store.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createAuthService, type AuthService } from './modules/auth/auth.service.js';
import { frameworksRoutes } from './modules/frameworks/frameworks.routes.js';
import { createFrameworksService, type FrameworksService } from './modules/frameworks/frameworks.service.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { orgUnitsRoutes } from './modules/org-units/org-units.routes.js';
import { createOrgUnitsService, type OrgUnitsService } from './modules/org-units/org-units.service.js';
import { usersRoutes } from './modules/users/users.routes.js';
import multipart from '@fastify/multipart';
import { createBlobStore, type BlobStore } from './lib/blobs/index.js';
import { assessmentsRoutes } from './modules/assessments/assessments.routes.js';
import { createAssessmentsService, type AssessmentsService } from './modules/assessments/assessments.service.js';
import { roundsRoutes } from './modules/rounds/rounds.routes.js';
import { resultsRoutes } from './modules/results/results.routes.js';
import { createResultsService, type ResultsService } from './modules/results/results.service.js';
import { createRoundsService, type RoundsService } from './modules/rounds/rounds.service.js';
import { settlementRoutes } from './modules/settlement/settlement.routes.js';
import { createSettlementService, type SettlementService } from './modules/settlement/settlement.service.js';
import { createUsersService, type UsersService } from './modules/users/users.service.js';
import { surveysRoutes } from './modules/surveys/surveys.routes.js';
import { checkSurveyReferences, createSurveysService, surveyIndicesOf, surveyScoreOf, surveyScoresOf, type SurveysService } from './modules/surveys/surveys.service.js';
import { webRoutes } from './web/index.js';
import { publicRoutes } from './modules/publications/public.routes.js';
import { publicationsRoutes } from './modules/publications/publications.routes.js';
import { createPublicationsService, type PublicationsService } from './modules/publications/publications.service.js';
import { councilRoutes } from './modules/council/council.routes.js';
import { createCouncilService, type CouncilService } from './modules/council/council.service.js';
import { createKeyring } from './modules/publications/signing.js';
import { jobsRoutes } from './modules/jobs/jobs.routes.js';
import { createJobsService, type JobsService } from './modules/jobs/jobs.service.js';

/** The one inline <style> Swagger UI inserts at /docs (allowed in its CSP by hash). */
const SWAGGER_UI_STYLE_HASH = 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w=';

export interface Services {
  auth: AuthService;
  orgUnits: OrgUnitsService;
  users: UsersService;
  frameworks: FrameworksService;
  rounds: RoundsService;
  assessments: AssessmentsService;
  results: ResultsService;
  settlement: SettlementService;
  surveys: SurveysService;
  publications: PublicationsService;
  council: CouncilService;
  /** Background job runs (issue 16): one instance per scheduled run, recorded. */
  jobs: JobsService;
  /** The year behind the index (issue 17): plan tasks, periodic reports, inspections, and the items they pre-fill. */
  plans: PlansService;
  reports: ReportsService;
  inspections: InspectionsService;
  prefill: PrefillService;
}

declare module 'fastify' {
  interface FastifyInstance {
    appConfig: Config;
    database: Database;
    clock: Clock;
    blobStore: BlobStore;
    services: Services;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Route needs no authentication. */
    public?: boolean;
    /** Where this route's rate-limit counters live: the shared database (default) or this process's memory. */
    rateLimitStore?: 'memory' | 'database';
  }
}

export interface AppDeps {
  config: Config;
  database: Database;
  /** A pino logger, or false to log nothing (tests). Defaults to a pino logger at config.logLevel. */
  logger?: FastifyBaseLogger | false;
  clock?: Clock;
  /** Evidence file storage; defaults to the configured store (local directory under DATA_DIR, or S3). */
  blobStore?: BlobStore;
}

export const API_PREFIX = '/api/v1';
/** What an account that must change its password may still call. */
const PASSWORD_CHANGE_ROUTES = new Set([`POST ${API_PREFIX}/me/password`, `GET ${API_PREFIX}/me`, `POST ${API_PREFIX}/auth/logout`]);

/** Log fields that must never be written (src/lib/logging.ts); re-exported for existing importers. */
export { redactPaths };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function genReqId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const blobStore = deps.blobStore ?? createBlobStore({ dataDir: config.dataDir, s3: config.s3 });
  const ownsBlobStore = !deps.blobStore;

  const loggerOptions: Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> =
    deps.logger === false
      ? { logger: false }
      : deps.logger
        ? { loggerInstance: deps.logger }
        : { logger: baseLoggerOptions(config.logLevel) };

  const app = Fastify({
    ...loggerOptions,
    genReqId,
    // A hop count is valid for Fastify (proxy-addr) although its types only list string/boolean.
    trustProxy: config.trustProxy as boolean | string,
    bodyLimit: config.bodyLimit,
    // Explicit timeouts: a slow client must not hold a connection forever; keep-alive above common proxy idle (60 s).
    connectionTimeout: 60_000,
    requestTimeout: 120_000,
    keepAliveTimeout: 72_000,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    // The router's own 400 (bad percent-encoding) and 414 (over-long path segment) as problem+json.
    frameworkErrors,
    // Malformed HTTP (bad header bytes, header overflow, timeouts) answered by Node's parser: problem+json too.
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.decorate('appConfig', config);
  app.decorate('database', database);
  app.decorate('clock', clock);
  app.decorate('blobStore', blobStore);
  app.decorateRequest('actor', null);

  const auth = createAuthService({ database, config, log: app.log });
  const results = createResultsService({ database, surveyScoreOf, surveyScoresOf });
  const assessments = createAssessmentsService({ database, blobStore, config });
  // Settlement owns the checks on phase moves (before appraisal, before council review) and the open-items
  // computation publication refuses on.
  const prefill = createPrefillService({ database });
  const settlement = createSettlementService({ database, results, itemView: (ctx, roundId, unitCode, code) => assessments.getItem(ctx, roundId, unitCode, code) });
  app.decorate('services', {
    auth,
    orgUnits: createOrgUnitsService({ database }),
    users: createUsersService({ database }),
    frameworks: createFrameworksService({ database, checkSurveyReferences }),
    // When self-assessment opens, criteria fed by the year's tracked data are pre-filled in the same transaction.
    rounds: createRoundsService({ database, guards: [settlement.transitionGuard], effects: [async (tx, round, to, ctx) => void (to === 'self_assessment' && (await prefill.prefillIn(tx, ctx, round.id, null)))] }),
    assessments,
    results,
    settlement,
    surveys: createSurveysService({ database, config }),
    // Keys from configuration are checked now; the embedded default key is generated on first use.
    publications: createPublicationsService({ database, results, openItemsOf: settlement.openItemsFrom, keyring: createKeyring(config), cacheBytes: config.publicationCacheBytes, surveyIndicesOf }),
    jobs: createJobsService({ database, instanceId: config.instanceId, log: app.log }),
    plans: createPlansService({ database }),
    reports: createReportsService({ database }),
    inspections: createInspectionsService({ database }),
    prefill,
    council: createCouncilService({ database, blobStore, maxBytes: config.evidenceMaxBytes }),
  } satisfies Services);

  registerProblemHandlers(app);
  // Before any other hook: hostile bytes and out-of-range integers never reach a handler or the database.
  registerInputGuard(app);
  registerHeavyLimit(app, { maxConcurrent: config.heavyMaxConcurrent, retryAfterSeconds: DB_RETRY_AFTER_SECONDS });
  registerUnreadBodyGuard(app);
  if (ownsBlobStore) app.addHook('onClose', async () => blobStore.close());

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Security headers from one helmet middleware built here: @fastify/helmet builds a new one (parsing the CSP
  // directives) on every request, about 5 % of the CPU of an item write (issue 14). No route sets its own helmet
  // options, so one middleware is all there is. Swagger UI's static files set their own CSP (staticCSP below).
  const securityHeaders = helmet({
    contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'img-src': ["'self'", 'data:'] } },
    // helmet's default no-referrer makes browsers send `Origin: null` on same-site form POSTs, which the web CSRF
    // origin check must refuse; same-origin keeps referrers off other sites and lets our own forms name their origin.
    referrerPolicy: { policy: 'same-origin' },
  });
  app.addHook('onRequest', (request, reply, done) => {
    // helmet 8 throws rather than passing errors on; it has none to report for a fixed configuration.
    securityHeaders(request.raw, reply.raw, () => done());
  });
  await app.register(cors, { origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });
  await app.register(rateLimit, {
    global: false,
    // Counters in the database: every instance behind the load balancer counts against the same limit (issue 16).
    store: databaseRateLimitStore(database.db, clock),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      message: `Too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s.`,
    }),
  });
  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    retryAfter: 10,
    pressureHandler: (request, reply, type, value) => {
      request.log.warn({ type, value }, 'under pressure');
      void sendProblem(reply.header('retry-after', '10'), request, 503, {
        type: problemType('overloaded'),
        title: 'Service overloaded',
        detail: 'The service is under heavy load; retry shortly.',
      });
    },
  });

  // Evidence uploads stream through; the per-file cap is enforced again while storing.
  await app.register(multipart, { limits: { fileSize: config.evidenceMaxBytes + 1, files: 1, fields: 5, parts: 6 } });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'PAR INDEX service API (Chỉ số CCHC)',
        description:
          'Criteria frameworks, self-assessment, appraisal, surveys and signed publication of the public-administration-reform index. Errors are RFC 9457 problem+json.',
        version: '1.0.0',
        license: { name: 'Proprietary (all rights reserved)' },
      },
      // Relative: the document is served by the instance it describes, whatever host and port it is reached on.
      servers: [{ url: '/', description: 'Máy chủ phục vụ tài liệu này (the instance serving this document)' }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'Token from POST /api/v1/auth/login or a personal API token' } } },
      security: [{ bearerAuth: [] }],
    },
    transform: (args) => {
      const out = jsonSchemaTransform(args);
      if (args.route.config?.public) (out.schema as Record<string, unknown>).security = [];
      return out;
    },
    // Problem responses, implied statuses and common headers are added in one pass (src/lib/openapi-document.ts).
    transformObject: (args) => finishOpenApiDocument(jsonSchemaTransformObject(args) as Record<string, unknown>) as ReturnType<typeof jsonSchemaTransformObject>,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Swagger UI inserts one fixed <style> element (its top-bar logo's); allowed by its hash rather than by
    // 'unsafe-inline'. test/browser/docs.test.ts fails with the new hash if an upgrade changes it.
    transformStaticCSP: (header) => header.replace("style-src 'self' https:", `style-src 'self' https: '${SWAGGER_UI_STYLE_HASH}'`),
    uiConfig: { deepLinking: true },
  });

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes);

  await app.register(
    async (api) => {
      // Every API route requires a valid bearer token unless marked public.
      api.addHook('onRequest', async (request) => {
        const header = request.headers.authorization;
        if (header) {
          const match = /^Bearer\s+(\S+)$/i.exec(header);
          const actor = match ? await auth.resolve(match[1]!, clock()) : null;
          if (!actor) {
            request.log.warn('rejected invalid, expired or revoked token');
            throw new UnauthorizedError('The token is invalid, expired or revoked.');
          }
          request.actor = actor;
        }
        if (!request.actor && !request.routeOptions.config?.public) throw new UnauthorizedError();
        // A password someone else set (generated first admin, admin reset) opens only the way to replace it.
        if (request.actor?.mustChangePassword && !PASSWORD_CHANGE_ROUTES.has(`${request.method} ${request.routeOptions.url ?? ''}`)) {
          throw new PasswordChangeRequiredError();
        }
      });
      await api.register(authRoutes);
      await api.register(orgUnitsRoutes);
      await api.register(usersRoutes);
      await api.register(auditRoutes);
      await api.register(frameworksRoutes);
      await api.register(roundsRoutes);
      await api.register(assessmentsRoutes);
      await api.register(resultsRoutes);
      await api.register(settlementRoutes);
      await api.register(surveysRoutes);
      await api.register(publicationsRoutes);
      await api.register(councilRoutes);
      await api.register(publicRoutes);
      await api.register(jobsRoutes);
      await api.register(plansRoutes);
    },
    { prefix: API_PREFIX },
  );

  // Server-rendered Vietnamese pages (cookie session, CSRF), outside /api/v1 and hidden from the OpenAPI document.
  await app.register(webRoutes);

  return app;
}
