// Views of what the models do: the shadow diff report and its samples, rollouts, probes, golden sets, replays.
import { call } from './api.js';
import { h, table, percent, number, time, badge, sparkline } from './dom.js';
import { shell, writeButton, jsonArea, payload, attempt, done, navigate } from './shell.js';
import { wordDiff } from './worddiff.js';

const enc = encodeURIComponent;

// ---- the diff report and its samples -------------------------------------------------------------

function reportRows(entries) {
  return entries.map((entry) => h('tr', { class: 'entry' },
      h('td', {}, entry.alias), h('td', {}, entry.primary), h('td', {}, entry.candidate), h('td', { class: 'num' }, entry.pairs),
      h('td', {}, `${entry.verdicts.same} / ${entry.verdicts.similar} / ${entry.verdicts.different} / ${entry.verdicts.error}`,
          entry.verdicts.uncalibrated ? h('span', { class: 'muted' }, ` (${entry.verdicts.uncalibrated} before calibration)`) : null),
      h('td', { class: 'num' }, percent(entry.differentRate)), h('td', { class: 'num' }, percent(entry.noiseDifferentRate)),
      h('td', { class: 'num' }, number(entry.beyondNoise?.floor), entry.noisePairs ? h('span', { class: 'muted' }, ` (${entry.noisePairs} pairs)`) : null),
      h('td', {}, badge(entry.differsBeyondNoise, { yes: 'bad', no: 'good' }[entry.differsBeyondNoise] ?? 'warn'),
          ' ', h('span', { class: 'muted' }, entry.summary)),
      h('td', {}, h('a', { class: 'samples', href: `#/diffs/${enc(entry.alias)}/${enc(entry.primary)}/${enc(entry.candidate)}` }, 'Samples'))));
}

const REPORT_HEADERS = ['Alias', 'Primary', 'Candidate', 'Pairs', 'Verdicts', 'Different', 'Noise different',
  'Noise floor (similarity)', 'Beyond noise', ''];

// Whose pairs the report counts: this instance's (kept in its memory) or the whole fleet's, rebuilt from the
// Redis diff stream every instance writes to. Kept for the tab.
const SCOPE_KEY = 'turnout.diffScope';
const diffScope = () => sessionStorage.getItem(SCOPE_KEY) === 'fleet' ? 'fleet' : 'instance';

function scopeSwitch(report) {
  const choose = (scope) => async () => {
    sessionStorage.setItem(SCOPE_KEY, scope);
    await shell.render();
  };
  const current = diffScope();
  return h('div', { class: 'row', id: 'diff-scope' }, 'Pairs compared by ',
      h('button', { class: 'scope-instance' + (current === 'instance' ? ' primary' : ''), onclick: choose('instance') }, 'this instance'),
      h('button', { class: 'scope-fleet' + (current === 'fleet' ? ' primary' : ''), onclick: choose('fleet') }, 'the whole fleet'),
      report.fleet ? h('span', { class: 'muted' }, `${report.fleet.entries} pairs read from the Redis stream`
          + (report.fleet.truncated ? ', the newest only (cap reached)' : '')
          + (report.fleet.unreadable ? `, ${report.fleet.unreadable} unreadable skipped` : '')) : null);
}

async function diffReport() {
  try {
    return (await call('GET', '/admin/diffs', { query: { scope: diffScope() } })).data;
  } catch (error) {
    // The memory store keeps no stream: say so, and show this instance's report instead.
    if (error.type !== 'fleet_needs_redis') throw error;
    sessionStorage.setItem(SCOPE_KEY, 'instance');
    shell.pending = { text: `${error.status} ${error.type}: ${error.message}`, tone: 'error' };
    return (await call('GET', '/admin/diffs', { query: { scope: 'instance' } })).data;
  }
}

export async function diffs(alias, primary, candidate) {
  const report = await diffReport();
  const view = [h('h1', {}, 'Shadow diffs'), scopeSwitch(report),
    h('p', { class: 'muted' }, 'Each candidate against each primary it shadowed, next to the primary\'s own noise '
        + '(the primary asked twice). Verdicts: same / similar / different / error. The noise floor is the similarity '
        + `below which only ${percent(report.noiseQuantile, 0)} of the primary's answers to itself fall; a candidate answer `
        + 'below it differs beyond noise.'),
    table(REPORT_HEADERS, reportRows(report.candidates), { id: 'diff-report' })];
  if (!report.candidates.length) view.push(h('p', { class: 'muted' }, 'No shadowed pairs yet: shadow a candidate and send traffic.'));
  if (candidate) view.push(await samples(alias, primary, candidate));
  return view;
}

