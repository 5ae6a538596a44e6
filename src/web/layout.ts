// The page frame shared by every page: header with the user's navigation, flash message, main content, footer.
import type { Actor } from '../lib/context.js';
import { html, type Html, type Slot } from './html.js';
import { roleLabels } from './labels.js';

export interface Flash {
  kind: 'ok' | 'error' | 'info';
  text: string;
}

export interface PageOptions {
  title: string;
  actor: Actor | null;
  csrf: string;
  body: Html;
  /** Path of the current section, to mark it in the navigation. */
  section?: string;
  flash?: Flash | null;
  breadcrumbs?: [string, string?][];
  /** Extra module scripts (site-relative URLs under /assets). */
  scripts?: string[];
  /** Classic (non-module) scripts loaded before the modules, e.g. the chart library. */
  vendorScripts?: string[];
  /** A narrow single-column layout (login, survey). */
  narrow?: boolean;
}

function navFor(actor: Actor | null): [string, string][] {
  const items: [string, string][] = [];
  if (actor) {
    if (actor.role === 'unit_editor' || actor.role === 'unit_head') items.push(['/don-vi', 'Tự đánh giá'], ['/don-vi/ke-hoach', 'Kế hoạch, báo cáo']);
    if (actor.role === 'appraiser') items.push(['/tham-dinh', 'Thẩm định']);
    if (actor.role === 'coordinator') items.push(['/dieu-phoi', 'Kỳ đánh giá'], ['/tham-dinh', 'Thẩm định'], ['/dieu-phoi/ke-hoach', 'Kế hoạch CCHC']);
    if (actor.role === 'coordinator' || actor.role === 'admin') items.push(['/dieu-phoi/bo-tieu-chi', 'Bộ tiêu chí']);
    if (actor.role === 'coordinator' || actor.role === 'admin') items.push(['/dieu-phoi/khao-sat', 'Khảo sát']);
    // Users and units: the admin manages them; the coordinator may read them (policy: user.read, org_unit.read).
    if (actor.role === 'coordinator' || actor.role === 'admin') items.push(['/quan-tri', actor.role === 'admin' ? 'Quản trị' : 'Người dùng, đơn vị']);
  }
  items.push(['/cong-khai', 'Kết quả công bố']);
  return items;
}

export function flashBox(flash: Flash | null | undefined): Slot {
  if (!flash) return null;
  const role = flash.kind === 'error' ? 'alert' : 'status';
  return html`<div class="flash flash-${flash.kind}" id="thong-bao" role="${role}">${flash.text}</div>`;
}

export function layout(o: PageOptions): Html {
  const nav = navFor(o.actor);
  const crumbs = o.breadcrumbs?.length
    ? html`<nav class="crumbs" aria-label="Đường dẫn"><ol>${o.breadcrumbs.map(([label, href]) => (href ? html`<li><a href="${href}">${label}</a></li>` : html`<li aria-current="page">${label}</li>`))}</ol></nav>`
    : null;
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${o.csrf}">
<title>${o.title} · Chỉ số CCHC</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
${(o.vendorScripts ?? []).map((s) => html`<script src="${s}" defer></script>`)}
<script type="module" src="/assets/app.js"></script>
${(o.scripts ?? []).map((s) => html`<script type="module" src="${s}"></script>`)}
</head>
<body class="${o.narrow ? 'narrow' : ''}">
<a class="skip" href="#noi-dung">Bỏ qua, đến nội dung chính</a>
<header class="top">
  <div class="wrap top-row">
    <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">CCHC</span><span>Chỉ số cải cách hành chính</span></a>
    <nav class="main-nav" aria-label="Chức năng">
      <ul>${nav.map(([href, label]) => html`<li><a href="${href}"${o.section === href ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul>
    </nav>
    ${
      o.actor
        ? html`<div class="who">
      <span class="who-name">${o.actor.displayName}</span>
      <span class="who-role">${roleLabels[o.actor.role]}${o.actor.orgUnitCode ? ` · ${o.actor.orgUnitCode}` : ''}</span>
      <a class="who-password" href="/doi-mat-khau">Đổi mật khẩu</a>
      <form method="post" action="/dang-xuat"><input type="hidden" name="_csrf" value="${o.csrf}"><button class="link-button" type="submit">Đăng xuất</button></form>
    </div>`
        : html`<a class="who login-link" href="/dang-nhap">Đăng nhập</a>`
    }
  </div>
</header>
<main id="noi-dung" class="wrap" tabindex="-1">
${crumbs}
${flashBox(o.flash)}
${o.body}
</main>
<footer class="foot"><div class="wrap">Hệ thống xác định Chỉ số cải cách hành chính · Dữ liệu công khai chỉ gồm kết quả đã công bố.</div></footer>
</body>
</html>`;
}
