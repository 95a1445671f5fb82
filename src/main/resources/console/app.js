// The console: sign in, then one view per hash (#/aliases, #/history, ...), each rendered from the admin API.
import { call, token, ApiError } from './api.js';
import { h } from './dom.js';
import { shell, hideNotice, say, sayError } from './shell.js';
import { aliases, history, instances } from './routes.js';
import { diffs, rollouts, probes, golden, replays } from './watch.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const views = { aliases, history, instances, diffs, rollouts, probes, golden, replays };

function showLogin(message) {
  shell.session = null;
  nav.hidden = true;
  who.replaceChildren();
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', placeholder: 'admin token', size: 40 });
  main.replaceChildren(h('form', { class: 'login card', id: 'login', onsubmit: async (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    await start();
  } },
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'This admin API needs a token (TURNOUT_ADMIN_TOKEN, or one of admin.tokens). '
      + 'It is kept in this tab only, and sent to the admin API as a bearer token.'),
  message ? h('p', { class: 'error', id: 'login-error' }, message) : null,
  h('div', { class: 'row' }, input, h('button', { class: 'primary', type: 'submit', id: 'sign-in' }, 'Sign in'))));
  input.focus();
}

shell.signedOut = (message) => {
  token.clear();
  showLogin(message);
};

async function start() {
  try {
    shell.session = (await call('GET', '/admin/session')).data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const tried = token.get();
      token.clear();
      showLogin(tried ? 'That token was refused.' : null);
      return;
    }
    main.replaceChildren(h('p', { class: 'error' }, error.message));
    return;
  }
  const { session } = shell;
  nav.hidden = false;
  who.replaceChildren(h('span', { id: 'identity' },
      session.tokens ? `signed in as ${session.name} (${session.role})` : 'no admin token (loopback only)'),
  session.tokens ? h('button', { id: 'sign-out', onclick: () => shell.signedOut() }, 'Sign out') : '');
  if (!location.hash) location.hash = '#/aliases';
  else await render();
}

/** Views of state that moves by itself; they re-render every few seconds while nobody is editing. */
const LIVE = new Set(['rollouts', 'instances', 'replays']);
const LIVE_MS = 3000;

/**
 * Renders the view the hash names: #/diffs/support-bot/support-v3 is diffs('support-bot', 'support-v3').
 * A quiet render (the live refresh) keeps the notice on screen.
 */
async function render(quiet = false) {
  if (!shell.session) return;
  const [name, ...rest] = location.hash.replace(/^#\//, '').split('/');
  const shown = views[name] ? name : 'aliases';
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('active', link.dataset.view === shown);
  if (!quiet) hideNotice();
  try {
    const parts = [await views[shown](...rest.map(decodeURIComponent))].flat(Infinity).filter(Boolean);
    // A live refresh that changes nothing leaves the page alone: no flicker, no lost selection or open details.
    const drawn = document.createElement('div');
    drawn.append(...parts);
    if (!(quiet && drawn.innerHTML === main.innerHTML)) main.replaceChildren(...drawn.childNodes);
    if (shell.pending) say(shell.pending.text, shell.pending.tone);
  } catch (error) {
    main.replaceChildren(h('p', { class: 'muted' }, 'Could not load this view.'));
    sayError(error);
  } finally {
    shell.pending = null;
  }
}

shell.render = () => render();
window.addEventListener('hashchange', () => render());
setInterval(() => {
  const view = location.hash.replace(/^#\//, '').split('/')[0];
  const editing = main.querySelector('.editor:not(:empty)') || ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName);
  if (shell.session && LIVE.has(view) && !editing && !document.hidden) render(true);
}, LIVE_MS);
start();
