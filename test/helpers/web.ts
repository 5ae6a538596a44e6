// A small browser stand-in over app.inject for the web pages: keeps cookies, reads the CSRF token from the page,
// posts urlencoded forms and multipart uploads.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** multipart/form-data with text fields first (as a browser sends a form's hidden CSRF field) and one file. */
function multipartBody(fields: Record<string, string>, file: { field: string; filename: string; content: Buffer; contentType?: string }) {
  const boundary = '----parweb' + randomBytes(8).toString('hex');
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`, 'utf8'));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`, 'utf8'));
  parts.push(file.content, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export class WebClient {
  readonly cookies = new Map<string, string>();
  csrf = '';
  /** The last page fetched with GET: sent as Referer with the next form, as a browser does. */
  page: string | null = null;
  /**
   * Like a browser, a form POST answered 303 to a kept page (`?loi=`, post/redirect/get) is followed and the page
   * the user then sees is returned; the 303 itself is in `lastPost`. Set false to get the 303 from post().
   */
  followKeptPages = true;
  lastPost: LightMyRequestResponse | null = null;

  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader() {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const cleared = c.value === '' || c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now());
      if (cleared) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /<meta name="csrf-token" content="([^"]*)">/.exec(res.body);
    if (m) this.csrf = m[1]!;
  }

  async get(address: string) {
    // A browser keeps the fragment (`#loi`) to itself.
    const url = address.split('#')[0]!;
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    this.remember(res);
    if (String(res.headers['content-type'] ?? '').startsWith('text/html')) this.page = url;
    return res;
  }

  private referer(): Record<string, string> {
    return this.page ? { referer: `http://localhost${this.page}` } : {};
  }

  private async settle(res: LightMyRequestResponse) {
    this.lastPost = res;
    const location = res.headers.location;
    if (!this.followKeptPages || res.statusCode !== 303 || typeof location !== 'string' || !/[?&]loi=/.test(location)) return res;
    return this.get(location);
  }

  /** Posts a form; `_csrf` is added from the last page unless given (pass `_csrf: ''` to send none). */
  async post(url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams();
    const withToken = '_csrf' in form ? form : { _csrf: this.csrf, ...form };
    for (const [k, v] of Object.entries(withToken)) for (const x of Array.isArray(v) ? v : [v]) if (!(k === '_csrf' && x === '')) body.append(k, x);
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...this.referer(), ...headers },
      payload: body.toString(),
    });
    this.remember(res);
    return this.settle(res);
  }

  async upload(url: string, fields: Record<string, string>, file: { field: string; filename: string; content: Buffer; contentType?: string }) {
    const { body, contentType } = multipartBody(fields, file);
    const res = await this.app.inject({ method: 'POST', url, headers: { cookie: this.cookieHeader(), 'content-type': contentType, ...this.referer() }, payload: body });
    this.remember(res);
    return this.settle(res);
  }

  async login(username: string, password: string) {
    await this.get('/dang-nhap');
    const res = await this.post('/dang-nhap', { username, password });
    if (res.statusCode !== 303) throw new Error(`web login ${username}: ${res.statusCode}`);
    return res;
  }
}
