import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roles } from '../../db/schema.js';
import { ctxOf, problems } from '../../lib/http.js';
import { userCreateSchema, userPatchSchema, userSchema } from './users.schemas.js';

const usernameParams = z.object({ username: z.string().min(1).max(64) });

export const usersRoutes: FastifyPluginAsyncZod = async (app) => {
  const users = app.services.users;

  app.get(
    '/users',
    {
      schema: {
        tags: ['directory'],
        operationId: 'listUsers',
        summary: 'List users (unit roles see their own unit only)',
        querystring: z.strictObject({
          role: z.enum(roles).optional(),
          orgUnitCode: z.string().max(32).optional(),
          active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
          q: z.string().max(100).optional(),
        }),
        response: { 200: z.array(userSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => users.list(ctxOf(req), req.query),
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['directory'],
        operationId: 'createUser',
        summary: 'Create a user (admin)',
        body: userCreateSchema,
        response: { 201: userSchema, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await users.create(ctxOf(req), req.body)),
  );

  app.get(
    '/users/:username',
    {
      schema: {
        tags: ['directory'],
        operationId: 'getUser',
        params: usernameParams,
        response: { 200: userSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => users.get(ctxOf(req), req.params.username),
  );

  app.patch(
    '/users/:username',
    {
      schema: {
        tags: ['directory'],
        operationId: 'updateUser',
        summary: 'Update, deactivate (active=false) or reset the password of a user (admin); tokens are revoked when authority changes',
        params: usernameParams,
        body: userPatchSchema,
        response: { 200: userSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => users.update(ctxOf(req), req.params.username, req.body),
  );

  app.post(
    '/users/:username/unlock',
    {
      schema: {
        tags: ['directory'],
        operationId: 'unlockUser',
        summary: 'Lift a login lockout (admin)',
        params: usernameParams,
        response: { 200: userSchema, ...problems(401, 403, 404) },
      },
    },
    async (req) => users.unlock(ctxOf(req), req.params.username),
  );
};
