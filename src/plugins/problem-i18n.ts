// Problem+json in the reader's language (issue 15): Vietnamese by default, English when the client prefers it
// (`Accept-Language: en`). Only `title` and `detail` change; `type` URNs, field names (`errors[].field`), and every
// other member stay the same in both languages, so clients branch on `type` and `errors[].field`, never on text.
//
// Titles are translated per problem type. Details are translated where the error's class carries what is needed
// (not found, validation fields, phase, precondition, lock...); a service-specific English sentence without a
// Vietnamese counterpart is kept after a Vietnamese summary, so no information is lost in either language.
import type { FastifyRequest } from 'fastify';
import { AppError, NotFoundError, ValidationError, type FieldError } from '../lib/errors.js';
import { headerQuality } from '../lib/http.js';
import { fieldMessage, webError } from '../web/messages.js';

export type ProblemLanguage = 'vi' | 'en';

/**
 * Vietnamese unless the client rates English above Vietnamese (`en`, `en-US`, …); a client that sends nothing or
 * only other languages gets Vietnamese, the product's language.
 */
export function problemLanguage(req: FastifyRequest): ProblemLanguage {
  const header = req.headers['accept-language'];
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (!raw) return 'vi';
  const tags = raw.split(',').map((p) => (p.split(';')[0] ?? '').trim().toLowerCase());
  const en = headerQuality(raw, [...new Set(['en', ...tags.filter((t) => t.startsWith('en-'))])]);
  const vi = headerQuality(raw, [...new Set(['vi', ...tags.filter((t) => t.startsWith('vi-'))])]);
  return en > vi ? 'en' : 'vi';
}

/** Vietnamese title of each problem type (slug of urn:par-index:problem:…). */
const titles: Record<string, string> = {
  validation: 'Dữ liệu không hợp lệ',
  'bad-request': 'Yêu cầu không hợp lệ',
  unauthorized: 'Chưa đăng nhập',
  forbidden: 'Không có quyền',
  'password-change-required': 'Cần đổi mật khẩu',
  'not-found': 'Không tìm thấy',
  conflict: 'Xung đột dữ liệu',
  'wrong-phase': 'Không thực hiện được trong giai đoạn hiện tại',
  'precondition-failed': 'Dữ liệu đã thay đổi',
  'precondition-required': 'Thiếu điều kiện phiên bản (If-Match)',
  'payload-too-large': 'Dữ liệu gửi lên quá lớn',
  'unsupported-media-type': 'Định dạng không được hỗ trợ',
  'empty-file': 'Tệp rỗng',
  'rate-limited': 'Quá nhiều yêu cầu',
  overloaded: 'Hệ thống đang quá tải',
  unavailable: 'Dịch vụ tạm thời không sẵn sàng',
  internal: 'Lỗi hệ thống',
};

const statusTitles: Record<number, string> = {
  400: 'Yêu cầu không hợp lệ',
  401: 'Chưa đăng nhập',
  403: 'Không có quyền',
  404: 'Không tìm thấy',
  405: 'Phương thức không được hỗ trợ',
  406: 'Không có định dạng phù hợp',
  409: 'Xung đột dữ liệu',
  410: 'Không còn tồn tại',
  412: 'Dữ liệu đã thay đổi',
  413: 'Dữ liệu gửi lên quá lớn',
  415: 'Định dạng không được hỗ trợ',
  422: 'Dữ liệu không hợp lệ',
  423: 'Tài khoản tạm khóa',
  428: 'Thiếu điều kiện phiên bản (If-Match)',
  429: 'Quá nhiều yêu cầu',
  500: 'Lỗi hệ thống',
  503: 'Dịch vụ tạm thời không sẵn sàng',
};

/** Entities named by NotFoundError, in Vietnamese. */
const entities: Record<string, string> = {
  'API token': 'Mã truy cập API',
  Area: 'Lĩnh vực',
  Assessment: 'Bản đánh giá',
  Criterion: 'Tiêu chí',
  'Evidence file': 'Tệp tài liệu kiểm chứng',
  Evidence: 'Tài liệu kiểm chứng',
  Framework: 'Bộ tiêu chí',
  'Minutes file of round': 'Biên bản của kỳ đánh giá',
  'Org unit': 'Đơn vị',
  Unit: 'Đơn vị',
  Publication: 'Bản công bố',
  'Published results of unit': 'Kết quả đã công bố của đơn vị',
  Round: 'Kỳ đánh giá',
  Survey: 'Khảo sát',
  User: 'Người dùng',
};