async function samples(alias, primary, candidate) {
  const { data: list } = await call('GET', '/admin/diffs/samples',
      { query: { alias, primary, candidate, sort: 'least_similar', limit: 10, scope: diffScope() } });
  return h('section', { id: 'samples' }, h('h2', {}, `Least similar answers: ${alias}, ${primary} against ${candidate}`),
      list.length ? list.map(sampleCard) : h('p', { class: 'muted' }, 'No samples kept for this pair.'));
}

function sampleCard(sample) {
  const m = sample.metrics;
  const parts = wordDiff(sample.primaryText ?? '', sample.candidateText ?? '');
  const side = (title, runs, marked) => h('div', { class: 'side' }, h('h3', {}, title),
      runs.map((run) => run.same ? run.text : h('span', { class: marked }, run.text)));
  return h('div', { class: 'card sample' },
      h('div', { class: 'row' }, badge(m.verdict, { different: 'bad', same: 'good' }[m.verdict]),
          `similarity ${number(m.similarity)}, token F1 ${number(m.tokenF1)}, latency Δ ${number(m.latencyDeltaMs, 0)} ms`,
          h('span', { class: 'muted' }, `${sample.kind}, ${time(sample.time)}`)),
      h('details', {}, h('summary', {}, 'Request'), h('pre', {}, sample.request ?? '')),
      h('div', { class: 'sides' }, side(`primary ${sample.primary}`, parts.primary, 'only-primary'),
          side(`candidate ${sample.candidate}`, parts.candidate, 'only-candidate')));
}

// ---- rollouts -----------------------------------------------------------------------------------

const ROLLOUT_TEMPLATE = {
  alias: 'support-bot', candidate: 'support-v2',
  steps: [{ weight: 10, minRequests: 100, minSeconds: 60, maxSeconds: 3600 }, { weight: 50 }, { weight: 100 }],
  criteria: { errorRate: { maxIncrease: 0.01 }, latencyP95: { maxRatio: 1.3 } },
  onFailure: 'rollback',
};

export async function rollouts(id) {
  const { data } = await call('GET', '/admin/rollouts');
  const rows = data.rollouts.map((r) => h('tr', {}, h('td', {}, h('a', { href: `#/rollouts/${enc(r.id)}` }, r.id)),
      h('td', {}, r.alias), h('td', {}, r.candidate), h('td', {}, stateBadge(r.state)), h('td', { class: 'num' }, number(r.weight)),
      h('td', { class: 'muted' }, r.reason)));
  const editor = h('div', { class: 'editor' });
  const view = [h('h1', {}, 'Rollouts'),
    data.rollouts.length ? table(['Rollout', 'Alias', 'Candidate', 'State', 'Weight', 'Latest'], rows, { id: 'rollouts' })
        : h('p', { class: 'muted' }, 'No rollouts yet.'),
    h('div', { class: 'row' }, writeButton('Start a rollout', () => startRollout(editor), { class: 'start-rollout' })), editor];
  if (id) view.push(await rollout(id));
  return view;
}

function startRollout(editor) {
  const area = jsonArea(ROLLOUT_TEMPLATE, 16);
  editor.replaceChildren(h('h2', {}, 'Start a rollout'),
      h('p', { class: 'muted' }, 'JSON or YAML. The engine moves the weights step by step and judges each step; '
          + 'the README\'s Rollouts section has every field.'),
      area, h('div', { class: 'row' }, h('button', { class: 'primary create-rollout', onclick: attempt(async () => {
        const { data } = await call('POST', '/admin/rollouts', { ...payload(area.value), headers: { 'x-turnout-author': 'console' } });
        await navigate(`#/rollouts/${enc(data.id)}`, `Rollout ${data.id} started: ${data.reason}`);
      }) }, 'Start'), h('button', { onclick: () => editor.replaceChildren() }, 'Cancel')));
}

