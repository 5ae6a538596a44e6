/* global document, window, fetch, URLSearchParams, FormData, setTimeout, clearTimeout */
// Small enhancements over server-rendered forms; every page works without them.
// - data-confirm on a form asks before submitting; a form is not submitted twice.
// - .self-form[data-preview]: the points an input earns, computed by the server's scoring engine as you type.
// - "Không phát sinh" greys out the criterion's inputs.

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute('content') || '' : '';
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof window.HTMLFormElement)) return;
  const question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.dataset.submitting === '1') {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = '1';
  form.setAttribute('aria-busy', 'true');
  // A page restored from the back/forward cache may be submitted again.
  window.addEventListener('pageshow', () => {
    delete form.dataset.submitting;
    form.removeAttribute('aria-busy');
  }, { once: true });
});

function toggleNotApplicable(form) {
  const na = form.querySelector('input[name="khong_phat_sinh"]');
  if (!na) return;
  for (const input of form.querySelectorAll('input[name="option"], input[name="value"], input[name="percent"], input[name="numerator"], input[name="denominator"], input[name="count"], input[name="points"]')) {
    input.disabled = na.checked;
  }
}

function setupPreview(form) {
  const output = form.querySelector('output.points-preview');
  const url = form.getAttribute('data-preview');
  if (!output || !url) return;
  let timer = null;
  let seq = 0;
  const update = async () => {
    const mine = ++seq;
    const body = new URLSearchParams(new FormData(form));
    try {
      const res = await fetch(url, { method: 'POST', body, headers: { 'x-csrf-token': csrfToken(), accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok || mine !== seq) return;
      const r = await res.json();
      output.textContent = r.text;
      output.className = `points-preview ${r.kind}`;
    } catch {
      /* offline: keep the last value */
    }
  };
  const schedule = () => {
    toggleNotApplicable(form);
    clearTimeout(timer);
    timer = setTimeout(update, 200);
  };
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  toggleNotApplicable(form);
}

for (const form of document.querySelectorAll('form.self-form[data-preview]')) setupPreview(form);
