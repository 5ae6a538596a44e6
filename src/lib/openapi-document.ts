// The last pass over the generated OpenAPI document, in one place rather than on 80 routes: error responses are
// what the service really sends (RFC 9457 `application/problem+json`, whatever the success media type), each
// status documented once under components/responses and referenced, with the statuses every operation can meet
// (400 from the input guard, 401 without credentials, 413 on bodies, 429 on rate-limited public routes, 503 during
// load shedding or a database outage), and the headers every answer carries.
// Pure: a document in, the same document (mutated) out.
import { applyOperationDocs } from './openapi/index.js';
import { preciseOpenApiDocument } from './openapi-precision.js';

type Json = Record<string, unknown>;

const PROBLEM_MEDIA = 'application/problem+json';
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** Status → description (Vietnamese first, as the service's messages). */
export const PROBLEM_STATUSES: Record<string, string> = {
  '400': 'Yêu cầu không hợp lệ (malformed request: unreadable body, NUL bytes, bad path or query parameter)',
  '401': 'Chưa đăng nhập hoặc phiên đã hết hạn (missing or expired credentials)',
  '403': 'Không có quyền (the caller’s role may not do this)',
  '404': 'Không tìm thấy (no such resource, or not visible to the caller)',
  '409': 'Xung đột với trạng thái hiện tại (wrong phase, duplicate, already done)',
  '412': 'Dữ liệu đã bị người khác thay đổi (If-Match does not match the current ETag; `currentEtag` carries it)',
  '413': 'Nội dung gửi lên quá lớn (request body or file over the limit)',
  '415': 'Định dạng không được chấp nhận (unsupported media type or file content)',
  '422': 'Dữ liệu không hợp lệ (validation failed; `errors[]` names each field)',
  '428': 'Thiếu If-Match (the current ETag must be sent with this write)',
  '429': 'Quá nhiều yêu cầu (rate limit; see Retry-After)',
  '500': 'Lỗi hệ thống (unexpected error; quote `instance`, the request id)',
  '503': 'Tạm thời không phục vụ được (overloaded or the database is unreachable; retry after Retry-After seconds)',
};

const HEADERS: Json = {
  ETag: { description: 'Version of the item; send it back as If-Match on the next write', schema: { type: 'string' } },
  RequestId: { description: 'Mã yêu cầu (request id); also `instance` in problem bodies and in the logs', schema: { type: 'string' } },
  RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
  RateLimitLimit: { description: 'Requests allowed in the current window', schema: { type: 'integer' } },
  RateLimitRemaining: { description: 'Requests left in the current window', schema: { type: 'integer' } },
  RateLimitReset: { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

function problemResponse(status: string): Json {
  const headers: Json = { 'x-request-id': headerRef('RequestId') };
  if (status === '429' || status === '503') headers['Retry-After'] = headerRef('RetryAfter');
  if (status === '429') {
    headers['x-ratelimit-limit'] = headerRef('RateLimitLimit');
    headers['x-ratelimit-remaining'] = headerRef('RateLimitRemaining');
    headers['x-ratelimit-reset'] = headerRef('RateLimitReset');
  }
  // A 412 always names the current version (src/lib/http.ts preconditionFailedProblemSchema).
  const schema = status === '412' ? { $ref: '#/components/schemas/PreconditionFailedProblem' } : PROBLEM_REF;
  return { description: PROBLEM_STATUSES[status] ?? 'Problem', headers, content: { [PROBLEM_MEDIA]: { schema } } };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Đã tạo (created)',
  '202': 'Đã nhận (accepted)',
  '204': 'Xong, không có nội dung (done, no content)',
  '304': 'Không đổi (not modified; the cached copy is current)',
};

/** Declared tags, in the order a reader meets them in a round's life. */
export const API_TAGS: { name: string; description: string }[] = [
  { name: 'auth', description: 'Đăng nhập, mã truy cập (login, tokens, password)' },
  { name: 'directory', description: 'Đơn vị và người dùng (org units with lineage, users, roles)' },
  { name: 'frameworks', description: 'Bộ tiêu chí (criteria frameworks: drafts, publish, XLSX, simulate)' },
  { name: 'rounds', description: 'Đợt đánh giá (rounds, schedule, phases, appraisers, extensions)' },
  { name: 'assessments', description: 'Tự đánh giá (self-assessment items, evidence, submit)' },
  { name: 'appraisal', description: 'Thẩm định (appraisal, explanation, final scores, council decisions)' },
  { name: 'settlement', description: 'Hoàn tất đợt (open items, transitions with unsubmitted units, objections)' },
  { name: 'results', description: 'Kết quả (live results, discrepancies, progress, exports)' },
  { name: 'surveys', description: 'Khảo sát sự hài lòng (questionnaires, responses, imports, results)' },
  { name: 'publications', description: 'Công bố (signed publications, corrections)' },
  { name: 'public', description: 'Công khai (anonymous: published rankings, verification, survey forms)' },
  { name: 'plans', description: 'Kế hoạch CCHC, báo cáo định kỳ, kiểm tra (plan tasks, periodic reports, inspections)' },
  { name: 'audit', description: 'Nhật ký (hash-chained audit log and its verification)' },
  { name: 'admin', description: 'Quản trị (background jobs and operations)' },
  { name: 'health', description: 'Tình trạng dịch vụ (liveness and readiness)' },
];

export function finishOpenApiDocument<T extends Json>(doc: T): T {
  // Only tags some operation uses are declared; new ones a route adds are listed after the known ones.
  const used = new Set<string>();
  for (const item of Object.values(((doc as Json).paths ?? {}) as Record<string, Json>)) {
    for (const m of METHODS) for (const tag of (((item[m] as Json | undefined)?.tags as string[] | undefined) ?? [])) used.add(tag);
  }
  (doc as Json).tags = [...API_TAGS.filter((t) => used.has(t.name)), ...[...used].filter((n) => !API_TAGS.some((t) => t.name === n)).sort().map((name) => ({ name }))];
  const components = ((doc as Json).components ??= {}) as Json;
  const responses = (components.responses ??= {}) as Json;
  for (const status of Object.keys(PROBLEM_STATUSES)) responses[`Problem${status}`] = problemResponse(status);
  components.headers = { ...((components.headers as Json | undefined) ?? {}), ...HEADERS };
  const globalSecurity = (doc as Json).security as unknown[] | undefined;

  for (const [path, pathItem] of Object.entries(((doc as Json).paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = pathItem[method] as Json | undefined;
      if (!op) continue;
      const rs = (op.responses ??= {}) as Record<string, Json>;
      const security = (op.security as unknown[] | undefined) ?? globalSecurity ?? [];
      const isPublic = security.length === 0;
      // Every write that takes If-Match requires it (428 without, 412 when stale): the service never accepts a
      // blind overwrite of an item, so a generated client must not compile one. Its answers carry the new ETag.
      const params = (op.parameters ?? []) as Json[];
      const ifMatch = params.find((p) => p.in === 'header' && String(p.name).toLowerCase() === 'if-match');
      if (ifMatch) {
        ifMatch.required = true;
        ifMatch.description ??= 'The ETag of the item as last read (428 when missing or `*`, 412 when stale)';
      }
      const versioned = !!ifMatch || (method === 'get' && /\/items\/\{[^}]+\}$/.test(path));
      // Statuses every operation can meet, whatever its route declares.
      const implied = ['400', '503'];
      if (ifMatch) implied.push('412', '428');
      if (!isPublic) implied.push('401');
      if (isPublic && !op.operationId?.toString().startsWith('health')) implied.push('429');
      if (op.requestBody) implied.push('413', '415');
      for (const s of implied) rs[s] ??= {};
      for (const [status, r] of Object.entries(rs)) {
        if (Number(status) >= 400) {
          rs[status] = PROBLEM_STATUSES[status] ? { $ref: `#/components/responses/Problem${status}` } : problemResponse(status);
          continue;
        }
        if (!r.description || r.description === 'Default Response') r.description = SUCCESS_DESCRIPTIONS[status] ?? 'OK';
        r.headers = { 'x-request-id': headerRef('RequestId'), ...(versioned && status.startsWith('2') ? { ETag: headerRef('ETag') } : {}), ...((r.headers as Json | undefined) ?? {}) };
      }
      // Sorted statuses read better and keep the committed document stable.
      op.responses = Object.fromEntries(Object.entries(rs).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  // Summaries, descriptions and demo examples of each operation (src/lib/openapi/).
  applyOperationDocs(doc);
  // Uploads, downloads and one component per schema (src/lib/openapi-precision.ts); last, as it rewrites $refs.
  return preciseOpenApiDocument(doc);
}