function stateBadge(state) {
  return badge(state, { promoted: 'good', rolled_back: 'bad', aborted: 'bad', failed: 'bad', paused: 'warn' }[state]);
}

async function rollout(id) {
  const { data: r } = await call('GET', `/admin/rollouts/${enc(id)}`);
  const act = (action) => writeButton(action, async () => {
    await call('POST', `/admin/rollouts/${enc(id)}/${action}`, { query: { reason: `${action} in the console` } });
    await done(`Rollout ${id}: ${action} accepted.`);
  }, { class: 'action-' + action });
  const steps = r.spec.steps.map((step, i) => h('span', { class: 'step' + (i === r.step ? ' current' : i < r.step ? ' done' : '') },
      `${number(step.weight)}%`));
  return h('section', { class: 'card', id: 'rollout' },
      h('h2', {}, `${r.id}: ${r.candidate} on ${r.alias} `, stateBadge(r.state), r.stale ? badge('stale', 'warn') : null),
      h('p', {}, r.reason),
      h('div', { class: 'row' }, 'Steps: ', steps),
      h('div', { class: 'row' }, ['pause', 'resume', 'promote', 'abort'].map(act)),
      h('h2', {}, 'Criteria at the latest look'),
      table(['Criterion', 'Decision', 'Candidate', 'Baseline', 'Interval', 'p', 'Summary'], (r.criteria || []).map((c) =>
          h('tr', {}, h('td', {}, c.criterion), h('td', {}, badge(c.decision, { pass: 'good', fail: 'bad' }[c.decision])),
              h('td', { class: 'num' }, number(c.candidate, 4)), h('td', { class: 'num' }, number(c.baseline, 4)),
              h('td', {}, c.interval ? `${number(c.interval.low, 4)} to ${number(c.interval.high, 4)}` : '–'),
              h('td', { class: 'num' }, number(c.pValue, 3)), h('td', { class: 'muted' }, c.summary, h('br'), c.test)))),
      h('h2', {}, 'Decision log'),
      table(['Time', 'Step', 'Weight', 'Event', 'Detail'], (r.log || []).slice().reverse().map((e) =>
          h('tr', {}, h('td', {}, time(e.time)), h('td', { class: 'num' }, e.step + 1), h('td', { class: 'num' }, number(e.weight)),
              h('td', {}, e.event), h('td', {}, e.detail)))));
}

// ---- probes -------------------------------------------------------------------------------------

const PROBE_TEMPLATE = { set: 'support-golden', versions: ['support-v1', 'support-v2'], everySeconds: 3600, concurrency: 4,
  maxTokensPerRun: 200000, timeoutMs: 60000 };

export async function probes() {
  const { data } = await call('GET', '/admin/probes');
  const cards = await Promise.all(data.probes.map(probeCard));
  const editor = h('div', { class: 'editor' });
  return [h('h1', {}, 'Probes'),
    cards.length ? cards : h('p', { class: 'muted' }, 'No probes yet.'),
    h('div', { class: 'row' }, writeButton('Define a probe', () => defineProbe(editor), { class: 'define-probe' })), editor];
}

function defineProbe(editor, name = '', spec = PROBE_TEMPLATE) {
  const nameInput = h('input', { name: 'probe-name', placeholder: 'probe name', value: name });
  const area = jsonArea(spec, 8);
  editor.replaceChildren(h('h2', {}, name ? `Edit probe ${name}` : 'Define a probe'), nameInput, area,
      h('div', { class: 'row' }, h('button', { class: 'primary save-probe', onclick: attempt(async () => {
        const chosen = nameInput.value.trim();
        if (!chosen) throw new Error('Name the probe first.');
        await call('PUT', `/admin/probes/${enc(chosen)}`, { body: area.parse() });
        await done(`Probe ${chosen} saved.`);
      }) }, 'Save'), h('button', { onclick: () => editor.replaceChildren() }, 'Cancel')));
}

