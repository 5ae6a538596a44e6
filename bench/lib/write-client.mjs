// Load generator for bench/write-path.ts (worker thread): each writer PUTs self scores on its own unit over
// keep-alive HTTP, cycling through the unit's criteria and carrying each item's ETag forward (If-Match).
/* global performance, Buffer */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { port, roundId, seconds, writers } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: writers.length });

function put(path, token, etag, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'PUT', agent, headers: { authorization: `Bearer ${token}`, 'if-match': etag, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, etag: res.headers.etag }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const latencies = [];
const statuses = {};
let count = 0;
let errors = 0;
const end = performance.now() + seconds * 1000;
await Promise.all(
  writers.map(async (w, wi) => {
    const codes = Object.keys(w.etags);
    let i = wi;
    while (performance.now() < end) {
      const code = codes[i++ % codes.length];
      const t0 = performance.now();
      const r = await put(`/api/v1/rounds/${roundId}/assessments/${w.unitCode}/items/${code}/self`, w.token, w.etags[code], { input: { option: i % 2 ? 'FULL' : 'HALF' } });
      latencies.push(performance.now() - t0);
      if (r.status === 200) {
        w.etags[code] = r.etag;
        count++;
      } else {
        errors++;
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
    }
  }),
);
agent.destroy();
// The ETags each writer ends with go back to the caller: the next measurement continues from them (a writer that
// re-sent the ETags it started with would get 412 on every item it already changed).
parentPort.postMessage({ count, errors, statuses, latencies, etags: writers.map((w) => w.etags) });
