// Views of the route table: aliases and versions (each write previewed as a dry run), history with rollback,
// and the instances applying it.
import { call, revisionOf } from './api.js';
import { h, table, percent, number, time, ago, badge } from './dom.js';
import { writeButton, previewedWrite, reasonInput, jsonArea, changeList, attempt, done } from './shell.js';

const enc = encodeURIComponent;

export async function aliases() {
  const { data: routes, etag } = await call('GET', '/admin/routes');
  const revision = revisionOf(etag);
  const cards = Object.entries(routes.aliases).map(([name, alias]) => aliasCard(name, alias, routes, revision));
  const creator = h('div', { class: 'editor' });
  const whole = h('div', { class: 'editor' });
  return [h('h1', {}, 'Aliases ', h('span', { class: 'muted' }, `route revision ${revision}`)),
    h('div', { class: 'row' }, writeButton('Edit the whole table', () => tableEditor(whole, routes, revision), { class: 'edit-table' })),
    whole,
    cards.length ? cards : h('p', { class: 'muted' }, 'No aliases yet.'),
    h('div', { class: 'row' }, writeButton('New alias', () => entryEditor(creator, 'alias', null,
        { split: { [Object.keys(routes.versions)[0] ?? 'version']: 100 } }, revision), { class: 'new-alias' })),
    creator,
    h('h1', {}, 'Versions'), versionTable(routes, revision)];
}

function aliasCard(name, alias, routes, revision) {
  const total = Object.values(alias.split).reduce((sum, weight) => sum + weight, 0);
  const split = table(['Version', 'Model', 'Weight', 'Share'], Object.entries(alias.split).map(([version, weight]) =>
      h('tr', { dataset: { version } }, h('td', {}, version), h('td', {}, routes.versions[version]?.model ?? '–'),
          h('td', { class: 'num weight' }, number(weight)),
          h('td', {}, h('span', { class: 'bar', dataset: { share: weight / total } }), percent(weight / total)))));
  // Widths through the CSSOM: the page's content security policy allows no inline style attributes.
  split.querySelectorAll('.bar').forEach((bar) => { bar.style.width = Math.round(Number(bar.dataset.share) * 200) + 'px'; });
  const pins = Object.entries(alias.pins || {});
  const editor = h('div', { class: 'editor' });
  return h('section', { class: 'card alias', id: 'alias-' + name },
      h('h2', {}, name, ' ', h('span', { class: 'muted' }, `sticky by ${alias.sticky}`
          + (alias.fallback ? `, falls back to ${alias.fallback}` : ''))),
      split,
      pins.length ? h('p', {}, 'Pinned: ', pins.map(([client, version]) => h('span', { class: 'badge' }, `${client} → ${version}`))) : null,
      alias.shadow?.length ? h('p', {}, 'Shadowed: ', alias.shadow.map((s) => h('span', { class: 'badge' }, `${s.version} (${percent(s.sample, 0)})`))) : null,
      h('div', { class: 'row' },
          writeButton('Edit weights', () => weightEditor(editor, name, alias, routes, revision), { class: 'edit-weights' }),
          writeButton('Edit as JSON or YAML', async () => entryEditor(editor, 'alias', name,
              (await call('GET', `/admin/aliases/${enc(name)}`)).data, revision), { class: 'edit-json' }),
          writeButton('Undo its last change', () => undoAlias(editor, name), { class: 'undo-alias' }),
          writeButton('Delete', () => deleteEntry(editor, 'alias', name, revision), { class: 'delete' })),
      editor);
}

