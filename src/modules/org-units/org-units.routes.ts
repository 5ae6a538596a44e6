import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { orgUnitKinds } from '../../db/schema.js';
import { ctxOf, isoDate, problems, timestamp } from '../../lib/http.js';

const code = z.string().min(1).max(32).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash and underscore only');

const orgUnitSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    kind: z.enum(orgUnitKinds),
    parentCode: z.string().nullable(),
    activeFrom: z.string().nullable(),
    activeTo: z.string().nullable().describe('First day the unit no longer exists (merged or dissolved)'),
    predecessorCodes: z.array(z.string()).describe('Units merged into this one (sáp nhập); their published rows appear in its public history'),
    active: z.boolean().describe('Active today (Asia/Ho_Chi_Minh)'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'OrgUnit' });

const codeParams = z.object({ code: z.string().min(1).max(32) });

// Request bodies, exported so the web forms validate exactly as the API does.
export const orgUnitCreateBody = z.strictObject({
  code,
  name: z.string().trim().min(1).max(300),
  kind: z.enum(orgUnitKinds),
  parentCode: z.string().max(32).nullable().optional(),
  activeFrom: isoDate.nullable().optional(),
  activeTo: isoDate.nullable().optional(),
  predecessorCodes: z.array(z.string().min(1).max(32)).max(200).optional().describe('Units this one was formed from (merged from)'),
});

export const orgUnitPatchBody = z.strictObject({
  name: z.string().trim().min(1).max(300).optional(),
  renamedOn: isoDate.optional().describe('The day the new name takes effect (default today); earlier names stay in the history'),
  kind: z.enum(orgUnitKinds).optional(),
  parentCode: z.string().max(32).nullable().optional(),
  activeFrom: isoDate.nullable().optional(),
  activeTo: isoDate.nullable().optional(),
  predecessorCodes: z.array(z.string().min(1).max(32)).max(200).optional(),
});

const unitNamesSchema = z
  .object({
    code: z.string(),
    name: z.string().describe('Current name'),
    names: z.array(z.object({ name: z.string(), validFrom: z.string(), validTo: z.string().nullable().describe('Exclusive; null for the current name') })),
    predecessors: z.array(z.object({ code: z.string(), name: z.string() })).describe('Units it was formed from, directly or through earlier mergers, nearest first'),
  })
  .meta({ id: 'OrgUnitNames' });

export const orgUnitDeactivateBody = z.strictObject({ activeTo: isoDate.optional(), reason: z.string().trim().min(1).max(1000) });

export const orgUnitsRoutes: FastifyPluginAsyncZod = async (app) => {
  const svc = app.services.orgUnits;

  app.get(
    '/org-units',
    {
      schema: {
        tags: ['directory'],
        operationId: 'listOrgUnits',
        summary: 'List org units (unit roles see their own unit only)',
        querystring: z.strictObject({
          kind: z.enum(orgUnitKinds).optional(),
          parentCode: z.string().max(32).optional(),
          active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
          q: z.string().max(100).optional(),
        }),
        response: { 200: z.array(orgUnitSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => svc.list(ctxOf(req), req.query),
  );

  app.post(
    '/org-units',
    {
      schema: {
        tags: ['directory'],
        operationId: 'createOrgUnit',
        summary: 'Create an org unit (admin)',
        body: orgUnitCreateBody,
        response: { 201: orgUnitSchema, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.create(ctxOf(req), req.body)),
  );

  app.get(
    '/org-units/:code',
    {
      schema: { tags: ['directory'], operationId: 'getOrgUnit', params: codeParams, response: { 200: orgUnitSchema, ...problems(401, 404) } },
    },
    async (req) => svc.get(ctxOf(req), req.params.code),
  );

  app.get(
    '/org-units/:code/names',
    {
      schema: {
        tags: ['directory'],
        operationId: 'getOrgUnitNames',
        summary: "A unit's current and former names (dated) and the units it was formed from",
        params: codeParams,
        response: { 200: unitNamesSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => svc.names(ctxOf(req), req.params.code),
  );

  app.patch(
    '/org-units/:code',
    {
      schema: {
        tags: ['directory'],
        operationId: 'updateOrgUnit',
        summary: 'Update an org unit (admin); the code never changes. A new name starts a dated entry in the name history (renamedOn, default today); published results keep the name of their time.',
        params: codeParams,
        body: orgUnitPatchBody,
        response: { 200: orgUnitSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (req) => svc.update(ctxOf(req), req.params.code, req.body),
  );

  app.post(
    '/org-units/:code/deactivate',
    {
      schema: {
        tags: ['directory'],
        operationId: 'deactivateOrgUnit',
        summary: 'End a unit (merged or dissolved) from a date; its history stays',
        params: codeParams,
        body: orgUnitDeactivateBody,
        response: { 200: orgUnitSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (req) => svc.deactivate(ctxOf(req), req.params.code, req.body),
  );

  app.delete(
    '/org-units/:code',
    {
      schema: {
        tags: ['directory'],
        operationId: 'deleteOrgUnit',
        summary: 'Delete a unit nothing refers to (409 otherwise: deactivate it instead)',
        params: codeParams,
        response: { 204: z.null(), ...problems(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await svc.remove(ctxOf(req), req.params.code);
      return reply.code(204).send(null);
    },
  );
};
