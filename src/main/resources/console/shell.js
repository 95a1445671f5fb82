// What every view shares: the signed-in session, notices, write buttons, change lists, a JSON editor that
// previews its write as a dry run, and re-rendering the current view after a write.
import { call, ApiError } from './api.js';
import { h, shown } from './dom.js';

const notice = document.getElementById('notice');

export const shell = {
  session: null,
  /** A notice ({text, tone}) for the view being rendered next (see navigate). */
  pending: null,
  /** Set by app.js: re-renders the current view. */
  render: async () => {},
  /** Set by app.js: what to do when the token is refused mid-session. */
  signedOut: () => {},
};

export function say(message, tone = 'ok', details = []) {
  notice.replaceChildren(h('span', {}, message), details.length ? h('ul', {}, details.map((d) => h('li', {}, d))) : '');
  notice.className = tone;
  notice.hidden = false;
}

export function hideNotice() {
  notice.hidden = true;
}

export function sayError(error) {
  if (error instanceof ApiError && error.status === 401) {
    shell.signedOut('Your token was refused: ' + error.message);
    return;
  }
  say(error instanceof ApiError ? `${error.status} ${error.type}: ${error.message}` : String(error), 'error',
      error.errors || []);
}

/** Re-renders the current view, then says what was done (the notice would not survive the render otherwise). */
export async function done(message) {
  await shell.render();
  say(message);
}

/** Shows another view, then says what was done there. */
export async function navigate(hash, message) {
  shell.pending = { text: message, tone: 'ok' };
  if (location.hash === hash) await shell.render();
  else location.hash = hash; // the hashchange renders it
}

/** Runs an action, showing any error as a notice. */
export function attempt(action) {
  return async (event) => {
    try { await action(event); } catch (error) { sayError(error); }
  };
}

export const mayWrite = () => shell.session && shell.session.role === 'write';

/** A write button: disabled, saying why, for a read-only token. */
export function writeButton(label, onclick, attributes = {}) {
  const allowed = mayWrite();
  return h('button', { ...attributes, disabled: !allowed, title: allowed ? null : 'your token may only read',
    onclick: attempt(onclick) }, label);
}

export function changeList(changes) {
  return h('div', { class: 'changes' }, changes.map((change) => h('div', { class: 'change' },
      change.path, ': ', h('span', { class: 'from' }, shown(change.from)), ' → ', h('span', { class: 'to' }, shown(change.to)))));
}

export function reasonInput() {
  return h('input', { class: 'reason', name: 'reason', placeholder: 'why (kept in the history)' });
}

/**
 * A route write in two clicks: "Preview" sends it with ?dryRun=true and shows the changes field by field,
 * "Apply" sends the very same write, guarded by If-Match on the revision the view was read at.
 * path is a string or a function (a name typed in the editor); body() returns the body to send: a value sent as
 * JSON, text sent as it is (JSON or YAML), or undefined for none. Either may throw a message for the user.
 */
export function previewedWrite(container, { method, path, body, revision, reason, label, after }) {
  const preview = h('div', { class: 'preview' });
  const send = (dryRun) => call(method, typeof path === 'function' ? path() : path, { ...payload(body()), query: { dryRun: String(dryRun) },
    headers: { ...(revision ? { 'if-match': `"${revision}"` } : {}),
      'x-turnout-reason': reason.value.trim() || label + ' in the console', 'x-turnout-author': 'console' } });
  const show = attempt(async () => {
    preview.replaceChildren();
    const { data } = await send(true);
    preview.replaceChildren(
        data.changes.length ? changeList(data.changes) : h('p', { class: 'muted' }, 'Nothing would change.'),
        data.changes.length ? h('div', { class: 'row' },
            h('button', { class: 'primary confirm', onclick: attempt(async () => {
              const { etag } = await send(false);
              await done(`${after}: route revision ${etag ? etag.replaceAll('"', '') : '?'}.`);
            }) }, 'Apply this change'),
            revision ? h('span', { class: 'muted' }, `only if the routes are still at revision ${revision}`) : '') : '');
  });
  container.append(h('div', { class: 'row' }, reason, h('button', { class: 'preview-change', onclick: show }, 'Preview change'),
      h('button', { onclick: () => container.replaceChildren() }, 'Cancel')), preview);
}

/** A body for call(): a value is sent as JSON; text as it is, as JSON when it looks like JSON, else as YAML. */
export function payload(value) {
  if (typeof value !== 'string') return { body: value };
  return /^\s*[{[]/.test(value) ? { raw: value } : { raw: value, type: 'application/yaml' };
}

/**
 * A textarea for a document. parse() reads it as JSON, throwing a readable message; where the API also takes
 * YAML, send area.value through payload() instead and let the API say what is wrong with it.
 */
export function jsonArea(value, rows = 10) {
  const area = h('textarea', { class: 'json', rows, spellcheck: 'false' });
  area.value = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  area.parse = () => {
    try { return JSON.parse(area.value); } catch (e) { throw new Error('Not JSON: ' + e.message); }
  };
  return area;
}
