import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { listenBaseUrl } from './lib/public-url.js';

// The one place where process.env is read (see loadConfig). Everything else receives a Config.
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  ADMIN_PASSWORD: z.string().min(10, 'ADMIN_PASSWORD must have at least 10 characters').optional(),
  DEMO_DATA: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.string().default('false'),
  CORS_ORIGINS: z.string().default(''),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(2_000),
  HEAVY_MAX_CONCURRENT: z.coerce.number().int().min(0).max(1000).default(4),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  API_TOKEN_TTL_DAYS: z.coerce.number().int().positive().default(90),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().positive().default(15),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
  LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().optional(),
  EVIDENCE_MAX_MB: z.coerce.number().positive().max(1024).default(20),
  EVIDENCE_MAX_FILES_PER_ITEM: z.coerce.number().int().positive().max(100).default(10),
  S3_BUCKET: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_PREFIX: z.string().default('evidence/'),
  SIGNING_PRIVATE_KEY: z.string().min(1).optional(),
  SIGNING_PUBLIC_KEY: z.string().min(1).optional(),
  PUBLIC_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  PUBLIC_RATE_LIMIT_STORE: z.enum(['memory', 'database']).default('memory'),
  INSTANCE_ID: z.string().trim().min(1).max(128).optional(),
  PUBLICATION_CACHE_MB: z.coerce.number().min(0).max(16384).default(256),
  PUBLIC_BASE_URL: z.string().url().optional(),
  SURVEY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
  SURVEY_IMPORT_MAX_MB: z.coerce.number().positive().max(10_240).default(200),
  SURVEY_PERSONAL_DATA_RETENTION_DAYS: z.coerce.number().int().positive().max(36_500).default(365),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  adminPassword: string | undefined;
  demoData: boolean;
  logLevel: string;
  trustProxy: boolean | string | number;
  corsOrigins: string[];
  bodyLimit: number;
  /** Above this event-loop delay requests get 503 + Retry-After instead of queueing; 0 = never shed load. */
  maxEventLoopDelayMs: number;
  /** Heavy requests (results, exports, publication renders) running at once; more get 503 + Retry-After. 0 = no cap. */
  heavyMaxConcurrent: number;
  sessionTtlMs: number;
  apiTokenTtlMs: number;
  loginMaxFailures: number;
  loginLockMs: number;
  /** Failed logins per (client address, username) per minute; successful ones do not count. */
  loginRateLimitPerMinute: number;
  /** Failed logins per client address per minute (any usernames): higher, since one office may share an address. */
  loginAddressRateLimitPerMinute: number;
  evidenceMaxBytes: number;
  evidenceMaxFilesPerItem: number;
  /**
   * Where citizens reach the web UI: survey links and QR codes point under it (no trailing slash). Unset
   * PUBLIC_BASE_URL = the listen address; requests then derive it (src/lib/public-url.ts).
   */
  publicBaseUrl: string;
  /** Whether PUBLIC_BASE_URL was given (start-up warns in production when it was not). */
  publicBaseUrlSet: boolean;
  /** Public survey form submissions per client address per minute. */
  surveyRateLimitPerMinute: number;
  /** Largest survey export file accepted by the bulk import. */
  surveyImportMaxBytes: number;
  /** Respondents' optional demographics are deleted this many days after they were collected. */
  surveyPersonalDataRetentionDays: number;
  /** S3-compatible evidence store; undefined = a directory under dataDir. */
  s3:
    | {
        bucket: string;
        region: string;
        endpoint?: string;
        forcePathStyle: boolean;
        accessKeyId?: string;
        secretAccessKey?: string;
        prefix: string;
      }
    | undefined;
  /** Ed25519 key pair signing publications (PEM or base64 DER); unset = generated once under dataDir/keys. */
  signing: { privateKey: string | undefined; publicKey: string | undefined };
  /** Requests per client address per minute on each anonymous publication endpoint. */
  publicRateLimitPerMinute: number;
  /** 'memory': each instance counts the public limit alone (cheap); 'database': shared by all instances. */
  publicRateLimitStore: 'memory' | 'database';
  /** Names this process in job runs (GET /api/v1/jobs/runs); defaults to host name and process id. */
  instanceId: string;
  /** Memory for rendered publication representations (JSON, CSV, XLSX, PDF); 0 = no cache. */
  publicationCacheBytes: number;
}

export class ConfigError extends Error {}

/** TRUST_PROXY follows Fastify's trustProxy: true/false, a hop count, or a comma list of addresses/CIDRs. */
function parseTrustProxy(raw: string): boolean | string | number {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return raw.trim();
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings in .env files mean "unset", not "empty value".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    adminPassword: e.ADMIN_PASSWORD,
    // Demo data is a convenience of the embedded default; on a real database it must be asked for.
    demoData: e.DEMO_DATA ?? e.DATABASE_URL === undefined,
    logLevel: e.LOG_LEVEL,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    corsOrigins: e.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    bodyLimit: e.BODY_LIMIT_BYTES,
    maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS,
    heavyMaxConcurrent: e.HEAVY_MAX_CONCURRENT,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
    apiTokenTtlMs: e.API_TOKEN_TTL_DAYS * 86_400_000,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginLockMs: e.LOGIN_LOCK_MINUTES * 60_000,
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    loginAddressRateLimitPerMinute: e.LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE ?? 10 * e.LOGIN_RATE_LIMIT_PER_MINUTE,
    evidenceMaxBytes: Math.round(e.EVIDENCE_MAX_MB * 1024 * 1024),
    evidenceMaxFilesPerItem: e.EVIDENCE_MAX_FILES_PER_ITEM,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? listenBaseUrl(e.HOST, e.PORT)).replace(/\/+$/, ''),
    publicBaseUrlSet: e.PUBLIC_BASE_URL !== undefined,
    surveyRateLimitPerMinute: e.SURVEY_RATE_LIMIT_PER_MINUTE,
    surveyImportMaxBytes: Math.round(e.SURVEY_IMPORT_MAX_MB * 1024 * 1024),
    surveyPersonalDataRetentionDays: e.SURVEY_PERSONAL_DATA_RETENTION_DAYS,
    s3: e.S3_BUCKET
      ? {
          bucket: e.S3_BUCKET,
          region: e.S3_REGION,
          forcePathStyle: e.S3_FORCE_PATH_STYLE,
          prefix: e.S3_PREFIX,
          ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
          ...(e.S3_ACCESS_KEY_ID ? { accessKeyId: e.S3_ACCESS_KEY_ID } : {}),
          ...(e.S3_SECRET_ACCESS_KEY ? { secretAccessKey: e.S3_SECRET_ACCESS_KEY } : {}),
        }
      : undefined,
    signing: { privateKey: e.SIGNING_PRIVATE_KEY, publicKey: e.SIGNING_PUBLIC_KEY },
    publicRateLimitPerMinute: e.PUBLIC_RATE_LIMIT_PER_MINUTE,
    publicRateLimitStore: e.PUBLIC_RATE_LIMIT_STORE,
    instanceId: e.INSTANCE_ID ?? `${os.hostname()}:${process.pid}`,
    publicationCacheBytes: Math.round(e.PUBLICATION_CACHE_MB * 1024 * 1024),
  };
}
