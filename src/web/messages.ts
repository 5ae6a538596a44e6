// Typed service errors as Vietnamese messages for the pages: a summary, and one message per form field where the
// error names a field. Services keep their English API messages; the web reads codes, classes and fields.
import { AppError, ConflictError, ForbiddenError, NotFoundError, PhaseConflictError, PreconditionFailedError, UnauthorizedError, ValidationError, type FieldError } from '../lib/errors.js';
import { pgCodeOf } from '../plugins/problem.js';
import { isDatabaseUnavailable } from '../lib/db-errors.js';
import { fmtDate } from './format.js';
import { phaseLabel } from './labels.js';

export interface WebError {
  status: number;
  message: string;
  /** Form field name (the last segment of the service's field path, e.g. "percent") → message. */
  fields: Record<string, string>;
  /** Per-criterion problems of a refused submission, in order. */
  items: { code: string; problem: 'not_scored' | 'evidence_missing' | 'other'; message: string }[];
}

const fieldNames: Record<string, string> = {
  percent: 'Tỷ lệ (%)',
  numerator: 'Tử số',
  denominator: 'Mẫu số',
  count: 'Số lượng',
  points: 'Số điểm',
  option: 'Lựa chọn',
  value: 'Có/Không',
};

const isoInText = (s: string) => /(\d{4}-\d{2}-\d{2})/.exec(s)?.[1];

/** One field error in Vietnamese. */
export function fieldMessage(e: FieldError): string {
  const key = e.field.split('.').pop() ?? e.field;
  const name = fieldNames[key] ?? 'Giá trị';
  const m = e.message;
  switch (e.code) {
    case 'missing':
      return `Vui lòng nhập ${name.toLowerCase()}.`;
    case 'required':
      if (key === 'comment') {
        if (m.includes('differ')) return 'Cần ghi nhận xét khi điểm thẩm định khác điểm tự chấm.';
        if (m.includes('rejecting')) return 'Cần ghi lý do khi không công nhận "không phát sinh".';
        if (m.includes('explain')) return 'Cần ghi rõ nội dung đơn vị phải giải trình.';
        return 'Vui lòng nhập nhận xét.';
      }
      if (key === 'confirmNotApplicable') return 'Đơn vị khai "không phát sinh": hãy chọn công nhận hoặc không công nhận.';
      if (key === 'input') return 'Vui lòng nhập kết quả tự chấm, hoặc chọn "Không phát sinh" nếu tiêu chí cho phép.';
      if (key === 'points') return 'Vui lòng nhập số điểm.';
      return 'Trường này là bắt buộc.';
    case 'invalid_type':
      return `${name} không hợp lệ: hãy nhập một số (dùng dấu phẩy cho phần thập phân, ví dụ 92,5).`;
    case 'out_of_range':
      if (key === 'percent') return 'Tỷ lệ phải nằm trong khoảng từ 0 đến 100.';
      if (key === 'numerator') return 'Tử số phải từ 0 đến mẫu số.';
      if (key === 'denominator') return 'Mẫu số phải lớn hơn hoặc bằng tử số.';
      if (key === 'count') return 'Số lượng không được âm.';
      return `${name} nằm ngoài khoảng cho phép.`;
    case 'not_integer':
      return `${name} phải là số nguyên.`;
    case 'not_multiple_of_step': {
      const step = /multiple of ([\d.]+)/.exec(m)?.[1];
      return step ? `Số điểm phải là bội số của ${step.replace('.', ',')}.` : 'Số điểm không đúng bước điểm của tiêu chí.';
    }
    case 'too_many_decimals':
      return `${name} chỉ được có tối đa 2 chữ số thập phân.`;
    case 'unknown_option':
      return 'Lựa chọn không có trong tiêu chí này.';
    case 'denominator_zero':
      return 'Mẫu số bằng 0 (không phát sinh) nhưng tiêu chí này không cho phép khai "không phát sinh".';
    case 'na_not_allowed':
      return 'Tiêu chí này không cho phép khai "không phát sinh".';
    case 'invalid_points': {
      const between = /between 0 and ([\d.]+)/.exec(m)?.[1];
      if (between) return `Số điểm phải từ 0 đến ${between.replace('.', ',')}.`;
      const list = /: ([\d., ]+)$/.exec(m)?.[1];
      if (list) return `Số điểm phải là một trong các mức: ${list.split(',').map((s) => s.trim().replace('.', ',')).join('; ')}.`;
      if (m.includes('multiple of')) return `Số điểm phải là bội số của ${(/multiple of ([\d.]+)/.exec(m)?.[1] ?? '').replace('.', ',')}.`;
      return 'Số điểm không hợp lệ theo quy tắc chấm của tiêu chí (tối đa 2 chữ số thập phân).';
    }
    case 'order':
      return 'Hạn của giai đoạn này không được sớm hơn hạn của giai đoạn trước.';
    case 'not_later':
      return `Ngày gia hạn phải sau hạn chung của kỳ đánh giá (${fmtDate(isoInText(m))}).`;
    case 'duplicate':
      return 'Giá trị bị trùng.';
    case 'unknown_framework':
      return 'Bộ tiêu chí không tồn tại.';
    case 'framework_not_published':
      return 'Bộ tiêu chí còn là dự thảo; hãy ban hành trước.';
    case 'unknown_unit':
      return 'Đơn vị không tồn tại.';
    case 'inactive_unit':
      return 'Đơn vị không còn hoạt động.';
    case 'unknown_user':
      return 'Không có người dùng đang hoạt động với tên này.';
    case 'not_appraiser':
      return 'Người dùng này không có vai trò thẩm định.';
    case 'unknown_area':
      return 'Không có lĩnh vực này trong bộ tiêu chí của kỳ.';
    case 'own_unit':
      return 'Thành viên thẩm định không được thẩm định chính đơn vị mình.';
    case 'not_claimed':
      return 'Đơn vị không khai "không phát sinh" cho tiêu chí này.';
    default:
      return `${name} không hợp lệ.`;
  }
}

