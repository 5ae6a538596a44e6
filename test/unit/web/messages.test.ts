import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../src/lib/errors.js';
import { webError } from '../../../src/web/messages.js';

describe('webError', () => {
  it('a unique violation lost to a concurrent write (as drizzle wraps it) is a 409 in Vietnamese, not a 500', () => {
    const driver = Object.assign(new Error('duplicate key value violates unique constraint "users_username_unique"'), { code: '23505' });
    const wrapped = Object.assign(new Error('Failed query: insert into "users" …'), { cause: driver });
    const out = webError(wrapped);
    expect(out.status).toBe(409);
    expect(out.message).toMatch(/trùng/);
    expect(out.message).not.toMatch(/users_username|insert/);
  });

  it('a serialization failure asks to retry; anything else unknown stays a generic 500 without details', () => {
    expect(webError(Object.assign(new Error('could not serialize'), { code: '40001' })).status).toBe(409);
    const other = webError(new Error('select * from secret'));
    expect(other.status).toBe(500);
    expect(other.message).not.toMatch(/secret/);
  });

  it('service errors keep their status and name the fields', () => {
    const v = webError(new ValidationError([{ field: 'body.username', message: 'is taken', code: 'duplicate' }]));
    expect(v.status).toBe(422);
    expect(Object.keys(v.fields)).toEqual(['username']);
    expect(webError(new ConflictError('x', {})).status).toBe(409);
  });
});