async function probeCard(probe) {
  const { data } = await call('GET', `/admin/probes/${enc(probe.name)}/results`, { query: { limit: 20 } });
  const runs = data.runs.slice().reverse(); // oldest first, for the lines
  const versions = [...new Set(runs.flatMap((run) => run.versions.map((v) => v.version)))];
  const editor = h('div', { class: 'editor' });
  const rows = versions.map((version) => {
    const results = runs.map((run) => ({ run, result: run.versions.find((v) => v.version === version) })).filter((r) => r.result);
    const latest = results[results.length - 1];
    return h('tr', { dataset: { version } }, h('td', {}, version),
        h('td', {}, sparkline(results.map((r) => r.result.passRate), results.map((r) => r.result.drift?.drifted))),
        h('td', { class: 'num' }, percent(latest.result.passRate)),
        h('td', {}, latest.result.drift ? badge(latest.result.drift.drifted ? 'drifted' : 'steady', latest.result.drift.drifted ? 'bad' : 'good')
            : badge('baseline'), ' ', h('span', { class: 'muted' }, latest.result.drift?.reason ?? '')),
        h('td', {}, writeButton('Make latest run its baseline', async () => {
          await call('POST', `/admin/probes/${enc(probe.name)}/baseline`, { body: { version, run: latest.run.id } });
          await done(`${version}'s baseline for ${probe.name} is now run ${latest.run.id}.`);
        }, { class: 'baseline' })));
  });
  const { name, ...spec } = probe;
  return h('section', { class: 'card probe', dataset: { probe: name } },
      h('h2', {}, name, ' ', h('span', { class: 'muted' }, `set ${probe.set}, `
          + (probe.everySeconds ? `every ${probe.everySeconds} s on the rollout leader` : 'on demand'))),
      runs.length ? table(['Version', `Pass rate, last ${runs.length} runs (red: drift)`, 'Latest', 'Drift', ''], rows)
          : h('p', { class: 'muted' }, 'Not run yet.'),
      h('div', { class: 'row' },
          writeButton('Run now', async (event) => {
            event.target.disabled = true;
            event.target.textContent = 'Running…';
            try {
              // A run asks every item of the set of every version: as long as the CLI waits for it.
              await call('POST', `/admin/probes/${enc(name)}/run`, { timeoutMs: 600_000 });
            } finally {
              event.target.disabled = false;
              event.target.textContent = 'Run now';
            }
            await done(`Probe ${name} ran.`);
          }, { class: 'run-probe' }),
          writeButton('Edit', () => defineProbe(editor, name, spec)),
          writeButton('Delete', async () => {
            await call('DELETE', `/admin/probes/${enc(name)}`);
            await done(`Probe ${name} deleted.`);
          }, { class: 'delete-probe' })),
      editor);
}

// ---- golden sets --------------------------------------------------------------------------------

export async function golden(name) {
  const { data } = await call('GET', '/admin/golden-sets');
  const editor = h('div', { class: 'editor' });
  const rows = data.names.map((set) => h('tr', { dataset: { set } }, h('td', {}, h('a', { href: `#/golden/${enc(set)}` }, set)),
      h('td', {}, writeButton('Delete', async () => {
        await call('DELETE', `/admin/golden-sets/${enc(set)}`);
        await navigate('#/golden', `Golden set ${set} deleted.`);
      }, { class: 'delete-set' }))));
  const view = [h('h1', {}, 'Golden sets'),
    h('p', { class: 'muted' }, 'Questions with checkable answers (JSON Lines, one item per line), which probes ask.'),
    rows.length ? table(['Set', ''], rows, { id: 'golden-sets' }) : h('p', { class: 'muted' }, 'No golden sets yet.'),
    h('div', { class: 'row' }, writeButton('Upload a set', () => uploadSet(editor), { class: 'upload-set' })), editor];
  if (name) {
    const response = await fetchSet(name);
    view.push(h('section', { class: 'card', id: 'golden-set' }, h('h2', {}, name), h('pre', {}, response)));
  }
  return view;
}

async function fetchSet(name) {
  const { data } = await call('GET', `/admin/golden-sets/${enc(name)}`);
  return typeof data === 'string' ? data : JSON.stringify(data, null, 2);
}