/** Exact English details of generic problems (not tied to an error class) and their Vietnamese. */
const exactDetails: Record<string, string> = {
  'The database is unreachable.': 'Không kết nối được cơ sở dữ liệu.',
  'The service is under heavy load; retry shortly.': 'Hệ thống đang quá tải; vui lòng thử lại sau ít phút.',
  'An object with the same identifier already exists.': 'Đã có bản ghi cùng mã.',
  'The object is referenced by, or refers to, another object that does not allow this change.':
    'Bản ghi đang được bản ghi khác tham chiếu (hoặc tham chiếu tới bản ghi khác) nên không thể thay đổi như vậy.',
  'The values violate a data rule.': 'Giá trị vi phạm một ràng buộc dữ liệu.',
  'A concurrent change conflicted with this one; retry.': 'Một thay đổi đồng thời xung đột với thay đổi này; vui lòng thử lại.',
  'Authentication required.': 'Cần đăng nhập (gửi Authorization: Bearer <token>).',
  'Invalid username or password.': 'Sai tên đăng nhập hoặc mật khẩu.',
  'The token is invalid, expired or revoked.': 'Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.',
  'You are not allowed to do this.': 'Bạn không có quyền thực hiện thao tác này.',
  'This write requires an If-Match header with the current ETag.': 'Thao tác ghi này cần header If-Match với ETag hiện tại.',
  'The resource was changed by someone else; reload and try again.': 'Dữ liệu vừa được người khác thay đổi; hãy tải lại rồi thử lại.',
};

/** Vietnamese summary per status for details that have no full translation. */
const statusSummaries: Record<number, string> = {
  400: 'Yêu cầu không hợp lệ.',
  401: 'Cần đăng nhập.',
  403: 'Bạn không có quyền thực hiện thao tác này.',
  404: 'Không tìm thấy.',
  409: 'Thao tác bị từ chối vì trạng thái hiện tại của dữ liệu.',
  413: 'Dữ liệu gửi lên vượt giới hạn cho phép.',
  415: 'Định dạng dữ liệu không được hỗ trợ.',
  422: 'Dữ liệu không hợp lệ.',
  429: 'Quá nhiều yêu cầu; vui lòng thử lại sau.',
  503: 'Dịch vụ tạm thời không sẵn sàng; vui lòng thử lại sau.',
};

/** Each field by its path with the web UI's Vietnamese message; the English one is added when that is only generic. */
const fieldList = (errors: FieldError[]) =>
  errors
    .map((e) => {
      const vi = fieldMessage(e);
      return `${e.field}: ${/^[^ ]+( [^ ]+)? không hợp lệ\.$/.test(vi) ? `${vi.slice(0, -1)} (${e.message})` : vi}`;
    })
    .join('; ');

/**
 * The Vietnamese detail of a thrown error: a full translation when the error's class carries everything its English
 * sentence says, otherwise the web UI's Vietnamese message followed by the exact English detail (which names
 * phases, limits and codes a client may need), or undefined when there is no Vietnamese message at all.
 */
function errorDetail(err: AppError): string | undefined {
  if (err instanceof NotFoundError) {
    const entity = String(err.extra.entity ?? '');
    return `Không tìm thấy ${(entities[entity] ?? entity).toLowerCase()} '${String(err.extra.id ?? '')}'.`;
  }
  if (err instanceof ValidationError) {
    const errors = (err.extra.errors as FieldError[] | undefined) ?? [];
    return errors.length ? `Dữ liệu không hợp lệ: ${fieldList(errors)}.` : undefined;
  }
  if (exactDetails[err.message]) return exactDetails[err.message];
  const vi = webError(err).message;
  // A generic web message ("Không thực hiện được…") is no translation: the status summary says as much.
  const generic = ['Không thực hiện được thao tác này.', 'Thao tác bị từ chối vì trạng thái hiện tại không cho phép.', 'Bạn không có quyền thực hiện thao tác này.'];
  return generic.includes(vi) ? undefined : `${vi} Chi tiết: ${err.message}`;
}

export interface ProblemText {
  title: string;
  detail: string;
}

/**
 * Title and detail of a problem in `lang`. `err` is the thrown error when there is one; `errors` the field errors
 * of a request-validation problem (400), which are named in the Vietnamese detail by field path.
 */
export function localizeProblem(
  lang: ProblemLanguage,
  status: number,
  body: { type: string; title: string; detail: string },
  ctx: { err?: unknown; errors?: FieldError[]; route?: string; requestId?: string } = {},
): ProblemText {
  if (lang === 'en') return { title: body.title, detail: body.detail };
  const slug = body.type.split(':').pop() ?? '';
  const title = titles[slug] ?? statusTitles[status] ?? body.title;
  let detail: string | undefined;
  if (ctx.err instanceof AppError) detail = errorDetail(ctx.err);
  else if (ctx.errors) detail = `Dữ liệu không hợp lệ ở ${ctx.errors.length} trường: ${ctx.errors.map((e) => `${e.field} (${e.message})`).join('; ')}.`;
  else if (ctx.route) detail = `Không có đường dẫn ${ctx.route}.`;
  else if (slug === 'internal') detail = `Đã xảy ra lỗi ngoài dự kiến. Khi báo lỗi, vui lòng cung cấp mã yêu cầu ${ctx.requestId ?? ''}.`;
  else detail = exactDetails[body.detail];
  if (detail === undefined) {
    const summary = statusSummaries[status] ?? `${title}.`;
    detail = `${summary} Chi tiết: ${body.detail}`;
  }
  return { title, detail };
}