function conflictMessage(err: AppError): string {
  const d = err.message;
  if (d.includes('has been submitted')) return 'Bản tự đánh giá đã được nộp nên không sửa được, trừ khi cơ quan điều phối trả lại.';
  if (d.includes('did not ask for an explanation')) return 'Hội đồng không yêu cầu giải trình tiêu chí này.';
  if (d.includes('evidence entries')) return 'Tiêu chí đã có số tài liệu kiểm chứng tối đa; hãy gỡ bớt trước khi thêm.';
  if (d.includes('no final score')) {
    const n = /^(\d+)/.exec(d)?.[1] ?? '';
    return `Còn ${n} tiêu chí chưa có điểm cuối cùng: hãy hoàn tất thẩm định lại hoặc xác nhận điểm tự chấm trước khi chuyển Hội đồng xem xét.`;
  }
  if (d.includes('already exists')) return 'Mã này đã tồn tại.';
  if (d.includes('is published and cannot change')) return 'Bộ tiêu chí đã ban hành, không thể sửa; hãy sao chép thành bản dự thảo mới.';
  if (d.includes('has not been submitted')) return 'Đơn vị chưa nộp bản tự đánh giá nên không có gì để trả lại.';
  if (d.includes('scored from survey')) return 'Tiêu chí này được tính điểm từ kết quả khảo sát.';
  if (d.includes('appraisal council only')) return 'Tiêu chí này do Hội đồng thẩm định chấm.';
  if (d.includes('was not flagged')) return 'Tiêu chí không thuộc diện giải trình; điểm thẩm định là điểm cuối cùng.';
  return 'Thao tác bị từ chối vì trạng thái hiện tại không cho phép.';
}

function phaseMessage(err: PhaseConflictError): string {
  const phase = String(err.extra.phase ?? '');
  const d = err.message;
  if (d.includes('deadline')) {
    const date = isoInText(d);
    return `Đã quá hạn${date ? ` (${fmtDate(date)})` : ''}; đề nghị cơ quan điều phối gia hạn.`;
  }
  const to = /can only move to '(\w+)'/.exec(d)?.[1];
  if (to) return `Kỳ đánh giá đang ở giai đoạn "${phaseLabel(phase)}", chỉ có thể chuyển sang "${phaseLabel(to)}".`;
  if (d.includes('by creating a publication')) return 'Kỳ đánh giá được chuyển sang "Đã công bố" bằng việc công bố kết quả.';
  if (d.includes('cannot move any further')) return 'Kỳ đánh giá đã ở giai đoạn cuối.';
  return `Không thực hiện được trong giai đoạn hiện tại ("${phaseLabel(phase)}").`;
}

