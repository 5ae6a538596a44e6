import type { Readable } from 'node:stream';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { ctxOf, problems } from '../../lib/http.js';
import { publicBaseUrl } from '../../lib/public-url.js';
import { surveyDocumentSchema } from './surveys.document.js';
import { importTypes } from './surveys.import.js';
import {
  codeParams,
  importBody,
  importQuery,
  importReportSchema,
  linkSchema,
  listQuery,
  publicFormSchema,
  publicSurveySchema,
  qrQuery,
  responseAccepted,
  responseBody,
  surveyResultsSchema,
  surveySchema,
  unitParams,
} from './surveys.schemas.js';

/** The survey document is validated by the service, which names every problem by field in one 422. */
function documentBodyInService<T>(route: Parameters<FastifySchemaCompiler<T>>[0]): ReturnType<FastifySchemaCompiler<T>> {
  return route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]);
}

const tags = ['surveys'];
const binary = z.any().meta({ type: 'string', format: 'binary' });


export const surveysRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.surveys;
  const config = app.appConfig;
  const withQr = (req: FastifyRequest) => <T extends { surveyCode: string; unitCode: string }>(l: T) => {
    const base = `${publicBaseUrl(config, req)}${app.prefix}/surveys/${encodeURIComponent(l.surveyCode)}/units/${encodeURIComponent(l.unitCode)}`;
    return { ...l, qrPngUrl: `${base}/qr.png`, qrSvgUrl: `${base}/qr.svg` };
  };

  app.get(
    '/surveys',
    {
      schema: {
        tags,
        operationId: 'listSurveys',
        summary: 'List survey questionnaires (khảo sát) with their response counts',
        querystring: listQuery,
        response: { 200: z.array(surveySchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => svc.list(ctxOf(req), req.query),
  );

  app.post(
    '/surveys',
    {
      validatorCompiler: documentBodyInService,
      schema: {
        tags,
        operationId: 'createSurvey',
        summary: 'Create a draft questionnaire: dimensions → questions → options with a value in [0, 1] or null (coordinator, admin)',
        body: surveyDocumentSchema,
        response: { 201: surveySchema, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.create(ctxOf(req), req.body as unknown)),
  );

  app.get(
    '/surveys/:code',
    { schema: { tags, operationId: 'getSurvey', params: codeParams, response: { 200: surveySchema, ...problems(401, 403, 404) } } },
    async (req) => svc.get(ctxOf(req), req.params.code),
  );

  app.put(
    '/surveys/:code',
    {
      validatorCompiler: documentBodyInService,
      schema: {
        tags,
        operationId: 'updateSurvey',
        summary: 'Replace the questionnaire: a new version while it has no responses (409 once it has any)',
        params: codeParams,
        body: surveyDocumentSchema,
        response: { 200: surveySchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => svc.update(ctxOf(req), req.params.code, req.body as unknown),
  );

  app.post(
    '/surveys/:code/publish',
    {
      schema: {
        tags,
        operationId: 'publishSurvey',
        summary: 'Open the questionnaire to responses (public form and import)',
        params: codeParams,
        response: { 200: surveySchema, ...problems(401, 403, 404, 409) },
      },
    },
    async (req) => svc.publish(ctxOf(req), req.params.code),
  );

  app.get(
    '/surveys/:code/results',
    {
      schema: {
        tags,
        operationId: 'getSurveyResults',
        summary: 'Per unit and per round group: n, question scores with 95% intervals, dimension and overall indices, below-minResponses flag (coordinator)',
        params: codeParams,
        response: { 200: surveyResultsSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => svc.results(ctxOf(req), req.params.code),
  );

  app.get(
    '/surveys/:code/links',
    {
      schema: {
        tags,
        operationId: 'listSurveyLinks',
        summary: 'Form links and QR codes of every unit now collecting responses to the survey, to print for the one-stop desks',
        params: codeParams,
        response: { 200: z.array(linkSchema), ...problems(401, 403, 404) },
      },
    },
    async (req) => (await svc.links(ctxOf(req), req.params.code, publicBaseUrl(config, req))).map(withQr(req)),
  );

  app.get(
    '/surveys/:code/units/:unitCode/link',
    {
      schema: {
        tags,
        operationId: 'getSurveyLink',
        summary: "A unit's public form link, with its QR codes (PNG, SVG)",
        params: unitParams,
        response: { 200: linkSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => withQr(req)(await svc.link(ctxOf(req), req.params.code, req.params.unitCode, publicBaseUrl(config, req))),
  );

  for (const format of ['png', 'svg'] as const) {
    app.get(
      `/surveys/:code/units/:unitCode/qr.${format}`,
      {
        schema: {
          tags,
          operationId: format === 'png' ? 'getSurveyQrPng' : 'getSurveyQrSvg',
          summary: `QR code (${format.toUpperCase()}) of a unit's public form link, for printing`,
          params: unitParams,
          querystring: qrQuery,
          produces: [format === 'png' ? 'image/png' : 'image/svg+xml'],
          response: { 200: binary, ...problems(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        const out = await svc.qr(ctxOf(req), req.params.code, req.params.unitCode, format, req.query.size, publicBaseUrl(config, req));
        return reply
          .type(format === 'png' ? 'image/png' : 'image/svg+xml')
          .header('content-disposition', `inline; filename="qr-${req.params.code}-${req.params.unitCode}.${format}"`)
          .send(out);
      },
    );
  }

  // The import reads the body as a stream: its own content-type parsers hand the raw request through.
  await app.register(async (plain) => {
    plain.removeAllContentTypeParsers();
    plain.addContentTypeParser(Object.keys(importTypes), (_req, payload, done) => done(null, payload));
    plain.withTypeProvider<ZodTypeProvider>().post(
      '/surveys/:code/responses/import',
      {
        schema: {
          tags,
          operationId: 'importSurveyResponses',
          summary: 'Bulk import of a KoboToolbox / ODK Central / LimeSurvey export (CSV, JSON or XLSX), streamed; idempotent by response id',
          description:
            'Columns are matched to questions by code (group paths grp/Q1 and grp-Q1, LimeSurvey grid columns Q1[SQ001]), by the question’s sourceName, ' +
            'by label (question text or sourceLabels, NFC-normalised, case and spacing ignored: Kobo label exports) or by ?columnMap=. Split multiple-choice ' +
            'columns (q1/x, g1-q2/m, Q3[SQ001]) are read when the whole column is absent. The response id is the root id (meta/rootUuid, __id/KEY, then ' +
            'instanceID, _uuid, id): re-importing an edited submission replaces the earlier version (updated), never adds one. Kobo HXL rows and ' +
            'unfinished LimeSurvey responses are skipped and counted. dryRun=true reports the same counts, every column (matched per question, missing, ' +
            'ignored) and the reason of every rejected row, and writes nothing. A file that cannot be parsed is a 422 with its line and the parser’s reason. ' +
            'The file is read incrementally and written in batches inside one transaction; the size cap is SURVEY_IMPORT_MAX_MB.',
          consumes: Object.keys(importTypes),
          params: codeParams,
          querystring: importQuery,
          body: importBody,
          response: { 200: importReportSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (req) => {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const format = req.query.format ?? importTypes[contentType] ?? null;
        if (!format) {
          throw new AppError(415, 'unsupported-media-type', 'Unsupported media type', 'Send the file as text/csv, application/json or the XLSX type, or name the format with ?format=csv|json|xlsx.');
        }
        const { dryRun, unitColumn, unitCode, idColumn, delimiter, columnMap, includeIncomplete, timeZone } = req.query;
        return svc.importResponses(ctxOf(req), req.params.code, req.body as Readable, {
          format,
          dryRun,
          unitColumn,
          unitCode,
          idColumn,
          delimiter: delimiter === 'tab' ? '\t' : delimiter,
          columnMap,
          includeIncomplete,
          timeZone,
        });
      },
    );
  });

  // ---------------------------------------------------------------------------------------------- public

  app.get(
    '/public/surveys/:code',
    {
      config: { public: true },
      schema: {
        tags: ['public'],
        operationId: 'getPublicSurvey',
        summary: 'A published questionnaire, for the public form (no scores, no responses)',
        params: codeParams,
        response: { 200: publicSurveySchema, ...problems(404) },
      },
    },
    async (req) => svc.publicDefinition(req.params.code),
  );

  app.get(
    '/public/surveys/:code/units/:unitCode',
    {
      config: { public: true },
      schema: {
        tags: ['public'],
        operationId: 'getPublicSurveyForm',
        summary: "One unit's form: the questionnaire, the unit's name and whether it takes responses now",
        params: unitParams,
        response: { 200: publicFormSchema, ...problems(404) },
      },
    },
    async (req) => svc.publicUnitForm(req.params.code, req.params.unitCode),
  );

  app.post(
    '/public/surveys/:code/units/:unitCode/responses',
    {
      config: { public: true, rateLimit: { max: config.surveyRateLimitPerMinute, timeWindow: 60_000 } },
      bodyLimit: 65_536,
      schema: {
        tags: ['public'],
        operationId: 'submitSurveyResponse',
        summary: 'Anonymous form response for a unit; idempotent by responseId; rate-limited per client address',
        description:
          'Only for published surveys and units of a round open for the survey (404 unknown survey or unit, 409 unit not collecting). ' +
          '201 accepted; 200 duplicate when the same responseId was already received with the same answers (409 with other answers).',
        params: unitParams,
        body: responseBody,
        response: { 200: responseAccepted, 201: responseAccepted, ...problems(400, 404, 409, 413, 415, 422, 429) },
      },
    },
    async (req, reply) => {
      const out = await svc.submit({ requestId: req.id, now: app.clock() }, req.params.code, req.params.unitCode, req.body);
      return reply.code(out.created ? 201 : 200).send(out.body);
    },
  );
};
