import type { Role } from '../db/schema.js';

/** Who is acting. Services take this explicitly; authorisation decisions are made on it. */
export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  orgUnitCode: string | null;
  tokenId: string;
  tokenKind: 'session' | 'api';
  /** The password was chosen by someone else and must be changed before anything else (absent = false). */
  mustChangePassword?: boolean;
}

export interface Ctx {
  actor: Actor;
  requestId: string;
  now: Date;
}

/** A context for work done by the system itself (start-up bootstrap, demo data). */
export interface SystemCtx {
  actor: null;
  requestId: string;
  now: Date;
}

export type AnyCtx = Ctx | SystemCtx;

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