/** One alias's split as a number per version: 0 removes a version from the split. */
function weightEditor(editor, name, alias, routes, revision) {
  const inputs = Object.keys(routes.versions).map((version) =>
      [version, h('input', { class: 'weight', type: 'number', min: 0, step: 'any', name: version, value: alias.split[version] ?? 0 })]);
  const body = () => {
    const split = {};
    for (const [version, input] of inputs) {
      const weight = Number(input.value);
      if (input.value.trim() === '' || weight === 0) { if (version in alias.split) split[version] = null; }
      else split[version] = weight;
    }
    return { split }; // a JSON merge patch: null removes a version
  };
  editor.replaceChildren(h('h2', {}, 'New weights'),
      table(['Version', 'Weight'], inputs.map(([version, input]) => h('tr', {}, h('td', {}, version), h('td', {}, input)))));
  previewedWrite(editor, { method: 'PATCH', path: `/admin/aliases/${enc(name)}`, body, revision, reason: reasonInput(),
    label: 'weights edited', after: `Applied: ${name} changed` });
}

/** An alias or version as PUT takes it (pins, shadows, fallback, timeouts...), edited as JSON or YAML. */
function entryEditor(editor, kind, name, value, revision) {
  const nameInput = name ? null : h('input', { name: 'name', placeholder: `new ${kind} name` });
  const area = jsonArea(value, 12);
  const path = () => {
    const chosen = name ?? nameInput.value.trim();
    if (!chosen) throw new Error(`Name the new ${kind} first.`);
    return `/admin/${kind === 'alias' ? 'aliases' : 'versions'}/${enc(chosen)}`;
  };
  editor.replaceChildren(h('h2', {}, name ? `Edit ${kind} ${name}` : `New ${kind}`),
      h('p', { class: 'muted' }, `JSON, or YAML as in the routes file: the ${kind} as PUT /admin/${kind === 'alias' ? 'aliases' : 'versions'}/{name} takes it.`),
      nameInput ?? '', area);
  previewedWrite(editor, { method: 'PUT', path, body: () => area.value, revision, reason: reasonInput(),
    label: `${kind} written`, after: `Applied: ${kind} written` });
}

/** The whole route document, as JSON or pasted as the YAML file kept in git: PUT /admin/routes. */
function tableEditor(editor, routes, revision) {
  const unversioned = { ...routes };
  delete unversioned.revision; // If-Match guards the write
  const area = h('textarea', { class: 'json', rows: 24, spellcheck: 'false', name: 'routes' });
  area.value = JSON.stringify(unversioned, null, 2);
  editor.replaceChildren(h('h2', {}, 'The whole route table'),
      h('p', { class: 'muted' }, 'JSON, or paste conf/routes.yaml as it is kept in git (sent as YAML). '
          + 'Applied only if the routes are still at the revision shown.'), area);
  previewedWrite(editor, { method: 'PUT', path: '/admin/routes', body: () => area.value, revision, reason: reasonInput(),
    label: 'route table replaced', after: 'Applied: the route table replaced' });
}

function deleteEntry(editor, kind, name, revision) {
  editor.replaceChildren(h('h2', {}, `Delete ${kind} ${name}`));
  previewedWrite(editor, { method: 'DELETE', path: `/admin/${kind === 'alias' ? 'aliases' : 'versions'}/${enc(name)}`,
    body: () => undefined, revision, reason: reasonInput(), label: `${kind} deleted`, after: `Deleted ${kind} ${name}` });
}

function undoAlias(editor, name) {
  editor.replaceChildren(h('h2', {}, `Put ${name} back as it was before its last change (a new revision)`));
  previewedWrite(editor, { method: 'POST', path: `/admin/aliases/${enc(name)}/rollback`, body: () => ({}), reason: reasonInput(),
    label: `alias ${name} rolled back`, after: `Rolled back ${name}` });
}

