// The console: one page, one view per hash (#/aliases, #/history, ...), each rendered from the admin API.
import { call, token, revisionOf, ApiError } from './api.js';
import { h, table, percent, number, time, ago, badge, shown, sparkline } from './dom.js';
import { wordDiff } from './worddiff.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const notice = document.getElementById('notice');
let session = null;

// ---- notices and errors -------------------------------------------------------------------------

function say(message, tone = 'ok', details = []) {
  notice.replaceChildren(h('span', {}, message), details.length ? h('ul', {}, details.map((d) => h('li', {}, d))) : '');
  notice.className = tone;
  notice.hidden = false;
}

function sayError(error) {
  if (error instanceof ApiError && error.status === 401) {
    token.clear();
    session = null;
    showLogin('Your token was refused: ' + error.message);
    return;
  }
  say(error instanceof ApiError ? `${error.status} ${error.type}: ${error.message}` : String(error), 'error',
      error.errors || []);
}

const mayWrite = () => session && session.role === 'write';

/** A write button: disabled, with the reason, for a read-only token. */
function writeButton(label, onclick, attributes = {}) {
  const allowed = mayWrite();
  return h('button', { ...attributes, disabled: !allowed, title: allowed ? null : 'your token may only read', onclick }, label);
}

// ---- sign in ------------------------------------------------------------------------------------

function showLogin(message) {
  nav.hidden = true;
  who.replaceChildren();
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', placeholder: 'admin token', size: 40 });
  const form = h('form', { class: 'login card', id: 'login', onsubmit: async (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    await start();
  } },
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'This admin API needs a token (TURNOUT_ADMIN_TOKEN, or one of admin.tokens). '
      + 'It is kept in this tab only, and sent as a bearer token to the admin API.'),
  message ? h('p', { class: 'error', id: 'login-error' }, message) : null,
  h('div', { class: 'row' }, input, h('button', { class: 'primary', type: 'submit', id: 'sign-in' }, 'Sign in')));
  main.replaceChildren(form);
  input.focus();
}

async function start() {
  try {
    session = (await call('GET', '/admin/session')).data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const had = token.get();
      token.clear();
      showLogin(had ? 'That token was refused.' : null);
      return;
    }
    main.replaceChildren(h('p', { class: 'error' }, 'The admin API did not answer: ' + error.message));
    return;
  }
  nav.hidden = false;
  who.replaceChildren(h('span', { id: 'identity' },
      session.tokens ? `signed in as ${session.name} (${session.role})` : 'no admin token (loopback only)'),
  session.tokens ? h('button', { id: 'sign-out', onclick: () => { token.clear(); session = null; showLogin(); } }, 'Sign out') : '');
  if (!location.hash) location.hash = '#/aliases';
  else route();
}

// ---- routing ------------------------------------------------------------------------------------

const views = { aliases, history, instances, diffs, rollouts, probes };

