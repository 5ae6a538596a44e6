// A minimal fake of the S3 HTTP API on 127.0.0.1 for the S3 blob store tests: path-style URLs,
// PutObject (verifying Content-Length and x-amz-checksum-sha256), GetObject, DeleteObject and
// ListObjectsV2 with paging. No auth, no multipart, no versions.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeObject {
  body: Buffer;
  contentType: string | undefined;
  lastModified: Date;
}

export interface FakeS3 {
  endpoint: string;
  objects: Map<string, FakeObject>;
  requests: { method: string; url: string }[];
  /** Page size for ListObjectsV2 (small, to exercise paging). */
  pageSize: number;
  /** When set, the next `times` PutObject requests fail with this status and error code. */
  failPuts: { status: number; code: string; times: number } | null;
  close(): Promise<void>;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function sendError(res: http.ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
}

export async function startFakeS3(bucket: string): Promise<FakeS3> {
  const objects = new Map<string, FakeObject>();
  const requests: { method: string; url: string }[] = [];
  const state: { pageSize: number; failPuts: FakeS3['failPuts'] } = { pageSize: 2, failPuts: null };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      requests.push({ method, url: req.url ?? '' });
      const url = new URL(req.url ?? '/', 'http://fake');
      const [, b, ...rest] = url.pathname.split('/');
      if (b !== bucket) return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      const key = rest.map(decodeURIComponent).join('/');
      const body = Buffer.concat(chunks);

      if (key === '' && method === 'GET' && url.searchParams.get('list-type') === '2') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const after = url.searchParams.get('continuation-token') ?? '';
        const max = Math.min(Number(url.searchParams.get('max-keys') ?? 1000), state.pageSize);
        const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
        const page = keys.slice(0, max);
        const truncated = keys.length > page.length;
        const contents = page
          .map((k) => {
            const o = objects.get(k)!;
            return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>"x"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
          })
          .join('');
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
            `<Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys>` +
            `<IsTruncated>${truncated}</IsTruncated>${contents}` +
            (truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1]!)}</NextContinuationToken>` : '') +
            `</ListBucketResult>`,
        );
      }
      if (key === '') return sendError(res, 400, 'InvalidRequest', `Unsupported bucket request ${method} ${req.url}`);

      if (method === 'PUT') {
        const fail = state.failPuts;
        if (fail && fail.times > 0) {
          fail.times--;
          return sendError(res, fail.status, fail.code, 'injected failure');
        }
        if (req.headers['content-encoding']?.includes('aws-chunked')) return sendError(res, 501, 'NotImplemented', 'aws-chunked');
        if (Number(req.headers['content-length']) !== body.length) return sendError(res, 400, 'IncompleteBody', 'length mismatch');
        const sum = req.headers['x-amz-checksum-sha256'];
        if (sum !== undefined && sum !== createHash('sha256').update(body).digest('base64')) {
          return sendError(res, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
        }
        objects.set(key, { body, contentType: req.headers['content-type'], lastModified: new Date() });
        res.writeHead(200, { etag: '"x"' });
        return res.end();
      }
      if (method === 'GET') {
        const o = objects.get(key);
        if (!o) return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        res.writeHead(200, {
          'content-length': o.body.length,
          'content-type': o.contentType ?? 'application/octet-stream',
          'last-modified': o.lastModified.toUTCString(),
          etag: '"x"',
        });
        return res.end(o.body);
      }
      if (method === 'DELETE') {
        objects.delete(key);
        res.writeHead(204);
        return res.end();
      }
      return sendError(res, 405, 'MethodNotAllowed', method);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    get pageSize() {
      return state.pageSize;
    },
    set pageSize(n: number) {
      state.pageSize = n;
    },
    get failPuts() {
      return state.failPuts;
    },
    set failPuts(v: FakeS3['failPuts']) {
      state.failPuts = v;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
