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

  async get(url: string) {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    this.remember(res);
    return res;
  }

  /** Posts a form; `_csrf` is added from the last page unless given (pass `_csrf: ''` to send none). */
  async post(url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams();
    const withToken = '_csrf' in form ? form : { _csrf: this.csrf, ...form };
    for (const [k, v] of Object.entries(withToken)) for (const x of Array.isArray(v) ? v : [v]) if (!(k === '_csrf' && x === '')) body.append(k, x);
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: body.toString(),
    });
    this.remember(res);
    return res;
  }

  async upload(url: string, fields: Record<string, string>, file: { field: string; filename: string; content: Buffer; contentType?: string }) {
    const { body, contentType } = multipartBody(fields, file);
    const res = await this.app.inject({ method: 'POST', url, headers: { cookie: this.cookieHeader(), 'content-type': contentType }, payload: body });
    this.remember(res);
    return res;
  }

  async login(username: string, password: string) {
    await this.get('/dang-nhap');
    const res = await this.post('/dang-nhap', { username, password });
    if (res.statusCode !== 303) throw new Error(`web login ${username}: ${res.statusCode}`);
    return res;
  }
}
