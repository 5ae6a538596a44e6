// Coordinator's "chưa chốt" page (issue 13): every item of every unit still without a final score, grouped by
// why, each linked to its item page where the appraiser decides it or the coordinator records the council's
// decision. An empty page means the round can go to council review and be published.
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.js';
import { COORDINATOR, type Kit } from '../kit.js';
import { openReasonLabels, phaseLabel } from '../labels.js';
import { openReasons, type OpenItem } from '../../modules/settlement/settlement.service.js';
import { itemHref } from './appraiser.js';

const hide = { hide: true } as const;

export const openItemsHref = (roundId: string) => `/dieu-phoi/ky-danh-gia/${encodeURIComponent(roundId)}/chua-chot`;

/** What the coordinator can do about each reason, in words. */
const remedies: Record<(typeof openReasons)[number], string> = {
  no_eligible_appraiser: 'Phân công người thẩm định không thuộc đơn vị này, hoặc Hội đồng quyết định điểm ở giai đoạn Thẩm định lại.',
  survey_missing: 'Thu thập phiếu khảo sát cho đơn vị.',
  survey_below_minimum: 'Số phiếu chưa đạt mức tối thiểu của cuộc khảo sát: thu thêm phiếu.',
  explanation_pending: 'Người thẩm định (hoặc Hội đồng) chốt điểm sau giải trình/kiến nghị.',
  council_only: 'Tiêu chí do Hội đồng chấm (điểm thưởng, điểm trừ…): nhập quyết định của Hội đồng.',
  not_appraised: 'Thẩm định, xác nhận điểm tự chấm, hoặc nhập quyết định của Hội đồng.',
};

function groupedByReason(roundId: string, items: OpenItem[]): Html {
  return html`${openReasons
    .filter((r) => items.some((i) => i.reason === r))
    .map((reason) => {
      const list = items.filter((i) => i.reason === reason);
      return html`<section class="panel" id="ly-do-${reason}">
  <h2>${openReasonLabels[reason] ?? reason} <span class="tag">${list.length}</span></h2>
  <p class="muted">${remedies[reason]}</p>
  <div class="table-wrap"><table class="data"><thead><tr><th scope="col">Đơn vị</th><th scope="col">Tiêu chí</th><th scope="col">Lĩnh vực</th>${reason.startsWith('survey') ? html`<th scope="col" class="num">Số phiếu</th>` : ''}</tr></thead>
  <tbody>${list.map(
    (i) => html`<tr><th scope="row">${i.unitName} <span class="muted">${i.unitCode}</span></th><td><a href="${itemHref(roundId, i.unitCode, i.criterionCode)}"><span class="code">${i.criterionCode}</span> ${i.title}</a></td><td>${i.areaCode}</td>${
      reason.startsWith('survey') ? html`<td class="num">${i.surveyN ?? 0}</td>` : ''
    }</tr>`,
  )}</tbody></table></div>
</section>`;
    })}`;
}

export function settlementPages(app: FastifyInstance, kit: Kit) {
  const { rounds, settlement } = app.services;

  app.get<{ Params: { roundId: string } }>('/dieu-phoi/ky-danh-gia/:roundId/chua-chot', { config: { webRoles: COORDINATOR }, schema: hide }, async (req, reply) => {
    const ctx = kit.ctx(req);
    const round = await rounds.get(ctx, req.params.roundId);
    const open = await settlement.openItems(ctx, round.id);
    const roundHref = `/dieu-phoi/ky-danh-gia/${encodeURIComponent(round.id)}`;
    const body = html`<div class="page-head"><div><h1>Tiêu chí chưa chốt điểm</h1><p class="sub">${round.name}</p></div>
  <div class="status-box"><span class="tag phase">${phaseLabel(round.phase)}</span> <span class="tag" data-open-count="${open.count}">${open.count} tiêu chí</span></div></div>
${
  open.count === 0
    ? html`<p class="panel">Mọi tiêu chí của mọi đơn vị đã có điểm cuối cùng: kỳ đánh giá có thể chuyển sang Hội đồng xem xét và công bố.</p>`
    : html`<p class="muted">Mỗi tiêu chí được xếp vào lý do đầu tiên áp dụng. Chọn tiêu chí để thẩm định hoặc nhập quyết định của Hội đồng.</p>
<nav class="panel" aria-label="Theo lý do"><ul>${openReasons
        .filter((r) => open.items.some((i) => i.reason === r))
        .map((r) => html`<li><a href="#ly-do-${r}">${openReasonLabels[r] ?? r}</a>: ${open.items.filter((i) => i.reason === r).length}</li>`)}</ul></nav>
${groupedByReason(round.id, open.items)}`
}`;
    return kit.page(req, reply, {
      title: `Tiêu chí chưa chốt · ${round.name}`,
      body,
      section: '/dieu-phoi',
      flash: kit.flashOf(req),
      breadcrumbs: [['Kỳ đánh giá', '/dieu-phoi'], [round.name, roundHref], ['Chưa chốt điểm']],
    });
  });
}