/** Any error thrown by a service, in Vietnamese, with its HTTP status. */
export function webError(err: unknown): WebError {
  const out: WebError = { status: 500, message: 'Đã có lỗi ngoài dự kiến. Vui lòng thử lại sau.', fields: {}, items: [] };
  if (!(err instanceof AppError)) {
    // A write that lost a race to a unique constraint (two people creating the same code at once): as the API's 409.
    if (isDatabaseUnavailable(err)) return { ...out, status: 503, message: 'Cơ sở dữ liệu tạm thời không truy cập được; thao tác này chưa được lưu. Vui lòng thử lại sau ít phút.' };
    const code = pgCodeOf(err);
    // A value the database cannot store (out-of-range number, NUL character): the user's input, not our fault.
    if (code?.startsWith('22')) return { ...out, status: 422, message: 'Dữ liệu nhập không hợp lệ (số quá lớn hoặc ký tự không cho phép).' };
    if (code === '23505') return { ...out, status: 409, message: 'Đã có bản ghi trùng mã hoặc tên đăng nhập (vừa được tạo ở nơi khác). Vui lòng kiểm tra lại.' };
    if (code === '40001' || code === '40P01') return { ...out, status: 409, message: 'Dữ liệu vừa được thay đổi đồng thời ở nơi khác. Vui lòng thử lại.' };
    return out;
  }
  out.status = err.status;
  if (err instanceof ValidationError) {
    const errors = (err.extra.errors as FieldError[] | undefined) ?? [];
    for (const e of errors) {
      const item = /^items\.(.+)$/.exec(e.field);
      if (item) {
        const problem = e.code === 'not_scored' || e.code === 'evidence_missing' ? e.code : 'other';
        out.items.push({
          code: item[1]!,
          problem,
          message: problem === 'not_scored' ? 'chưa chấm điểm' : problem === 'evidence_missing' ? 'chưa có tài liệu kiểm chứng (đính kèm tài liệu hoặc ghi chú lý do)' : fieldMessage(e),
        });
        continue;
      }
      const key = e.field.split('.').pop() ?? e.field;
      out.fields[key] ??= fieldMessage(e);
    }
    out.message = out.items.length
      ? `Chưa nộp được: còn ${out.items.length} tiêu chí chưa hoàn thành.`
      : 'Dữ liệu chưa hợp lệ, vui lòng kiểm tra các ô được đánh dấu.';
    return out;
  }
  if (err instanceof PreconditionFailedError) {
    out.message = 'Tiêu chí này vừa được cập nhật ở nơi khác. Trang đã hiển thị dữ liệu mới nhất; vui lòng kiểm tra rồi lưu lại.';
  } else if (err instanceof PhaseConflictError) {
    out.message = phaseMessage(err);
  } else if (err instanceof ConflictError) {
    out.message = conflictMessage(err);
  } else if (err instanceof ForbiddenError) {
    out.message = err.message.includes('own unit') ? 'Thành viên thẩm định không thẩm định chính đơn vị mình.' : 'Bạn không có quyền thực hiện thao tác này.';
  } else if (err instanceof NotFoundError) {
    out.message = 'Không tìm thấy nội dung yêu cầu, hoặc bạn không có quyền xem.';
  } else if (err instanceof UnauthorizedError) {
    out.message = 'Vui lòng đăng nhập.';
  } else if (err.status === 413) {
    out.message = 'Tệp quá lớn so với giới hạn cho phép.';
    out.fields.file = out.message;
  } else if (err.status === 415) {
    out.message = 'Chỉ nhận tệp PDF, DOCX, XLSX, JPG hoặc PNG (kiểm tra theo nội dung tệp).';
    out.fields.file = out.message;
  } else if (err.type.endsWith(':empty-file')) {
    out.message = 'Tệp rỗng.';
    out.fields.file = out.message;
  } else if (err.status === 429) {
    // The login throttle (failed attempts from this address): the same words whether or not the account exists.
    const s = Number(err.extra.retryAfterSeconds ?? 60);
    out.message = `Đăng nhập sai quá nhiều lần từ địa chỉ này; vui lòng thử lại sau ${Math.max(1, s)} giây.`;
  } else if (err.status === 428) {
    out.message = 'Thiếu mã phiên bản của tiêu chí; vui lòng tải lại trang.';
  } else {
    out.message = 'Không thực hiện được thao tác này.';
  }
  return out;
}
