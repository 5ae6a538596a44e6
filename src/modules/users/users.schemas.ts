import { z } from 'zod';
import { roles } from '../../db/schema.js';
import { timestamp } from '../../lib/http.js';

export const usernameSchema = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');

export const userSchema = z
  .object({
    id: z.string().uuid(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(roles),
    orgUnitCode: z.string().nullable(),
    active: z.boolean(),
    lockedUntil: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'User' });

export const userCreateSchema = z.strictObject({
  username: usernameSchema,
  password: z.string().min(1).max(256),
  displayName: z.string().trim().min(1).max(200),
  role: z.enum(roles),
  orgUnitCode: z.string().min(1).max(32).nullable().optional(),
});

export const userPatchSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(200).optional(),
  role: z.enum(roles).optional(),
  orgUnitCode: z.string().min(1).max(32).nullable().optional(),
  active: z.boolean().optional(),
  password: z.string().min(1).max(256).optional(),
});
