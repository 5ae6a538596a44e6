import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('has working defaults for a newcomer: embedded database with demo data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, demoData: true, logLevel: 'info', trustProxy: false, corsOrigins: [] });
    expect(c.dataDir).toBe(path.resolve('./data'));
  });

  it('turns demo data off by default on a real database, and on when asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/par' }).demoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/par', DEMO_DATA: 'true' }).demoData).toBe(true);
    expect(loadConfig({ DEMO_DATA: 'false' }).demoData).toBe(false);
  });

  it('parses TRUST_PROXY as boolean, hop count or address list, and CORS_ORIGINS as a list', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
    expect(loadConfig({ CORS_ORIGINS: 'https://a.gov.vn, https://b.gov.vn' }).corsOrigins).toEqual(['https://a.gov.vn', 'https://b.gov.vn']);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('refuses bad values with a message naming each variable', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', ADMIN_PASSWORD: 'short' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', ADMIN_PASSWORD: 'short' });
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/LOG_LEVEL/);
      expect((e as Error).message).toMatch(/ADMIN_PASSWORD/);
    }
  });
});

describe('several instances (issue 16, issue 18 item 7)', () => {
  it('login limits: per (address, username) 10, per address 10 × that unless set; public limit counted per instance by default', () => {
    const d = loadConfig({});
    expect([d.loginRateLimitPerMinute, d.loginAddressRateLimitPerMinute, d.publicRateLimitStore]).toEqual([10, 100, 'memory']);
    expect(loadConfig({ LOGIN_RATE_LIMIT_PER_MINUTE: '4' }).loginAddressRateLimitPerMinute).toBe(40);
    const set = loadConfig({ LOGIN_RATE_LIMIT_PER_MINUTE: '4', LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '25', PUBLIC_RATE_LIMIT_STORE: 'database', INSTANCE_ID: 'app1' });
    expect([set.loginAddressRateLimitPerMinute, set.publicRateLimitStore, set.instanceId]).toEqual([25, 'database', 'app1']);
    expect(d.instanceId).toMatch(/:\d+$/);
  });

  it('refuses an unknown rate-limit store and a zero address limit, naming the variable', () => {
    expect(() => loadConfig({ PUBLIC_RATE_LIMIT_STORE: 'redis' })).toThrow(/PUBLIC_RATE_LIMIT_STORE/);
    expect(() => loadConfig({ LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE/);
    expect(() => loadConfig({ PUBLIC_RATE_LIMIT_STORE: 'redis' })).toThrow(ConfigError);
  });

  it('heavy endpoints: 4 at once by default, 0 = no cap, negative refused', () => {
    expect(loadConfig({}).heavyMaxConcurrent).toBe(4);
    expect(loadConfig({ HEAVY_MAX_CONCURRENT: '0' }).heavyMaxConcurrent).toBe(0);
    expect(() => loadConfig({ HEAVY_MAX_CONCURRENT: '-1' })).toThrow(/HEAVY_MAX_CONCURRENT/);
  });
});