async function route() {
  if (!session) return;
  const [name, ...rest] = location.hash.replace(/^#\//, '').split('/');
  const view = views[name] || aliases;
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('active', link.dataset.view === (views[name] ? name : 'aliases'));
  notice.hidden = true;
  try {
    main.replaceChildren(...[await view(...rest.map(decodeURIComponent))].flat(Infinity).filter(Boolean));
  } catch (error) {
    main.replaceChildren(h('p', { class: 'muted' }, 'Could not load this view.'));
    sayError(error);
  }
}

window.addEventListener('hashchange', route);

async function refresh() {
  const keep = notice.hidden ? null : [notice.className, [...notice.childNodes].map((n) => n.cloneNode(true))];
  await route();
  if (keep) { notice.className = keep[0]; notice.replaceChildren(...keep[1]); notice.hidden = false; }
}

// ---- aliases and the weight editor --------------------------------------------------------------

async function aliases() {
  const { data: routes, etag } = await call('GET', '/admin/routes');
  const revision = revisionOf(etag);
  const cards = Object.entries(routes.aliases).map(([name, alias]) => aliasCard(name, alias, routes, revision));
  return [h('h1', {}, `Aliases `, h('span', { class: 'muted' }, `route revision ${revision}`)),
    cards.length ? cards : h('p', { class: 'muted' }, 'No aliases yet.')];
}

function aliasCard(name, alias, routes, revision) {
  const total = Object.values(alias.split).reduce((sum, weight) => sum + weight, 0);
  const split = table(['Version', 'Model', 'Weight', 'Share'], Object.entries(alias.split).map(([version, weight]) =>
      h('tr', { dataset: { version } }, h('td', {}, version), h('td', {}, routes.versions[version]?.model ?? '–'),
          h('td', { class: 'num weight' }, number(weight)),
          h('td', {}, h('span', { class: 'bar', style: null, dataset: { share: weight / total } }), percent(weight / total)))));
  split.querySelectorAll('.bar').forEach((bar) => { bar.style.width = Math.round(Number(bar.dataset.share) * 200) + 'px'; });
  const pins = Object.entries(alias.pins || {});
  const editor = h('div', { class: 'editor' });
  return h('section', { class: 'card alias', id: 'alias-' + name },
      h('h2', {}, name, ' ', h('span', { class: 'muted' }, `sticky by ${alias.sticky}`
          + (alias.fallback ? `, falls back to ${alias.fallback}` : ''))),
      split,
      pins.length ? h('p', {}, 'Pinned: ', pins.map(([client, version]) => h('span', { class: 'badge' }, `${client} → ${version}`))) : null,
      alias.shadow?.length ? h('p', {}, 'Shadowed: ', alias.shadow.map((s) => h('span', { class: 'badge' }, `${s.version} (${percent(s.sample, 0)})`))) : null,
      h('div', { class: 'row' }, writeButton('Edit weights', () => weightEditor(editor, name, alias, routes, revision), { class: 'edit-weights' })),
      editor);
}

/** Edit one alias's split: preview the change as a diff (a dry run of the very write), then confirm it. */
function weightEditor(editor, name, alias, routes, revision) {
  const inputs = Object.keys(routes.versions).map((version) =>
      [version, h('input', { class: 'weight', type: 'number', min: 0, step: 'any', name: version, value: alias.split[version] ?? 0 })]);
  const reason = h('input', { class: 'reason', name: 'reason', placeholder: 'why (kept in the history)' });
  const preview = h('div', { class: 'preview' });
  const patch = () => {
    const split = {};
    for (const [version, input] of inputs) {
      const weight = Number(input.value);
      if (input.value.trim() === '' || weight === 0) { if (version in alias.split) split[version] = null; }
      else split[version] = weight;
    }
    return { split };
  };
  const options = (dryRun) => ({ body: patch(), query: { dryRun: String(dryRun) },
    headers: { 'if-match': `"${revision}"`, 'x-turnout-reason': reason.value.trim() || 'weights edited in the console',
      'x-turnout-author': 'console' } });
  const apply = async () => {
    try {
      const { etag } = await call('PATCH', `/admin/aliases/${encodeURIComponent(name)}`, options(false));
      await refresh();
      say(`Applied: ${name} is now at route revision ${revisionOf(etag)}.`);
    } catch (error) { sayError(error); }
  };
  const showPreview = async () => {
    try {
      const { data } = await call('PATCH', `/admin/aliases/${encodeURIComponent(name)}`, options(true));
      preview.replaceChildren(
          data.changes.length ? changeList(data.changes) : h('p', { class: 'muted' }, 'Nothing would change.'),
          data.changes.length ? h('div', { class: 'row' }, h('button', { class: 'primary confirm', onclick: apply }, 'Apply this change'),
              h('span', { class: 'muted' }, `only if the routes are still at revision ${revision}`)) : '');
    } catch (error) {
      preview.replaceChildren();
      sayError(error);
    }
  };
  editor.replaceChildren(
      h('h2', {}, 'New weights'),
      table(['Version', 'Weight'], inputs.map(([version, input]) => h('tr', {}, h('td', {}, version), h('td', {}, input)))),
      h('div', { class: 'row' }, reason, h('button', { class: 'preview-change', onclick: showPreview }, 'Preview change'),
          h('button', { onclick: () => editor.replaceChildren() }, 'Cancel')),
      preview);
}

function changeList(changes) {
  return h('div', { class: 'changes' }, changes.map((change) => h('div', { class: 'change' },
      change.path, ': ', h('span', { class: 'from' }, shown(change.from)), ' → ', h('span', { class: 'to' }, shown(change.to)))));
}

// ---- history and rollback ----------------------------------------------------------------------

async function history() {
  const { data: entries } = await call('GET', '/admin/history', { query: { limit: 50 } });
  const newest = entries.length ? entries[0].revision : null;
  const rows = entries.map((entry) => {
    const details = h('tr', { class: 'details', hidden: true }, h('td', { colspan: 6 }));
    const row = h('tr', { class: 'revision', dataset: { revision: entry.revision } },
        h('td', { class: 'num' }, entry.revision), h('td', {}, time(entry.time)), h('td', { class: 'author' }, entry.author),
        h('td', {}, entry.action), h('td', { class: 'reason' }, entry.reason),
        h('td', {},
            h('button', { class: 'show-changes', onclick: () => showChanges(details, entry.revision) }, 'Changes'), ' ',
            entry.revision !== newest ? writeButton('Roll back to this', () => confirmRollback(details, entry.revision),
                { class: 'rollback' }) : badge('applied', 'good')));
    return [row, details];
  });
  return [h('h1', {}, 'History'),
    h('p', { class: 'muted' }, 'A rollback is a new revision holding a copy of the older table: nothing is rewritten.'),
    table(['Rev', 'Time', 'Author', 'Action', 'Reason', ''], rows, { id: 'history' })];
}

async function showChanges(details, revision) {
  try {
    const { data } = await call('GET', `/admin/history/${revision}`);
    details.firstChild.replaceChildren(data.previousRevision === null ? h('p', { class: 'muted' }, 'The oldest kept revision.')
        : data.changes.length ? h('div', {}, h('span', { class: 'muted' }, `from revision ${data.previousRevision}:`), changeList(data.changes))
            : h('p', { class: 'muted' }, 'No change to the table.'));
    details.hidden = false;
  } catch (error) { sayError(error); }
}

function confirmRollback(details, revision) {
  const reason = h('input', { class: 'reason', name: 'reason', placeholder: 'why (kept in the history)' });
  details.firstChild.replaceChildren(h('div', { class: 'row' },
      `Make revision ${revision}'s table the current one (as a new revision)?`, reason,
      h('button', { class: 'danger confirm-rollback', onclick: async () => {
        try {
          const { etag } = await call('POST', '/admin/rollback', { body: { toRevision: revision,
            reason: reason.value.trim() || `rolled back to ${revision} in the console` }, headers: { 'x-turnout-author': 'console' } });
          await refresh();
          say(`Rolled back: revision ${revisionOf(etag)} holds revision ${revision}'s table.`);
        } catch (error) { sayError(error); }
      } }, 'Roll back'),
      h('button', { onclick: () => { details.hidden = true; } }, 'Cancel')));
  details.hidden = false;
}

// ---- instances ----------------------------------------------------------------------------------

async function instances() {
  const { data: status } = await call('GET', '/admin/status');
  return [h('h1', {}, 'Instances'),
    h('p', {}, 'Store: ', h('b', {}, status.store.kind), ', ', badge(status.store.state, status.store.healthy ? 'good' : 'bad'),
        `, stored revision ${status.store.storedRevision ?? '–'}; this instance applies revision ${status.appliedRevision}; `,
        status.converged ? badge('converged', 'good') : badge('not converged', 'warn')),
    table(['Instance', 'Applied revision', 'Heartbeat'], status.instances.map((instance) =>
        h('tr', {}, h('td', {}, instance.id), h('td', { class: 'num' }, instance.appliedRevision),
            h('td', {}, ago(instance.heartbeat)))), { id: 'instances' })];
}

// ---- the diff report and its samples -------------------------------------------------------------

async function diffs(alias, candidate) {
  const { data: report } = await call('GET', '/admin/diffs');
  const rows = report.candidates.map((entry) => h('tr', { class: 'entry' },
      h('td', {}, entry.alias), h('td', {}, entry.primary), h('td', {}, entry.candidate), h('td', { class: 'num' }, entry.pairs),
      h('td', {}, `${entry.verdicts.same} / ${entry.verdicts.similar} / ${entry.verdicts.different} / ${entry.verdicts.error}`,
          entry.verdicts.uncalibrated ? h('span', { class: 'muted' }, ` (${entry.verdicts.uncalibrated} before calibration)`) : null),
      h('td', { class: 'num' }, percent(entry.differentRate)), h('td', { class: 'num' }, percent(entry.noiseDifferentRate)),
      h('td', {}, badge(entry.differsBeyondNoise, entry.differsBeyondNoise === 'yes' ? 'bad' : entry.differsBeyondNoise === 'no' ? 'good' : 'warn'),
          ' ', h('span', { class: 'muted' }, entry.summary)),
      h('td', {}, h('a', { class: 'samples', href: `#/diffs/${encodeURIComponent(entry.alias)}/${encodeURIComponent(entry.candidate)}` }, 'Samples'))));
  const view = [h('h1', {}, 'Shadow diffs'),
    h('p', { class: 'muted' }, 'Each candidate against each primary it shadowed, next to the primary\'s own noise '
        + '(the primary asked twice). Verdicts: same / similar / different / error.'),
    table(['Alias', 'Primary', 'Candidate', 'Pairs', 'Verdicts', 'Different', 'Noise different', 'Beyond noise', ''], rows, { id: 'diff-report' })];
  if (!report.candidates.length) view.push(h('p', { class: 'muted' }, 'No shadowed pairs yet: shadow a candidate and send traffic.'));
  if (candidate) view.push(await samples(alias, candidate));
  return view;
}

async function samples(alias, candidate) {
  const { data: list } = await call('GET', '/admin/diffs/samples', { query: { alias, candidate, sort: 'least_similar', limit: 10 } });
  return h('section', { id: 'samples' }, h('h2', {}, `Least similar answers: ${alias}, candidate ${candidate}`),
      list.length ? list.map(sampleCard) : h('p', { class: 'muted' }, 'No samples kept for this pair.'));
}

function sampleCard(sample) {
  const m = sample.metrics;
  const parts = wordDiff(sample.primaryText ?? '', sample.candidateText ?? '');
  const side = (title, runs, marked) => h('div', { class: 'side' }, h('h3', {}, title),
      runs.map((run) => run.same ? run.text : h('span', { class: marked }, run.text)));
  return h('div', { class: 'card sample' },
      h('div', { class: 'row' }, badge(m.verdict, m.verdict === 'different' ? 'bad' : m.verdict === 'same' ? 'good' : null),
          `similarity ${number(m.similarity)}, token F1 ${number(m.tokenF1)}, latency Δ ${number(m.latencyDeltaMs, 0)} ms`,
          h('span', { class: 'muted' }, `${sample.kind}, ${time(sample.time)}`)),
      h('details', {}, h('summary', {}, 'Request'), h('pre', {}, sample.request ?? '')),
      h('div', { class: 'sides' }, side(`primary ${sample.primary}`, parts.primary, 'only-primary'),
          side(`candidate ${sample.candidate}`, parts.candidate, 'only-candidate')));
}

// ---- rollouts -----------------------------------------------------------------------------------

async function rollouts(id) {
  const { data } = await call('GET', '/admin/rollouts');
  const rows = data.rollouts.map((r) => h('tr', {}, h('td', {}, h('a', { href: `#/rollouts/${encodeURIComponent(r.id)}` }, r.id)),
      h('td', {}, r.alias), h('td', {}, r.candidate), h('td', {}, stateBadge(r.state)), h('td', { class: 'num' }, number(r.weight)),
      h('td', { class: 'muted' }, r.reason)));
  const view = [h('h1', {}, 'Rollouts'),
    data.rollouts.length ? table(['Rollout', 'Alias', 'Candidate', 'State', 'Weight', 'Latest'], rows, { id: 'rollouts' })
        : h('p', { class: 'muted' }, 'No rollouts. Start one with POST /admin/rollouts or `turnout rollout start`.')];
  if (id) view.push(await rollout(id));
  return view;
}

function stateBadge(state) {
  return badge(state, { promoted: 'good', running: null, rolled_back: 'bad', aborted: 'bad', paused: 'warn' }[state]);
}

async function rollout(id) {
  const { data: r } = await call('GET', `/admin/rollouts/${encodeURIComponent(id)}`);
  const act = (action) => writeButton(action, async () => {
    try {
      await call('POST', `/admin/rollouts/${encodeURIComponent(id)}/${action}`, { query: { reason: `${action} in the console` } });
      await refresh();
      say(`Rollout ${id}: ${action} accepted.`);
    } catch (error) { sayError(error); }
  }, { class: 'action-' + action });
  const steps = r.spec.steps.map((step, i) => h('span', { class: 'step' + (i === r.step ? ' current' : i < r.step ? ' done' : '') },
      `${number(step.weight)}%`));
  return h('section', { class: 'card', id: 'rollout' },
      h('h2', {}, `${r.id}: ${r.candidate} on ${r.alias} `, stateBadge(r.state)),
      h('p', {}, r.reason),
      h('div', { class: 'row' }, 'Steps: ', steps),
      h('div', { class: 'row' }, ['pause', 'resume', 'promote', 'abort'].map(act)),
      h('h2', {}, 'Criteria at the latest look'),
      table(['Criterion', 'Decision', 'Candidate', 'Baseline', 'Interval', 'p', 'Test'], (r.criteria || []).map((c) =>
          h('tr', {}, h('td', {}, c.criterion), h('td', {}, badge(c.decision, c.decision === 'pass' ? 'good' : c.decision === 'fail' ? 'bad' : null)),
              h('td', { class: 'num' }, number(c.candidate, 4)), h('td', { class: 'num' }, number(c.baseline, 4)),
              h('td', {}, c.interval ? `${number(c.interval.low, 4)} to ${number(c.interval.high, 4)}` : '–'),
              h('td', { class: 'num' }, number(c.pValue, 3)), h('td', { class: 'muted' }, c.test)))),
      h('h2', {}, 'Decision log'),
      table(['Time', 'Step', 'Weight', 'Event', 'Detail'], (r.log || []).slice().reverse().map((e) =>
          h('tr', {}, h('td', {}, time(e.time)), h('td', { class: 'num' }, e.step + 1), h('td', { class: 'num' }, number(e.weight)),
              h('td', {}, e.event), h('td', {}, e.detail)))));
}

// ---- probes -------------------------------------------------------------------------------------

async function probes() {
  const { data } = await call('GET', '/admin/probes');
  const cards = await Promise.all(data.probes.map(probeCard));
  return [h('h1', {}, 'Probes'),
    cards.length ? cards : h('p', { class: 'muted' }, 'No probes. Define one with PUT /admin/probes/{name} or `turnout probes put`.')];
}

async function probeCard(probe) {
  const { data } = await call('GET', `/admin/probes/${encodeURIComponent(probe.name)}/results`, { query: { limit: 20 } });
  const runs = data.runs.slice().reverse(); // oldest first, for the lines
  const versions = [...new Set(runs.flatMap((run) => run.versions.map((v) => v.version)))];
  const rows = versions.map((version) => {
    const results = runs.map((run) => run.versions.find((v) => v.version === version)).filter(Boolean);
    const latest = results[results.length - 1];
    return h('tr', {}, h('td', {}, version),
        h('td', {}, sparkline(results.map((r) => r.passRate), results.map((r) => r.drift?.drifted))),
        h('td', { class: 'num' }, percent(latest.passRate)),
        h('td', {}, latest.drift ? badge(latest.drift.drifted ? 'drifted' : 'steady', latest.drift.drifted ? 'bad' : 'good') : badge('baseline'),
            ' ', h('span', { class: 'muted' }, latest.drift?.reason ?? '')));
  });
  const run = writeButton('Run now', async (event) => {
    event.target.disabled = true;
    event.target.textContent = 'Running…';
    try {
      await call('POST', `/admin/probes/${encodeURIComponent(probe.name)}/run`);
      await refresh();
      say(`Probe ${probe.name} ran.`);
    } catch (error) { sayError(error); event.target.disabled = false; event.target.textContent = 'Run now'; }
  });
  return h('section', { class: 'card probe' },
      h('h2', {}, probe.name, ' ', h('span', { class: 'muted' }, `set ${probe.set}, `
          + (probe.everySeconds ? `every ${probe.everySeconds} s` : 'on demand'))),
      runs.length ? table(['Version', `Pass rate, last ${runs.length} runs`, 'Latest', 'Drift'], rows) : h('p', { class: 'muted' }, 'Not run yet.'),
      h('div', { class: 'row' }, run));
}

start();
