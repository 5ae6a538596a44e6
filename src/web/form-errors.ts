// Field errors of a refused form, shown once: each message beside its field (the input names it with aria-invalid
// and aria-describedby), and at the top of the form only a short summary whose entries link to those fields.
// Repeating a field's message in the summary made screen readers and people read every problem twice.
import { html, type Slot } from './html.js';

export const errId = (id: string) => `${id}-err`;

/** The message under a field; its id is what the input's aria-describedby names. */
export const fieldError = (id: string, msg: string | undefined): Slot => (msg ? html`<p class="field-error" id="${errId(id)}">${msg}</p>` : null);

/** aria-invalid and aria-describedby for an input with an error. */
export const invalidAttrs = (id: string, msg: string | undefined): Slot => (msg ? html` aria-invalid="true" aria-describedby="${errId(id)}"` : '');

/**
 * The summary at the top of a refused form: what happened, then one link per field in error (to the field's id,
 * labelled with its label, not its message), then problems no field shows (`other`, in full).
 */
export function errorSummary(message: string, links: readonly (readonly [id: string, label: string])[] = [], other: readonly string[] = []): Slot {
  const items = [...links.map(([id, label]) => html`<li><a href="#${id}">${label}</a></li>`), ...other.map((m) => html`<li>${m}</li>`)];
  return html`<div class="flash flash-error error-summary" id="loi" tabindex="-1" role="alert"><p><strong>${message}</strong></p>${items.length ? html`<ul class="problems">${items}</ul>` : ''}</div>`;
}