function versionTable(routes, revision) {
  const editor = h('div', { class: 'editor' });
  const rows = Object.entries(routes.versions).map(([id, version]) => h('tr', { dataset: { version: id } },
      h('td', {}, id), h('td', {}, version.url), h('td', {}, version.model ?? '–'), h('td', { class: 'num' }, number(version.timeoutMs)),
      h('td', {}, writeButton('Edit', async () => entryEditor(editor, 'version', id,
          (await call('GET', `/admin/versions/${enc(id)}`)).data, revision), { class: 'edit-version' }), ' ',
          writeButton('Delete', () => deleteEntry(editor, 'version', id, revision), { class: 'delete-version' }))));
  return [table(['Version', 'URL', 'Upstream model', 'Timeout ms', ''], rows, { id: 'versions' }),
    h('div', { class: 'row' }, writeButton('New version', () => entryEditor(editor, 'version', null,
        { url: 'http://127.0.0.1:9104/v1', model: 'ft:support:v4', apiKeyEnv: null }, revision), { class: 'new-version' })),
    editor];
}

// ---- history and rollback ----------------------------------------------------------------------

export async function history() {
  const { data: entries } = await call('GET', '/admin/history', { query: { limit: 50 } });
  const newest = entries.length ? entries[0].revision : null;
  const rows = entries.map((entry) => {
    const details = h('tr', { class: 'details', hidden: true }, h('td', { colspan: 6 }));
    const row = h('tr', { class: 'revision', dataset: { revision: entry.revision } },
        h('td', { class: 'num' }, entry.revision), h('td', {}, time(entry.time)), h('td', { class: 'author' }, entry.author),
        h('td', {}, entry.action), h('td', { class: 'reason' }, entry.reason),
        h('td', {},
            h('button', { class: 'show-changes', onclick: attempt(() => showChanges(details, entry.revision)) }, 'Changes'), ' ',
            entry.revision !== newest ? writeButton('Roll back to this', () => confirmRollback(details, entry.revision),
                { class: 'rollback' }) : badge('current', 'good')));
    return [row, details];
  });
  return [h('h1', {}, 'History'),
    h('p', { class: 'muted' }, 'A rollback is a new revision holding a copy of the older table: nothing is rewritten.'),
    table(['Rev', 'Time', 'Author', 'Action', 'Reason', ''], rows, { id: 'history' })];
}

async function showChanges(details, revision) {
  const { data } = await call('GET', `/admin/history/${revision}`);
  details.firstChild.replaceChildren(data.previousRevision === null ? h('p', { class: 'muted' }, 'The oldest kept revision.')
      : data.changes.length ? h('div', {}, h('span', { class: 'muted' }, `from revision ${data.previousRevision}:`), changeList(data.changes))
          : h('p', { class: 'muted' }, 'No change to the table.'));
  details.hidden = false;
}

function confirmRollback(details, revision) {
  const reason = reasonInput();
  details.firstChild.replaceChildren(h('div', { class: 'row' },
      `Make revision ${revision}'s table the current one (as a new revision)?`, reason,
      h('button', { class: 'danger confirm-rollback', onclick: attempt(async () => {
        const { etag } = await call('POST', '/admin/rollback', { body: { toRevision: revision,
          reason: reason.value.trim() || `rolled back to ${revision} in the console` }, headers: { 'x-turnout-author': 'console' } });
        await done(`Rolled back: revision ${revisionOf(etag)} holds revision ${revision}'s table.`);
      }) }, 'Roll back'),
      h('button', { onclick: () => { details.hidden = true; } }, 'Cancel')));
  details.hidden = false;
}

// ---- instances ----------------------------------------------------------------------------------

export async function instances() {
  const { data: status } = await call('GET', '/admin/status');
  return [h('h1', {}, 'Instances'),
    h('p', {}, 'Store: ', h('b', {}, status.store.kind), ', ', badge(status.store.state, status.store.healthy ? 'good' : 'bad'),
        `, stored revision ${status.store.storedRevision ?? '–'}; this instance applies revision ${status.appliedRevision}; `,
        status.converged ? badge('converged', 'good') : badge('not converged', 'warn')),
    table(['Instance', 'Applied revision', 'Heartbeat'], status.instances.map((instance) =>
        h('tr', {}, h('td', {}, instance.id), h('td', { class: 'num' }, instance.appliedRevision),
            h('td', {}, ago(instance.heartbeat)))), { id: 'instances' })];
}
