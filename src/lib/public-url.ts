// Where citizens and clients reach this service, for links that leave it (survey form links, QR codes printed at
// the one-stop desk). PUBLIC_BASE_URL wins; without it the address is derived so a printed QR code never points
// at a port or host the service is not on (it used to be a fixed http://localhost:3000).
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/** "::1" → "[::1]" so the host can sit in a URL. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The configured default before any request: HOST:PORT as listened on (a wildcard shows as localhost). */
export function listenBaseUrl(host: string, port: number): string {
  return `http://${WILDCARD_HOSTS.has(host) ? 'localhost' : urlHost(host)}:${port}`;
}

/**
 * The public base URL for links built while answering `req` (no trailing slash):
 * - PUBLIC_BASE_URL when set;
 * - behind TRUST_PROXY, the scheme and host the client used as reported by the proxy (X-Forwarded-Proto/-Host);
 * - otherwise the address the service listens on: HOST and the socket's real port (PORT=0 included), or, when
 *   HOST is a wildcard, the host the client connected to (the only address known to reach this machine).
 */
export function publicBaseUrl(config: Pick<Config, 'publicBaseUrl' | 'publicBaseUrlSet' | 'trustProxy' | 'host' | 'port'>, req: FastifyRequest): string {
  if (config.publicBaseUrlSet) return config.publicBaseUrl;
  if (config.trustProxy !== false) return `${req.protocol}://${req.host}`.replace(/\/+$/, '');
  if (WILDCARD_HOSTS.has(config.host)) return `http://${req.host}`;
  const port = req.socket?.localPort ?? config.port;
  return `http://${urlHost(config.host)}:${port}`;
}
