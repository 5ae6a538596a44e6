// What each operation is for, who may call it and when, in one place keyed by operationId (issue 20 item 4):
// integrators read these in generated SDKs and in /docs, so they are written for them, Vietnamese first where a
// term of the trade helps. Roles and scopes follow src/auth/policy.ts; phases follow src/modules/rounds/lifecycle.ts.
// test/integration/openapi-examples.test.ts fails when an operation has no entry here or an entry names none.

export interface OperationDoc {
  /** Short, "Vietnamese / English". */
  summary: string;
  /** What it does, who may call it (role and scope), in which phase, and what its notable error statuses mean. */
  description: string;
}

const UNIT = 'unit_editor, unit_head';
const ALL_ROLES = 'every role (admin, coordinator, appraiser, unit_editor, unit_head)';
const PUBLIC = 'Công khai, không cần đăng nhập (anonymous; rate-limited per client address: 429 with Retry-After).';
const ITEM_WRITE =
  'Gửi kèm If-Match = ETag của mục vừa đọc (send the item’s ETag as If-Match): 428 without it (or with `*`), 412 when someone changed the item since — the problem carries `currentEtag`; read the item again. The answer carries the new ETag.';

const d = (...lines: string[]) => lines.join('\n\n');

export const OPERATION_DOCS: Record<string, OperationDoc> = {
  // health
  live: {
    summary: 'Tiến trình đang chạy / Liveness',
    description: d('Trả lời `ok` khi tiến trình còn chạy; không kiểm tra cơ sở dữ liệu.', 'For container liveness probes. Anonymous, not rate-limited; 503 only while the service sheds load.'),
  },
  ready: {
    summary: 'Sẵn sàng phục vụ / Readiness',
    description: d('Trả lời `ok` khi cơ sở dữ liệu truy cập được.', 'For load-balancer readiness probes: 200 with the database driver (`pg` or `pglite`) when the database answers, 503 problem+json while it is unreachable. Anonymous, not rate-limited.'),
  },

  // auth
  login: {
    summary: 'Đăng nhập / Log in',
    description: d(
      'Đổi tên đăng nhập và mật khẩu lấy mã truy cập (bearer token) dùng cho các lời gọi sau: `Authorization: Bearer <token>`.',
      'Anonymous. A wrong password, an unknown user and a locked account all answer the same 401, so the answer never tells which usernames exist. Too many failed attempts (per username, and in total per client address) answer 429 with Retry-After; an admin lifts a lockout with unlockUser. With `mustChangePassword` (a password set by someone else) every call but getMe and logout answers 403 until changePassword.',
    ),
  },
  logout: {
    summary: 'Đăng xuất / Log out',
    description: d('Thu hồi mã truy cập dùng trong chính lời gọi này.', `Any authenticated caller (${ALL_ROLES}). 204; the token answers 401 afterwards.`),
  },
  getMe: {
    summary: 'Tài khoản của tôi / Who am I',
    description: d('Người dùng gắn với mã truy cập: tên, vai trò, đơn vị.', `Any authenticated caller. Clients use \`role\` and \`orgUnitCode\` to decide what to show; the service still checks every call.`),
  },
  changePassword: {
    summary: 'Đổi mật khẩu / Change my password',
    description: d(
      'Đổi mật khẩu của chính mình; mọi mã truy cập của tài khoản (phiên và API token) bị thu hồi, phải đăng nhập lại.',
      'Any authenticated caller, for their own account. 422 when `currentPassword` is wrong (`errors[].field` = `body.currentPassword`) or the new password is too short.',
    ),
  },
  listApiTokens: {
    summary: 'Các API token của tôi / My API tokens',
    description: d('Danh sách API token cá nhân (không bao giờ trả lại chính token).', 'Any authenticated caller, own tokens only: name, creation, expiry, last use and revocation.'),
  },
  createApiToken: {
    summary: 'Tạo API token / Create a personal API token',
    description: d(
      'Tạo mã truy cập dài hạn cho một hệ thống tích hợp (cổng dịch vụ công, công cụ khảo sát). Mã chỉ hiển thị một lần trong câu trả lời này.',
      'Any authenticated caller; the token acts with the caller’s own role and unit. Store `token` at once: it is kept only as a hash. 422 names an invalid field (name, expiresInDays).',
    ),
  },
  revokeApiToken: {
    summary: 'Thu hồi API token / Revoke an API token',
    description: d('Thu hồi một API token của chính mình.', 'Any authenticated caller, own API tokens only; 404 for an id that is not one of the caller’s API tokens (session tokens are ended with logout).'),
  },

  // directory
  listOrgUnits: {
    summary: 'Danh sách đơn vị / List org units',
    description: d(
      'Các cơ quan, đơn vị (tỉnh, sở ngành, xã phường), lọc theo loại, đơn vị cha, còn hoạt động hay tên.',
      `Read by ${ALL_ROLES}: admin, coordinator and appraisers see every unit; unit_editor and unit_head see their own unit only.`,
    ),
  },
  createOrgUnit: {
    summary: 'Thêm đơn vị / Create an org unit',
    description: d(
      'Thêm một cơ quan, đơn vị; `predecessorCodes` ghi các đơn vị cũ đã hợp nhất thành đơn vị này (sắp xếp đơn vị hành chính).',
      'Admin only (403 otherwise). 409 when the code exists; 422 names the field (unknown parent or predecessor, activeTo before activeFrom).',
    ),
  },
  getOrgUnit: {
    summary: 'Xem một đơn vị / Get an org unit',
    description: d('Một đơn vị theo mã.', 'Admin, coordinator and appraisers read any unit; unit roles only their own (404 for others, so a unit never learns what else exists).'),
  },
  updateOrgUnit: {
    summary: 'Sửa đơn vị / Update an org unit',
    description: d(
      'Sửa thông tin đơn vị; mã không đổi. Đổi tên mở một mục mới trong lịch sử tên (từ `renamedOn`, mặc định hôm nay); kết quả đã công bố giữ tên của thời điểm đó.',
      'Admin only. 404 unknown code; 422 names the invalid field.',
    ),
  },
  deleteOrgUnit: {
    summary: 'Xóa đơn vị / Delete an org unit',
    description: d(
      'Xóa đơn vị chưa được dùng ở đâu (người dùng, đợt đánh giá, kế hoạch…). Đơn vị đã có dữ liệu thì cho ngừng hoạt động (deactivateOrgUnit).',
      'Admin only. 409 when anything refers to the unit; 204 when deleted.',
    ),
  },
  getOrgUnitNames: {
    summary: 'Lịch sử tên đơn vị / Names and lineage of a unit',
    description: d('Tên hiện tại và các tên cũ (có ngày), cùng các đơn vị đã hợp nhất thành đơn vị này.', 'Same access as getOrgUnit (unit roles: own unit only).'),
  },
  deactivateOrgUnit: {
    summary: 'Ngừng hoạt động đơn vị / Deactivate an org unit',
    description: d(
      'Kết thúc một đơn vị (sáp nhập, giải thể) từ một ngày, kèm lý do; lịch sử và kết quả đã công bố được giữ nguyên, tài khoản của đơn vị không đăng nhập được nữa.',
      'Admin only; audited. 404 unknown unit; 422 names the invalid field.',
    ),
  },
  listUsers: {
    summary: 'Danh sách người dùng / List users',
    description: d('Người dùng, lọc theo vai trò, đơn vị, trạng thái hay tên.', 'Admin and coordinator see everyone; appraisers and unit roles see the users of their own unit only.'),
  },
  createUser: {
    summary: 'Tạo người dùng / Create a user',
    description: d(
      'Tạo tài khoản với vai trò và đơn vị. Vai trò của đơn vị (unit_editor, unit_head) và thẩm định viên phải gắn với một đơn vị.',
      'Admin only. 409 when the username exists; 422 names the invalid field (password too short, unknown or missing unit).',
    ),
  },
  getUser: {
    summary: 'Xem người dùng / Get a user',
    description: d('Một người dùng theo tên đăng nhập.', 'Admin and coordinator read anyone; appraisers and unit roles only users of their own unit (404 otherwise).'),
  },
  updateUser: {
    summary: 'Sửa người dùng / Update a user',
    description: d(
      'Đổi tên hiển thị, vai trò, đơn vị; khóa tài khoản (`active: false`) hoặc đặt lại mật khẩu. Mã truy cập của người đó bị thu hồi khi quyền hạn thay đổi.',
      'Admin only. 404 unknown user; 409 when admins try to deactivate themselves or change their own role; 422 names the invalid field.',
    ),
  },
  unlockUser: {
    summary: 'Mở khóa đăng nhập / Lift a login lockout',
    description: d('Xóa khóa tạm thời sau nhiều lần đăng nhập sai.', 'Admin only. 404 unknown user.'),
  },

  // audit
  listAuditEvents: {
    summary: 'Nhật ký hệ thống / Audit log',
    description: d(
      'Các sự kiện đã ghi (ai, lúc nào, làm gì, trước và sau), mới nhất trước; lọc theo đối tượng, người thực hiện, hành động, thời gian; phân trang bằng `beforeSeq`.',
      'Admin and coordinator only (403 otherwise).',
    ),
  },
  verifyAuditChain: {
    summary: 'Kiểm tra chuỗi nhật ký / Verify the audit hash chain',
    description: d('Tính lại chuỗi băm của nhật ký và chỉ ra dòng đầu tiên bị sửa, nếu có.', 'Admin and coordinator only. `ok: false` names the first broken row.'),
  },

  // frameworks
  listFrameworks: {
    summary: 'Danh sách bộ tiêu chí / List criteria frameworks',
    description: d('Các bộ tiêu chí (nháp và đã ban hành), lọc theo năm, trạng thái, dòng (lineage) hoặc tên.', `Read by ${ALL_ROLES}.`),
  },
  createFramework: {
    summary: 'Tạo bộ tiêu chí (nháp) / Create a draft framework',
    description: d(
      'Tạo bộ tiêu chí nháp từ văn bản JSON: lĩnh vực → tiêu chí → tiêu chí thành phần, mỗi tiêu chí lá có nguồn điểm (tự chấm, khảo sát, thẩm định) và quy tắc chấm.',
      'Coordinator and admin. 409 when the code exists; 422 lists every problem by its path in the document (e.g. `criteria[1.2].maxPoints`), as described on FrameworkDocument.',
    ),
  },
  importFramework: {
    summary: 'Nhập bộ tiêu chí từ Excel / Import a framework from XLSX',
    description: d(
      'Đọc bộ tiêu chí từ tệp XLSX (trang "Tiêu chí" và "Thông tin", bố cục như exportFrameworkXlsx). `dryRun=true` chỉ kiểm tra và báo lỗi theo trang, dòng, cột.',
      'Coordinator and admin. A dry run, or a workbook with errors, answers 200 with the report (`valid`, `errors[]`); a valid real import creates the draft and answers 201. 415 for a body that is not an XLSX workbook.',
    ),
  },
  getFramework: {
    summary: 'Xem bộ tiêu chí / Get a framework',
    description: d('Bộ tiêu chí với cây tiêu chí, tổng điểm từng lĩnh vực và số tiêu chí.', `Read by ${ALL_ROLES}. 404 unknown code.`),
  },
  updateFramework: {
    summary: 'Sửa bộ tiêu chí nháp / Replace a draft framework',
    description: d('Thay toàn bộ văn bản của bộ tiêu chí nháp.', 'Coordinator and admin. 409 once the framework is published (clone it instead); 422 as for createFramework.'),
  },
  publishFramework: {
    summary: 'Ban hành bộ tiêu chí / Publish a framework',
    description: d('Ban hành bộ tiêu chí nháp; sau đó không sửa được nữa và dùng được cho đợt đánh giá.', 'Coordinator and admin. 409 when already published (`frameworkStatus`); 404 unknown code.'),
  },
  cloneFramework: {
    summary: 'Sao chép bộ tiêu chí / Clone a framework',
    description: d('Sao chép một bộ tiêu chí thành bản nháp mới cho năm hoặc phiên bản khác.', 'Coordinator and admin. 409 when the new code exists; 404 unknown source.'),
  },
  diffFrameworks: {
    summary: 'So sánh bộ tiêu chí / Compare frameworks',
    description: d('Những gì thay đổi từ bộ tiêu chí `from` sang bộ này (tiêu chí khớp theo mã): thêm, bỏ, đổi điểm, đổi quy tắc.', `Read by ${ALL_ROLES}. 404 when either framework is unknown.`),
  },
  simulateFramework: {
    summary: 'Chấm thử / Simulate scoring',
    description: d(
      'Chấm thử các đơn vị mẫu trên một bộ tiêu chí (kể cả bản nháp) mà không lưu gì: điểm từng tiêu chí với giải thích, tổng điểm, chỉ số, xếp loại.',
      'Coordinator and admin. 422 names an input that does not fit a criterion’s rule.',
    ),
  },
  exportFrameworkJson: {
    summary: 'Xuất bộ tiêu chí (JSON) / Export a framework as JSON',
    description: d('Văn bản bộ tiêu chí đúng dạng createFramework nhận.', `Read by ${ALL_ROLES}.`),
  },
  exportFrameworkXlsx: {
    summary: 'Xuất bộ tiêu chí (Excel) / Export a framework as XLSX',
    description: d('Bộ tiêu chí dạng XLSX theo bố cục importFramework đọc được.', `Read by ${ALL_ROLES}; sent as an attachment (Content-Disposition).`),
  },

  // rounds
  listRounds: {
    summary: 'Danh sách đợt đánh giá / List rounds',
    description: d('Các đợt xác định Chỉ số CCHC, lọc theo năm và giai đoạn.', `Read by ${ALL_ROLES}.`),
  },
  createRound: {
    summary: 'Tạo đợt đánh giá / Create a round',
    description: d(
      'Tạo đợt đánh giá ở giai đoạn nháp (draft): các nhóm đơn vị, mỗi nhóm một bộ tiêu chí đã ban hành, và lịch (hạn cuối từng giai đoạn).',
      'Coordinator only. 409 when a unit is already in another non-cancelled round of the year (`unitCodes`, `otherRounds`) or a framework is of another year without `allowFrameworkYear` (`frameworkYearMismatch`); 422 names the invalid field (unknown unit or framework, deadlines out of order).',
    ),
  },
  getRound: {
    summary: 'Xem đợt đánh giá / Get a round',
    description: d('Một đợt đánh giá: giai đoạn hiện tại, lịch, các nhóm.', `Read by ${ALL_ROLES}. 404 unknown id.`),
  },
  cancelRound: {
    summary: 'Hủy đợt đánh giá / Cancel a round',
    description: d('Hủy một đợt chưa công bố, kèm lý do; các đơn vị của đợt có thể tham gia đợt khác trong năm.', 'Coordinator only; audited. 409 when the round is published (issue a correction instead) or already cancelled.'),
  },
  transitionRound: {
    summary: 'Chuyển giai đoạn / Move a round to its next phase',
    description: d(
      'Chuyển đợt sang giai đoạn kế tiếp: draft → self_assessment (tạo phiếu tự đánh giá cho mọi đơn vị) → appraisal → explanation → final_appraisal → council_review. Công bố (published) bằng createPublication.',
      'Coordinator only. 409 when `to` is not the next phase (the problem names the current `phase`); moving to appraisal with unsubmitted units (`unsubmittedUnits`) or unit/area pairs without an eligible appraiser (`uncovered`) unless `force: true` (audited); moving to council_review while items have no final score (`openItems`).',
    ),
  },
  updateRoundSchedule: {
    summary: 'Sửa lịch đợt / Replace the schedule',
    description: d('Thay hạn cuối các giai đoạn (ngày, giờ Việt Nam, tính hết ngày).', 'Coordinator only. 409 once published; 422 when the deadlines are out of order (`errors[].field` names the phase).'),
  },
  extendDeadline: {
    summary: 'Gia hạn cho đơn vị / Extend a unit’s deadline',
    description: d('Gia hạn một giai đoạn cho riêng một đơn vị, kèm lý do.', 'Coordinator only; audited. 409 when that phase is already over; 422 when `until` is not after the round’s deadline.'),
  },
  sendBackAssessment: {
    summary: 'Trả lại phiếu tự đánh giá / Send a self-assessment back',
    description: d('Mở lại phiếu đã nộp để đơn vị sửa, kèm lý do.', 'Coordinator only, in self_assessment (409 once appraisal has started, or when the unit has not submitted).'),
  },
  setAppraisers: {
    summary: 'Phân công thẩm định / Assign appraisers',
    description: d(
      'Thay toàn bộ phân công: người thẩm định → các lĩnh vực (mã lĩnh vực của bộ tiêu chí từng nhóm), có thể giới hạn theo nhóm hoặc đơn vị. Không ai thẩm định đơn vị của chính mình.',
      'Coordinator only, until council_review (409 after). 422 names an unknown user, a user who is not an appraiser, or an unknown area.',
    ),
  },
  listAppraisers: {
    summary: 'Xem phân công thẩm định / Appraiser coverage',
    description: d(
      'Phân công hiện tại và các cặp đơn vị/lĩnh vực còn chưa có người thẩm định hợp lệ (moving to appraisal is refused while `uncovered` is not empty, unless forced).',
      `Read by ${ALL_ROLES} (round.read).`,
    ),
  },
  getRoundProgress: {
    summary: 'Tiến độ tự đánh giá / Self-assessment progress',
    description: d('Tiến độ từng đơn vị và nhóm: số tiêu chí đã chấm, thiếu tài liệu kiểm chứng, đã nộp, trễ hạn, gia hạn.', 'Coordinator only (round.manage; 403 otherwise).'),
  },
  getRoundProgressCsv: {
    summary: 'Tiến độ (CSV) / Progress as CSV',
    description: d('Bảng tiến độ dạng CSV mở đúng trong Excel tiếng Việt (mặc định: dấu `;`, số thập phân dấu `,`, ngày dd/mm/yyyy); `format=plain` cho máy (`,` và `.`).', 'Coordinator only.'),
  },
  getRoundCouncil: {
    summary: 'Hồ sơ Hội đồng thẩm định / The council record',
    description: d(
      'Thành viên Hội đồng, biên bản họp, người ban hành và người ký quyết định công bố; `missing` liệt kê những gì còn thiếu để công bố.',
      'Coordinator, admin and appraisers; unit roles get 403 (units do not see the council’s record before publication).',
    ),
  },
  putRoundCouncil: {
    summary: 'Ghi thành phần Hội đồng / Record the council',
    description: d('Ghi thành viên Hội đồng và người ban hành, người ký quyết định công bố kết quả.', 'Coordinator only, before publication; audited. 409 when the round is published or cancelled.'),
  },
  putRoundCouncilMinutes: {
    summary: 'Ghi biên bản họp Hội đồng / Record the council minutes',
    description: d(
      'Biên bản họp Hội đồng: một tệp (multipart, trường `file`: PDF, DOCX, XLSX, JPG, PNG, kiểm tra theo nội dung) hoặc tham chiếu văn bản (JSON); thay biên bản trước đó.',
      'Coordinator only, before publication. 409 when published or cancelled; 413 file too large; 415 wrong file type.',
    ),
  },
  downloadRoundCouncilMinutes: {
    summary: 'Tải biên bản họp Hội đồng / Download the minutes file',
    description: d('Tải tệp biên bản đã gửi lên.', 'Coordinator, admin and appraisers. 404 when the minutes are a document reference, not a file.'),
  },

  // assessments
  getAssessment: {
    summary: 'Xem phiếu tự đánh giá / Get a unit’s assessment',
    description: d(
      'Phiếu của một đơn vị trong đợt: mọi tiêu chí với điểm tự chấm, tài liệu kiểm chứng, kết quả thẩm định, ETag từng mục, tiến độ và quyền thao tác (`mayEditSelf`, `maySubmit`).',
      'The coordinator reads every unit; unit roles only their own (404 for other units); appraisers only the items of their assigned areas. The appraisal is shown to the unit from the explanation phase on.',
    ),
  },
  getAssessmentItem: {
    summary: 'Xem một tiêu chí / Get one item with its history',
    description: d('Một tiêu chí của phiếu, với toàn bộ lịch sử (tự chấm, tài liệu, thẩm định, giải trình, điểm cuối cùng). Trả ETag để gửi lại trong If-Match.', 'Same access as getAssessment.'),
  },
  putSelfAssessment: {
    summary: 'Lưu điểm tự chấm / Save a self score',
    description: d(
      'Đơn vị tự chấm một tiêu chí: `input` theo quy tắc của tiêu chí (phương án, có/không, số lượng, tỷ lệ…) hoặc `notApplicable: true` (không phát sinh) nếu tiêu chí cho phép.',
      `unit_editor and unit_head of the unit only (404 for another unit), in self_assessment before the deadline or the unit’s extension, while the self-assessment is not submitted (409 otherwise, naming the phase). 422 names the field when the input does not fit the rule (e.g. an unknown option). ${ITEM_WRITE}`,
    ),
  },
  addEvidence: {
    summary: 'Thêm tài liệu kiểm chứng / Attach evidence',
    description: d(
      'Đính kèm tài liệu kiểm chứng cho một tiêu chí: một tệp (multipart, trường `file`: PDF, DOCX, XLSX, JPG hoặc PNG, kiểm tra theo nội dung) hoặc tham chiếu văn bản (JSON: số ký hiệu, ngày, cơ quan ban hành, trích yếu).',
      `${UNIT} of the unit, while self-assessment is editable (as putSelfAssessment). 400 for a second file (nothing is stored); 409 over the per-item limit or when closed; 413 file too large; 415 wrong type or HTML; 422 zip bomb or broken PDF.`,
    ),
  },
  downloadEvidence: {
    summary: 'Tải tài liệu kiểm chứng / Download an evidence file',
    description: d('Tải tệp tài liệu kiểm chứng.', 'Same access as the item. 404 when the evidence is a document reference, not a file.'),
  },
  removeEvidence: {
    summary: 'Gỡ tài liệu kiểm chứng / Remove evidence',
    description: d('Gỡ một tài liệu kiểm chứng khỏi tiêu chí; trả lại mục đã cập nhật.', `${UNIT} of the unit, while self-assessment is editable (409 otherwise). 404 unknown evidence.`),
  },
  submitAssessment: {
    summary: 'Nộp phiếu tự đánh giá / Submit the self-assessment',
    description: d(
      'Thủ trưởng đơn vị nộp phiếu; sau đó phiếu chỉ đọc, trừ khi Sở Nội vụ trả lại.',
      'unit_head of the unit only (403 for unit_editor), in self_assessment before the deadline (409 otherwise or when already submitted). 422 lists every incomplete criterion (`errors[].field`). An `Idempotency-Key` header makes a retry answer the first result.',
    ),
  },
  prefillAssessment: {
    summary: 'Điền sẵn từ dữ liệu theo dõi / Pre-fill from tracked data',
    description: d(
      'Điền sẵn các tiêu chí lấy dữ liệu từ kế hoạch, báo cáo định kỳ và kiểm tra trong năm; giữ nguyên những gì đơn vị đã tự sửa.',
      `${UNIT} of the unit, in self_assessment only (409 otherwise).`,
    ),
  },
  getTrackedInputs: {
    summary: 'So sánh với dữ liệu theo dõi / Tracked data beside self input',
    description: d('Dữ liệu theo dõi của các tiêu chí lấy dữ liệu tự động, bên cạnh số liệu đơn vị tự nhập, và có khác nhau không.', 'For appraisers (their assigned areas), the coordinator, and the unit itself.'),
  },

  // appraisal
  putAppraisal: {
    summary: 'Thẩm định một tiêu chí / Appraise an item',
    description: d(
      'Người thẩm định công nhận hoặc điều chỉnh điểm, xác nhận hay bác bỏ "không phát sinh", hoặc yêu cầu đơn vị giải trình (`requestExplanation`, kèm nhận xét).',
      `An appraiser assigned to the item’s area (never for their own unit; 403 otherwise), in the appraisal phase before its deadline (409 otherwise; 409 also for survey-scored criteria). 422 when points are outside the rule’s values, or a comment is missing where points differ from the self points. ${ITEM_WRITE}`,
    ),
  },
  putExplanation: {
    summary: 'Giải trình / Answer a request for explanation',
    description: d('Đơn vị trả lời yêu cầu giải trình của người thẩm định.', `${UNIT} of the unit, in the explanation phase before its deadline, on flagged items only (409 otherwise). ${ITEM_WRITE}`),
  },
  putFinal: {
    summary: 'Điểm cuối cùng / Final score',
    description: d(
      'Chốt điểm sau giải trình hoặc ghi quyết định của Hội đồng.',
      `An assigned appraiser on a flagged (or contested) item in final_appraisal; the coordinator records the council’s decision on any open non-survey item in final_appraisal and revises any final score in council_review. 409 names the phase otherwise, or when the item already has a final score outside council_review; 422 for points outside the rule’s values. ${ITEM_WRITE}`,
    ),
  },
  getAppraisalQueue: {
    summary: 'Việc cần thẩm định / Appraisal queue',
    description: d('Các tiêu chí cần thẩm định qua mọi đơn vị, lọc theo đơn vị, lĩnh vực, trạng thái.', 'Appraisers see their assigned areas; the coordinator everything; unit roles get 403.'),
  },
  raiseObjection: {
    summary: 'Kiến nghị / Contest an appraisal',
    description: d(
      'Đơn vị kiến nghị về một tiêu chí bị thẩm định thấp hơn điểm tự chấm, kèm lý do; kiến nghị được xem xét ở giai đoạn thẩm định lại như tiêu chí phải giải trình.',
      `${UNIT} of the unit, in the explanation phase before its deadline (409 otherwise, or when the item was not appraised below its self points, or is already open for explanation). ${ITEM_WRITE}`,
    ),
  },

  // results and settlement
  getRoundResults: {
    summary: 'Kết quả trực tiếp / Live results',
    description: d(
      'Kết quả tính đến hiện tại: theo nhóm, xếp hạng, điểm từng lĩnh vực, điểm tự chấm và chênh lệch, truy vết từng tiêu chí; báo cáo chênh lệch và tiêu chí chưa có điểm cuối.',
      'The coordinator sees everything; an appraiser only the areas assigned to them, without totals or ranks (they depend on other offices’ work). Unit roles get 403.',
    ),
  },
  getRoundResultsCsv: {
    summary: 'Kết quả (CSV) / Live results as CSV',
    description: d('Kết quả trực tiếp dạng CSV (mặc định cho Excel tiếng Việt; `format=plain` cho máy).', 'Same access as getRoundResults.'),
  },
  getRoundResultsXlsx: {
    summary: 'Kết quả (Excel) / Live results as XLSX',
    description: d('Kết quả trực tiếp dạng XLSX, số có định dạng 2 chữ số thập phân.', 'Same access as getRoundResults.'),
  },
  getRoundDiscrepanciesCsv: {
    summary: 'Chênh lệch điểm (CSV) / Discrepancies as CSV',
    description: d('Báo cáo chênh lệch giữa điểm tự chấm và điểm thẩm định, và các tiêu chí chưa có điểm cuối, dạng CSV (mặc định cho Excel tiếng Việt; `format=plain` cho máy).', 'Same access as getRoundResults; the discrepancy part is the coordinator’s only (appraisers see their open items).'),
  },
  getRoundDiscrepanciesXlsx: {
    summary: 'Chênh lệch điểm (Excel) / Discrepancies as XLSX',
    description: d('Báo cáo chênh lệch và tiêu chí chưa có điểm cuối, dạng XLSX.', 'Same access as getRoundResults; the discrepancy part is the coordinator’s only (appraisers see their open items).'),
  },
  confirmSelfPoints: {
    summary: 'Công nhận điểm tự chấm / Confirm self points',
    description: d(
      'Công nhận hàng loạt điểm tự chấm của các tiêu chí không ai thẩm định, kèm lý do; có thể giới hạn theo đơn vị, tiêu chí. "Không phát sinh" chỉ được công nhận khi `includeNotApplicable`.',
      'Coordinator only, in final_appraisal (409 otherwise); audited.',
    ),
  },
  getOpenItems: {
    summary: 'Tiêu chí chưa có điểm cuối / Open items',
    description: d(
      'Mọi tiêu chí của mọi đơn vị chưa có điểm cuối cùng, kèm lý do. Danh sách rỗng nghĩa là đợt có thể chuyển sang Hội đồng xem xét và công bố.',
      'The coordinator sees all; appraisers their units and areas; unit roles get 403.',
    ),
  },

  // surveys
  listSurveys: {
    summary: 'Danh sách phiếu khảo sát / List surveys',
    description: d('Các phiếu khảo sát sự hài lòng với số phiếu trả lời, lọc theo loại, trạng thái, năm.', `Read by ${ALL_ROLES}.`),
  },
  createSurvey: {
    summary: 'Tạo phiếu khảo sát / Create a survey',
    description: d('Tạo phiếu khảo sát nháp: nhóm tiêu chí → câu hỏi → phương án, mỗi phương án có giá trị trong [0, 1] hoặc null (không tính).', 'Coordinator and admin. 409 when the code exists; 422 names every problem by its path.'),
  },
  getSurvey: {
    summary: 'Xem phiếu khảo sát / Get a survey',
    description: d('Một phiếu khảo sát với nhóm tiêu chí, câu hỏi và phương án.', `Read by ${ALL_ROLES}. 404 unknown code.`),
  },
  updateSurvey: {
    summary: 'Sửa phiếu khảo sát / Replace a survey',
    description: d('Thay nội dung phiếu (phiên bản mới) khi chưa có phiếu trả lời nào.', 'Coordinator and admin. 409 once it has responses (create a survey with a new code); 422 as for createSurvey.'),
  },
  publishSurvey: {
    summary: 'Mở khảo sát / Publish a survey',
    description: d('Mở phiếu để nhận trả lời (biểu mẫu công khai và nhập từ công cụ khảo sát).', 'Coordinator and admin. 409 when already published.'),
  },
  getSurveyResults: {
    summary: 'Kết quả khảo sát / Survey results',
    description: d(
      'Theo đơn vị và nhóm của đợt: số phiếu, điểm từng câu hỏi với khoảng tin cậy 95%, chỉ số từng nhóm tiêu chí và chỉ số chung; đánh dấu đơn vị chưa đủ số phiếu tối thiểu.',
      'Coordinator only (survey.results).',
    ),
  },
  listSurveyLinks: {
    summary: 'Đường dẫn khảo sát các đơn vị / Form links of every unit',
    description: d('Đường dẫn biểu mẫu và mã QR của mọi đơn vị đang nhận phiếu, để in đặt tại Bộ phận Một cửa.', 'Coordinator and admin. Links use PUBLIC_BASE_URL.'),
  },
  getSurveyLink: {
    summary: 'Đường dẫn khảo sát của đơn vị / A unit’s form link',
    description: d('Đường dẫn biểu mẫu công khai của một đơn vị, với mã QR (PNG, SVG).', 'Coordinator and admin. 404 when the unit is not collecting responses to this survey.'),
  },
  getSurveyQrPng: {
    summary: 'Mã QR (PNG) / QR code as PNG',
    description: d('Mã QR dẫn tới biểu mẫu của đơn vị, dạng PNG để in.', 'Coordinator and admin.'),
  },
  getSurveyQrSvg: {
    summary: 'Mã QR (SVG) / QR code as SVG',
    description: d('Mã QR dẫn tới biểu mẫu của đơn vị, dạng SVG để in.', 'Coordinator and admin.'),
  },
  importSurveyResponses: {
    summary: 'Nhập phiếu trả lời / Import survey responses',
    description: d(
      'Nhập hàng loạt phiếu trả lời xuất từ KoboToolbox, ODK Central hoặc LimeSurvey (CSV, JSON, XLSX), đọc theo luồng; trùng mã phiếu thì không nhập lại. `dryRun=true` chỉ báo cáo.',
      'Coordinator and admin. 409 when the survey is not published; 413 over the size limit; 415 unknown format; rejected rows are reported by row number in a 200 answer.',
    ),
  },
  getPublicSurvey: {
    summary: 'Phiếu khảo sát công khai / Public questionnaire',
    description: d('Phiếu khảo sát đã mở, cho biểu mẫu công khai (không có điểm, không có phiếu trả lời).', `${PUBLIC} 404 when unknown or not published.`),
  },
  getPublicSurveyForm: {
    summary: 'Biểu mẫu của đơn vị / A unit’s public form',
    description: d('Biểu mẫu của một đơn vị: phiếu khảo sát, tên đơn vị và hiện có nhận phiếu không.', `${PUBLIC} 404 unknown survey or unit.`),
  },
  submitSurveyResponse: {
    summary: 'Gửi phiếu trả lời / Submit a survey response',
    description: d(
      'Người dân gửi phiếu (không ghi tên) cho một đơn vị. `responseId` do máy khách sinh một lần cho mỗi phiếu: gửi lại cùng mã trả 200 `duplicate`, lần đầu trả 201.',
      `${PUBLIC} 409 when the unit is not collecting responses now (no open round uses this survey for it) or the responseId was used for a different response; 422 names an unknown question or option.`,
    ),
  },

  // publications
  createPublication: {
    summary: 'Công bố kết quả / Publish the round',
    description: d(
      'Công bố kết quả (council_review → published): đóng băng, băm, ký số (Ed25519) và nối chuỗi kết quả với quyết định (số, ngày; người ban hành và người ký theo hồ sơ Hội đồng), thành viên và biên bản Hội đồng. Với đợt đã công bố, gửi kèm `reason` để đính chính: bản mới thay thế bản hiện hành.',
      'Coordinator only. 409 when the round is not in council_review, the council record is incomplete (`missing`), items have no final score (`openItems`), or the round is already published and no reason is given. An `Idempotency-Key` header makes a retry answer the first result.',
    ),
  },
  listPublications: {
    summary: 'Danh sách kết quả công bố / Published results',
    description: d('Các kết quả đã công bố, năm mới nhất trước (bản hiện hành; `includeSuperseded=true` thêm các bản đã được đính chính).', PUBLIC),
  },
  getPublication: {
    summary: 'Kết quả công bố (JSON) / One publication',
    description: d('Bản kết quả đã ký: xếp hạng theo nhóm, điểm từng lĩnh vực, với mã băm, chữ ký và mã khóa.', `${PUBLIC} 404 unknown id.`),
  },
  getPublicationCsv: {
    summary: 'Kết quả công bố (CSV) / One publication as CSV',
    description: d('Kết quả công bố dạng CSV (UTF-8 có BOM, tiêu đề tiếng Việt, 2 chữ số thập phân; mặc định cho Excel tiếng Việt, `format=plain` cho máy).', PUBLIC),
  },
  getPublicationXlsx: {
    summary: 'Kết quả công bố (Excel) / One publication as XLSX',
    description: d('Kết quả công bố dạng XLSX theo mẫu phụ lục quyết định, mỗi nhóm một trang.', PUBLIC),
  },
  getPublicationPdf: {
    summary: 'Kết quả công bố (PDF) / One publication as PDF',
    description: d('Kết quả công bố dạng PDF (A4 ngang) làm phụ lục quyết định.', PUBLIC),
  },
  verifyPublication: {
    summary: 'Kiểm tra chữ ký / Verify a publication',
    description: d('Tính lại mã băm, kiểm tra chữ ký và liên kết chuỗi của bản đã lưu; nêu rõ từng sai lệch.', `${PUBLIC} \`valid: false\` with \`problems[]\` when anything does not match.`),
  },
  getSigningKey: {
    summary: 'Khóa công khai / Signing key',
    description: d('Khóa công khai Ed25519 dùng để ký kết quả công bố, để tự kiểm tra chữ ký.', PUBLIC),
  },
  getUnitHistory: {
    summary: 'Kết quả qua các năm / A unit’s published history',
    description: d(
      'Chỉ số, thứ hạng và xếp loại đã công bố của một đơn vị qua các năm (bản hiện hành), kể cả kết quả của các đơn vị cũ đã hợp nhất thành đơn vị này, mỗi dòng với mã và tên của chính nó.',
      `${PUBLIC} 404 unknown unit.`,
    ),
  },

  // admin
  listJobRuns: {
    summary: 'Tác vụ nền / Background job runs',
    description: d('Các lần chạy tác vụ nền (xóa dữ liệu hết hạn lưu, dọn tệp, bảo trì), mới nhất trước.', 'Admin only (403 otherwise).'),
  },

  // plans, reports, inspections
  createPlan: {
    summary: 'Ghi kế hoạch CCHC / Record a plan',
    description: d('Ghi kế hoạch CCHC năm với phụ lục nhiệm vụ: cơ quan chủ trì, phối hợp, thời hạn.', 'Coordinator only. 409 when the code exists; 422 when a task names an unknown unit.'),
  },
  listPlans: {
    summary: 'Danh sách kế hoạch / List plans',
    description: d('Các kế hoạch CCHC, có thể lọc theo năm.', `Read by ${ALL_ROLES}.`),
  },
  getPlan: {
    summary: 'Xem kế hoạch / Get a plan',
    description: d('Một kế hoạch với nhiệm vụ, trạng thái và tiến độ.', 'Admin, coordinator and appraisers see every task; unit roles the tasks their unit leads or supports.'),
  },
  importPlan: {
    summary: 'Nhập phụ lục kế hoạch / Import a plan appendix',
    description: d(
      'Đọc phụ lục nhiệm vụ từ XLSX (Nhiệm vụ chung | Nhiệm vụ cụ thể | Sản phẩm | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện). `dryRun=true` báo cáo từng nhiệm vụ, tên đơn vị không khớp và dòng không đọc được.',
      'Coordinator only. 422 when a real import has unmatched units or unreadable lines; 415 when the body is not an XLSX workbook.',
    ),
  },
  putTaskProgress: {
    summary: 'Báo cáo tiến độ nhiệm vụ / Report task progress',
    description: d(
      'Đơn vị chủ trì (hoặc phối hợp, cho phần việc của mình) báo cáo tiến độ một nhiệm vụ; lịch sử được giữ. Trễ hạn = hoàn thành sau hạn cuối.',
      `${UNIT} of that unit (404 for another unit or a unit not on the task); 422 names the invalid field (e.g. a completion date in the future).`,
    ),
  },
  listUnitPlanTasks: {
    summary: 'Nhiệm vụ của đơn vị / A unit’s plan tasks',
    description: d('Các nhiệm vụ một đơn vị chủ trì hoặc phối hợp trong kế hoạch năm, hạn gần nhất trước.', 'Unit roles for their own unit (404 otherwise); admin, coordinator and appraisers for any unit.'),
  },
  createReportPeriod: {
    summary: 'Mở kỳ báo cáo / Open a reporting period',
    description: d('Mở kỳ báo cáo (quý, 6 tháng, năm, đột xuất) với thời gian lấy số liệu, hạn nộp và các đơn vị phải báo cáo.', 'Coordinator only. 422 names the invalid field (unknown unit, dates out of order).'),
  },
  listReportPeriods: {
    summary: 'Danh sách kỳ báo cáo / List reporting periods',
    description: d('Các kỳ báo cáo với trạng thái của từng đơn vị.', 'Unit roles see only their own unit’s status; others see every unit.'),
  },
  getReportPeriod: {
    summary: 'Xem kỳ báo cáo / Get a reporting period',
    description: d('Một kỳ báo cáo với trạng thái của từng đơn vị.', 'Same visibility as listReportPeriods. 404 unknown id.'),
  },
  submitPeriodReport: {
    summary: 'Nộp báo cáo định kỳ / Send a periodic report',
    description: d('Đơn vị nộp báo cáo (tham chiếu văn bản); chỉ nộp một lần. Nộp sau hạn (kể cả gia hạn) được ghi là trễ.', `${UNIT} of the unit. 409 when already sent; 404 when the unit is not in the period.`),
  },
  extendPeriodReport: {
    summary: 'Gia hạn báo cáo / Extend a report’s due date',
    description: d('Gia hạn nộp báo cáo cho một đơn vị trong kỳ, kèm lý do.', 'Coordinator only; recorded and audited. 404 when the unit is not in the period.'),
  },
  createInspection: {
    summary: 'Ghi kết quả kiểm tra / Record an inspection',
    description: d('Ghi một cuộc kiểm tra CCHC tại đơn vị với các tồn tại, hạn chế phát hiện và hạn khắc phục.', 'Coordinator only. 422 names the invalid field (unknown unit, duplicate finding codes).'),
  },
  listInspections: {
    summary: 'Danh sách kiểm tra / List inspections',
    description: d('Các cuộc kiểm tra với tình trạng khắc phục từng tồn tại.', 'Unit roles see their own unit’s inspections; others see all.'),
  },
  getInspection: {
    summary: 'Xem kết quả kiểm tra / Get an inspection',
    description: d('Một cuộc kiểm tra với các tồn tại và tình trạng khắc phục.', 'Same visibility as listInspections. 404 unknown id.'),
  },
  putFindingRemediation: {
    summary: 'Báo cáo khắc phục / Report a remediation',
    description: d('Đơn vị được kiểm tra báo cáo đã khắc phục một tồn tại như thế nào, ngày nào.', `${UNIT} of the inspected unit (404 otherwise). 422 names the invalid field (e.g. a date in the future).`),
  },
};
