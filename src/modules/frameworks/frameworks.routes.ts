import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf, problems } from '../../lib/http.js';
import {
  binaryResponse,
  cloneBody,
  diffSchema,
  frameworkCode,
  frameworkSchema,
  frameworkSummarySchema,
  importProblemSchema,
  importQuery,
  importReportSchema,
  listQuery,
  simulateBody,
  simulationSchema,
  xlsxBody,
} from './frameworks.schemas.js';
import { frameworkDocumentSchema } from './frameworks.document.js';
import { XLSX_MIME } from './frameworks.xlsx.js';

/** Workbooks of a few hundred criteria are tens of kilobytes; this leaves room for styling and notes. */
const XLSX_MAX_BYTES = 5 * 1024 * 1024;

/**
 * The framework document is validated by the service (validateFrameworkDocument), which names every problem by
 * criterion code in one 422; its schema here only documents the body. Params and query are validated as usual.
 */
function documentBodyInService<T>(route: Parameters<FastifySchemaCompiler<T>>[0]): ReturnType<FastifySchemaCompiler<T>> {
  return route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]);
}

const codeParams = z.object({ code: z.string().min(1).max(32) });
const tags = ['frameworks'];

export const frameworksRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.frameworks;

  app.addContentTypeParser(XLSX_MIME, { parseAs: 'buffer', bodyLimit: XLSX_MAX_BYTES }, (_req, body, done) => done(null, body));

  app.get(
    '/frameworks',
    {
      schema: {
        tags,
        operationId: 'listFrameworks',
        summary: 'List criteria frameworks (bộ tiêu chí)',
        querystring: listQuery,
        response: { 200: z.array(frameworkSummarySchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => svc.list(ctxOf(req), req.query),
  );

  app.post(
    '/frameworks',
    {
      validatorCompiler: documentBodyInService,
      schema: {
        tags,
        operationId: 'createFramework',
        summary: 'Create a draft framework from its JSON document (coordinator, admin)',
        body: frameworkDocumentSchema,
        response: { 201: frameworkSchema, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.create(ctxOf(req), req.body as unknown)),
  );

  app.post(
    '/frameworks/import',
    {
      bodyLimit: XLSX_MAX_BYTES,
      schema: {
        tags,
        operationId: 'importFramework',
        summary: 'Import a framework from an XLSX workbook (sheets "Tiêu chí" and "Thông tin")',
        description:
          'dryRun=true checks the workbook and reports every problem with its sheet and row; dryRun=false creates a draft (422 with the same errors when invalid).',
        consumes: [XLSX_MIME],
        querystring: importQuery,
        body: xlsxBody,
        response: { 200: importReportSchema, 201: frameworkSchema, ...problems(400, 401, 403, 409, 413, 415), 422: importProblemSchema },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      if (req.query.dryRun) return reply.send(await svc.importDryRun(ctx, req.body));
      return reply.code(201).send(await svc.importXlsx(ctx, req.body));
    },
  );

  app.get(
    '/frameworks/:code',
    {
      schema: {
        tags,
        operationId: 'getFramework',
        summary: 'A framework with its criteria tree, totals per area and counts',
        params: codeParams,
        response: { 200: frameworkSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => svc.get(ctxOf(req), req.params.code),
  );

  app.put(
    '/frameworks/:code',
    {
      validatorCompiler: documentBodyInService,
      schema: {
        tags,
        operationId: 'updateFramework',
        summary: 'Replace the document of a draft (409 once published)',
        params: codeParams,
        body: frameworkDocumentSchema,
        response: { 200: frameworkSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => svc.update(ctxOf(req), req.params.code, req.body as unknown),
  );

  app.post(
    '/frameworks/:code/publish',
    {
      schema: {
        tags,
        operationId: 'publishFramework',
        summary: 'Publish a draft; it is immutable afterwards',
        params: codeParams,
        response: { 200: frameworkSchema, ...problems(401, 403, 404, 409, 422) },
      },
    },
    async (req) => svc.publish(ctxOf(req), req.params.code),
  );

  app.post(
    '/frameworks/:code/clone',
    {
      schema: {
        tags,
        operationId: 'cloneFramework',
        summary: 'Copy a framework into a new draft for another year or version',
        params: codeParams,
        body: cloneBody,
        response: { 201: frameworkSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.clone(ctxOf(req), req.params.code, req.body)),
  );

  app.get(
    '/frameworks/:code/diff',
    {
      schema: {
        tags,
        operationId: 'diffFrameworks',
        summary: 'What changed from framework `from` to this one (criteria matched by code)',
        params: codeParams,
        querystring: z.strictObject({ from: frameworkCode.describe('The earlier framework, e.g. last year’s') }),
        response: { 200: diffSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => svc.diff(ctxOf(req), req.params.code, req.query.from),
  );

  app.post(
    '/frameworks/:code/simulate',
    {
      schema: {
        tags,
        operationId: 'simulateFramework',
        summary: 'Score sample units on a framework (drafts included) without storing anything',
        description:
          'Input problems do not fail the request: each is reported on its leaf (status "error") and in the unit\'s errors, with a field like units.0.inputs.1.2.percent, and that leaf counts 0.',
        params: codeParams,
        body: simulateBody,
        response: { 200: simulationSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (req) => svc.simulate(ctxOf(req), req.params.code, req.body.units),
  );

  app.get(
    '/frameworks/:code/export.json',
    {
      schema: {
        tags,
        operationId: 'exportFrameworkJson',
        summary: 'The framework document, as accepted by createFramework',
        params: codeParams,
        response: { 200: frameworkDocumentSchema, ...problems(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const doc = await svc.exportDocument(ctxOf(req), req.params.code);
      return reply.header('content-disposition', `attachment; filename="${doc.code}.json"`).send(doc);
    },
  );

  app.get(
    '/frameworks/:code/export.xlsx',
    {
      schema: {
        tags,
        operationId: 'exportFrameworkXlsx',
        summary: 'The framework as an XLSX workbook in the layout importFramework reads',
        produces: [XLSX_MIME],
        params: codeParams,
        response: { 200: binaryResponse, ...problems(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const buffer = await svc.exportXlsx(ctxOf(req), req.params.code);
      return reply.type(XLSX_MIME).header('content-disposition', `attachment; filename="${req.params.code}.xlsx"`).send(buffer);
    },
  );
};
