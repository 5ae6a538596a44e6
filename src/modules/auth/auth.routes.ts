import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ctxOf, problems, timestamp } from '../../lib/http.js';
import { userSchema } from '../users/users.schemas.js';

const apiTokenSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    prefix: z.string().describe('First characters of the token, to recognise it'),
    createdAt: timestamp,
    expiresAt: timestamp,
    lastUsedAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
    active: z.boolean(),
  })
  .meta({ id: 'ApiToken' });

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const auth = app.services.auth;

  app.post(
    '/auth/login',
    {
      // Throttled in the service: failed attempts only, per (address, username) and per address, in the database.
      config: { public: true },
      schema: {
        tags: ['auth'],
        operationId: 'login',
        summary:
          'Log in; returns a bearer token. A wrong password, an unknown user and a locked account answer the same 401; too many failed attempts from one address (per username, and in total) answer 429',
        body: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
        response: {
          200: z.object({
            token: z.string(),
            expiresAt: timestamp,
            mustChangePassword: z
              .boolean()
              .describe('The password was set by someone else (generated first admin, admin reset): until POST /api/v1/me/password changes it, every call but GET /me and POST /auth/logout answers 403 password-change-required'),
            user: userSchema,
          }),
          ...problems(400, 401, 429),
        },
      },
    },
    async (req) => auth.login(req.body, { requestId: req.id, now: app.clock(), ip: req.ip }),
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['auth'],
        operationId: 'logout',
        summary: 'Revoke the token used for this request',
        response: { 204: z.null(), ...problems(401) },
      },
    },
    async (req, reply) => {
      await auth.logout(ctxOf(req));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    { schema: { tags: ['auth'], operationId: 'getMe', summary: 'Who am I', response: { 200: userSchema, ...problems(401) } } },
    async (req) => auth.me(ctxOf(req)),
  );

  app.post(
    '/me/password',
    {
      schema: {
        tags: ['auth'],
        operationId: 'changePassword',
        summary: 'Change my password; every token of mine is revoked',
        body: z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }),
        response: { 204: z.null(), ...problems(400, 401, 422) },
      },
    },
    async (req, reply) => {
      await auth.changePassword(ctxOf(req), req.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me/tokens',
    {
      schema: {
        tags: ['auth'],
        operationId: 'listApiTokens',
        summary: 'My personal API tokens',
        response: { 200: z.array(apiTokenSchema), ...problems(401) },
      },
    },
    async (req) => auth.listApiTokens(ctxOf(req)),
  );

  app.post(
    '/me/tokens',
    {
      schema: {
        tags: ['auth'],
        operationId: 'createApiToken',
        summary: 'Create a personal API token for a machine client; the token is shown only in this response',
        body: z.strictObject({ name: z.string().trim().min(1).max(100), expiresInDays: z.number().int().min(1).max(366).optional() }),
        response: { 201: apiTokenSchema.extend({ token: z.string() }), ...problems(400, 401) },
      },
    },
    async (req, reply) => reply.code(201).send(await auth.createApiToken(ctxOf(req), req.body)),
  );

  app.delete(
    '/me/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        operationId: 'revokeApiToken',
        summary: 'Revoke one of my API tokens',
        params: z.object({ id: z.string().uuid() }),
        response: { 200: apiTokenSchema, ...problems(401, 404) },
      },
    },
    async (req) => auth.revokeApiToken(ctxOf(req), req.params.id),
  );
};