function uploadSet(editor) {
  const nameInput = h('input', { name: 'set-name', placeholder: 'set name' });
  const area = h('textarea', { class: 'json', rows: 10, spellcheck: 'false', name: 'set-lines',
    placeholder: '{"id": "add-48-27", "messages": [{"role": "user", "content": "What is 48 + 27?"}], "check": {"kind": "number", "value": 75}}' });
  const file = h('input', { type: 'file', accept: '.jsonl,.json,.ndjson', onchange: async () => {
    if (file.files[0]) area.value = await file.files[0].text();
    if (!nameInput.value && file.files[0]) nameInput.value = file.files[0].name.replace(/\.(jsonl|json|ndjson)$/, '');
  } });
  editor.replaceChildren(h('h2', {}, 'Upload a golden set'), h('div', { class: 'row' }, nameInput, file), area,
      h('div', { class: 'row' }, h('button', { class: 'primary save-set', onclick: attempt(async () => {
        const chosen = nameInput.value.trim();
        if (!chosen) throw new Error('Name the set first.');
        const { data } = await call('PUT', `/admin/golden-sets/${enc(chosen)}`, { raw: area.value, type: 'application/jsonl' });
        await navigate(`#/golden/${enc(chosen)}`, `Golden set ${chosen} saved` + (data && data.items !== undefined ? ` (${data.items} items).` : '.'));
      }) }, 'Save'), h('button', { onclick: () => editor.replaceChildren() }, 'Cancel')));
}

// ---- replays ------------------------------------------------------------------------------------

export async function replays(id) {
  const { data } = await call('GET', '/admin/replays');
  const editor = h('div', { class: 'editor' });
  const rows = data.replays.map((r) => h('tr', {}, h('td', {}, h('a', { href: `#/replays/${enc(r.id)}` }, r.id)),
      h('td', {}, r.alias), h('td', {}, r.candidate), h('td', {}, badge(r.state, { done: 'good', failed: 'bad' }[r.state])),
      h('td', { class: 'num' }, r.counts.sent), h('td', { class: 'num' }, r.counts.compared), h('td', {}, time(r.startedAt))));
  const view = [h('h1', {}, 'Replays'),
    h('p', { class: 'muted' }, 'Recorded requests sent again to a candidate at a fixed rate, compared like shadows. '
        + 'With the Redis store every instance lists the fleet\'s replays; with the memory store, this instance\'s.'),
    rows.length ? table(['Replay', 'Alias', 'Candidate', 'State', 'Sent', 'Compared', 'Started'], rows, { id: 'replays' })
        : h('p', { class: 'muted' }, 'No replays on this instance.'),
    h('div', { class: 'row' }, writeButton('Start a replay', () => startReplay(editor), { class: 'start-replay' })), editor];
  if (id) view.push(await replay(id));
  return view;
}

function startReplay(editor) {
  const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const area = jsonArea({ alias: 'support-bot', candidate: 'support-v3', from: since, limit: 200, ratePerSecond: 20 }, 8);
  editor.replaceChildren(h('h2', {}, 'Start a replay'), area, h('div', { class: 'row' },
      h('button', { class: 'primary create-replay', onclick: attempt(async () => {
        const { data } = await call('POST', '/admin/replays', { body: area.parse() });
        await navigate(`#/replays/${enc(data.id)}`, `Replay ${data.id} started.`);
      }) }, 'Start'), h('button', { onclick: () => editor.replaceChildren() }, 'Cancel')));
}

async function replay(id) {
  const { data: r } = await call('GET', `/admin/replays/${enc(id)}`);
  return h('section', { class: 'card', id: 'replay' },
      h('h2', {}, `${r.id}: ${r.candidate} on ${r.alias} `, badge(r.state)),
      r.reason ? h('p', {}, r.reason) : null,
      h('p', { class: 'muted' }, `from ${time(r.from)} to ${time(r.to)}, at most ${r.limit}, ${r.ratePerSecond}/s`
          + (r.instance ? `; run by instance ${r.instance} (cancel it there)` : '')),
      table(Object.keys(r.counts), [h('tr', {}, Object.values(r.counts).map((count) => h('td', { class: 'num' }, count)))]),
      r.state === 'running' ? writeButton('Cancel', async () => {
        await call('POST', `/admin/replays/${enc(id)}/cancel`);
        await done(`Replay ${id} cancelled.`);
      }) : null,
      h('h2', {}, 'Its diff report'),
      r.diffs?.length ? table(REPORT_HEADERS, reportRows(r.diffs)) : h('p', { class: 'muted' }, 'No pairs compared yet.'));
}
