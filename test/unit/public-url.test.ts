// The public base URL of survey links and QR codes (issue 15 item 3): it must follow where the service really is.
import http from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { publicBaseUrl } from '../../src/lib/public-url.js';

let server: FastifyInstance | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A real server on an ephemeral port answering with the base URL it would print on a QR code. */
async function serve(env: Record<string, string>): Promise<string> {
  const config = loadConfig(env);
  // Only true/false are used here; the cast picks Fastify's plain-HTTP overload.
  const s = Fastify({ trustProxy: config.trustProxy as boolean });
  server = s;
  s.get('/base', async (req) => ({ base: publicBaseUrl(config, req) }));
  await s.listen({ host: config.host, port: config.port });
  const addr = s.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('no address');
  return `http://127.0.0.1:${addr.port}`;
}

/** node:http rather than fetch: fetch will not let a test choose the Host header. */
function baseOf(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/base`, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve((JSON.parse(body) as { base: string }).base));
    });
    req.on('error', reject);
  });
}

describe('public base URL', () => {
  it('PUBLIC_BASE_URL wins over everything, without its trailing slash', async () => {
    const url = await serve({ HOST: '127.0.0.1', PORT: '0', PUBLIC_BASE_URL: 'https://cchc.example.gov.vn/', TRUST_PROXY: 'true' });
    expect(await baseOf(url, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' })).toBe('https://cchc.example.gov.vn');
  });

  it('unset: the host it listens on and the port it really got (PORT=0 included), not localhost:3000', async () => {
    const url = await serve({ HOST: '127.0.0.1', PORT: '0' });
    const port = new URL(url).port;
    expect(port).not.toBe('3000');
    expect(await baseOf(url)).toBe(`http://127.0.0.1:${port}`);
  });

  it('unset on a wildcard address: the host the client connected to', async () => {
    const url = await serve({ HOST: '0.0.0.0', PORT: '0' });
    const port = new URL(url).port;
    expect(await baseOf(url)).toBe(`http://127.0.0.1:${port}`);
    // A browser reaching the machine by name sends that name.
    expect(await baseOf(url, { host: `cchc.local:${port}` })).toBe(`http://cchc.local:${port}`);
  });

  it('unset behind TRUST_PROXY: the scheme and host the proxy reports', async () => {
    const url = await serve({ HOST: '127.0.0.1', PORT: '0', TRUST_PROXY: 'true' });
    expect(await baseOf(url, { 'x-forwarded-host': 'cchc.sadec.gov.vn', 'x-forwarded-proto': 'https' })).toBe('https://cchc.sadec.gov.vn');
  });
});
