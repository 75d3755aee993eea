// Shunt's web page: plain DOM, no framework. Reads the REST API with the user's token (kept in
// sessionStorage), follows the project's event stream for live updates, and offers only the
// actions the caller's roles allow (others are disabled with the reason shown).
import { completeSignInIfRedirected, currentToken, loadAuthConfig, signOut, startSignIn } from './sign-in.js';

const API = '/api/v1';
/** Pause before following a lost event stream again (resuming with its last event's id). */
const RECONNECT_MS = 2000;
const $ = (id) => document.getElementById(id);

const state = { project: '', who: null, data: null, historyStage: '', busy: false, stream: null, lastRender: '' };

// ---- HTTP --------------------------------------------------------------------------------

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const token = currentToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${API}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new HttpError(res.status, json?.error?.message ?? `${method} ${path} answered ${res.status}`);
  return json;
}

const seg = encodeURIComponent;

// ---- DOM helpers -------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false || v === null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function say(text) {
  $('status').textContent = text;
}

function fail(err) {
  $('error').textContent = err ? (err.message ?? String(err)) : '';
}

/** A button that runs `action`, or a disabled one with its reason visible and announced. */
function actionButton(label, decision, action, primary = false) {
  const id = `r-${Math.random().toString(36).slice(2)}`;
  const allowed = decision?.allowed !== false;
  // While another action is in flight the buttons are disabled, so no click is silently dropped.
  const button = h('button', { type: 'button', class: primary ? 'primary' : undefined, disabled: !allowed || state.busy, 'data-action': '', 'aria-describedby': allowed ? undefined : id, title: allowed ? undefined : decision.reason }, label);
  if (allowed) button.addEventListener('click', () => run(label, action));
  return allowed ? [button] : [button, h('p', { id, class: 'reason' }, decision.reason)];
}

async function run(label, action) {
  if (state.busy) return;
  state.busy = true;
  for (const b of document.querySelectorAll('button[data-action]')) b.disabled = true;
  fail();
  say(`${label}…`);
  try {
    const message = await action();
    say(message ?? `${label}: done`);
  } catch (err) {
    say('');
    fail(err);
  } finally {
    state.busy = false;
    await refresh();
  }
}

// ---- time --------------------------------------------------------------------------------

function ago(iso) {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

function left(ms) {
  const m = Math.ceil(ms / 60000);
  return m >= 60 ? `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ''}` : `${m}m`;
}

// ---- the pipeline model ------------------------------------------------------------------

/** The edges of the graph into a stage: warehouses it takes directly, and upstream stages. */
function sourcesOf(stage) {
  const warehouses = [];
  const upstream = [];
  for (const req of stage.spec?.requestedFreight ?? []) {
    if (req.sources?.direct) warehouses.push(req.origin?.name);
    for (const up of req.sources?.stages ?? []) upstream.push(up);
  }
  return { warehouses, upstream };
}

/** Columns: warehouses first, then each stage one column right of its deepest upstream. */
function layout(warehouses, stages) {
  const depth = new Map();
  const byName = new Map(stages.map((s) => [s.metadata.name, s]));
  const visit = (name, seen = new Set()) => {
    if (depth.has(name)) return depth.get(name);
    if (seen.has(name)) return 1;
    seen.add(name);
    const { upstream } = sourcesOf(byName.get(name));
    const d = 1 + Math.max(0, ...upstream.filter((u) => byName.has(u)).map((u) => visit(u, seen)));
    depth.set(name, d);
    return d;
  };
  stages.forEach((s) => visit(s.metadata.name));
  const columns = [warehouses.map((w) => ({ kind: 'warehouse', item: w }))];
  for (const s of stages) (columns[depth.get(s.metadata.name)] ??= []).push({ kind: 'stage', item: s });
  return columns.filter(Boolean);
}

function freightLabel(freight, id) {
  const f = freight.find((x) => x.metadata.name === id);
  return f ? `${f.alias} (${f.images?.[0]?.tag ?? id.slice(0, 7)})` : id ? id.slice(0, 7) : '—';
}

function currentFreightId(stage) {
  const items = stage.status?.freightHistory?.[0]?.items ?? {};
  return Object.values(items)[0]?.name;
}

function permissions(stageName) {
  return state.who?.project?.stages?.[stageName] ?? { promote: { allowed: true }, approve: { allowed: true } };
}

/** The api's verdict on promoting freight `id` to the stage now (status.freightAvailability). */
function availabilityOf(stage, id) {
  return (stage.status?.freightAvailability ?? []).find((e) => e.freight === id);
}

// ---- rendering ---------------------------------------------------------------------------

function renderGraph({ warehouses, stages, freight, promotions }) {
  const columns = layout(warehouses, stages);
  const host = $('columns');
  host.replaceChildren(
    ...columns.map((col, i) =>
      h('div', { class: 'column', role: 'list', 'aria-label': i === 0 ? 'Warehouses' : `Stages, step ${i}` }, col.map((n) => h('div', { role: 'listitem' }, n.kind === 'warehouse' ? warehouseNode(n.item) : stageNode(n.item, freight, promotions, stages)))),
    ),
  );
  requestAnimationFrame(() => drawEdges(stages));
}

function warehouseNode(w) {
  const subs = (w.spec?.subscriptions ?? []).map((s) => s.image?.repoURL ?? s.git?.repoURL ?? s.chart?.name ?? '?');
  return h('article', { class: 'node warehouse', id: `node-warehouse-${w.metadata.name}`, 'aria-label': `Warehouse ${w.metadata.name}` },
    h('h3', {}, `Warehouse ${w.metadata.name}`),
    h('dl', {}, h('dt', {}, 'Watches'), h('dd', {}, subs.join(', ') || '—'), h('dt', {}, 'Latest'), h('dd', {}, w.status?.lastFreightID ? w.status.lastFreightID.slice(0, 7) : '—')),
  );
}

function stageNode(stage, freight, promotions, stages) {
  const name = stage.metadata.name;
  const current = currentFreightId(stage);
  const health = stage.status?.health?.status ?? 'Unknown';
  const last = stage.status?.lastPromotion;
  const running = stage.status?.currentPromotion;
  const phase = running ? 'Running' : (last?.status?.phase ?? '');
  const f = freight.find((x) => x.metadata.name === current);
  const verified = f?.status?.verifiedIn?.[name];
  const perm = permissions(name);
  const verdicts = stage.status?.freightAvailability ?? [];
  const candidates = verdicts.filter((e) => e.available).map((e) => freight.find((f) => f.metadata.name === e.freight)).filter(Boolean);
  const selectId = `promote-${name}`;
  const select = h('select', { id: selectId, name: selectId }, candidates.map((c) => h('option', { value: c.metadata.name }, `${c.alias} (${c.images?.[0]?.tag ?? c.metadata.name.slice(0, 7)})`)));
  const mine = promotions.filter((p) => p.spec.stage === name);
  const latest = mine[mine.length - 1];
  const actions = [];
  if (!candidates.length && verdicts[0]?.reason) actions.push(h('p', { class: 'reason' }, `Nothing to promote: ${verdicts[0].reason}`));
  if (candidates.length) {
    actions.push(h('label', { for: selectId }, 'Freight'), select,
      ...actionButton(`Promote to ${name}`, perm.promote, async () => {
        const p = await api('POST', `/projects/${seg(state.project)}/promotions`, { stage: name, freight: select.value });
        state.historyStage = name;
        return `Promotion ${p.metadata.name} queued`;
      }, true));
  }
  if (latest && ['Failed', 'Errored'].includes(latest.status?.phase)) {
    actions.push(...actionButton(`Retry ${latest.metadata.name}`, perm.promote, async () => {
      await api('POST', `/projects/${seg(state.project)}/promotions/${seg(latest.metadata.name)}/retry`, {});
      return `Retry of ${latest.metadata.name} requested`;
    }));
  }
  const live = mine.filter((p) => ['Running', 'Pending'].includes(p.status?.phase));
  for (const p of live) {
    if (p.status?.waitingForApproval) {
      actions.push(...actionButton(`Approve ${p.metadata.name}`, perm.approve, async () => {
        await api('POST', `/projects/${seg(state.project)}/promotions/${seg(p.metadata.name)}/approve`, {});
        return `${p.metadata.name} approved`;
      }));
    }
    actions.push(...actionButton(`Abort ${p.metadata.name}`, perm.promote, async () => {
      await api('POST', `/projects/${seg(state.project)}/promotions/${seg(p.metadata.name)}/abort`, {});
      return `Abort of ${p.metadata.name} requested`;
    }));
  }
  return h('article', { class: `node stage ${health} ${phase}`, id: `node-stage-${name}`, 'aria-label': `Stage ${name}` },
    h('h3', {}, h('button', { type: 'button', class: 'link', onclick: () => selectHistory(name), 'aria-label': `Show the promotions of ${name}` }, `Stage ${name}`)),
    h('dl', {},
      h('dt', {}, 'Freight'), h('dd', { 'data-testid': `current-${name}` }, freightLabel(freight, current)),
      h('dt', {}, 'Health'), h('dd', {}, health),
      h('dt', {}, 'Verified'), h('dd', { 'data-testid': `verified-${name}` }, verifiedText(stage, verified, current)),
      h('dt', {}, 'Promotion'), h('dd', {}, running ? h('span', { class: 'phase Running' }, `${running} running`) : last ? h('span', { class: `phase ${last.status?.phase}` }, `${last.name}: ${last.status?.phase}`) : '—'),
    ),
    h('div', { class: 'actions' }, actions),
  );
}

/** The stage's Verified condition as the api decides it: why not, or since when and how. */
function verifiedText(stage, verified, current) {
  const c = (stage.status?.conditions ?? []).find((x) => x.type === 'Verified');
  if (c && c.status !== 'True') return h('span', { class: `phase ${c.reason.replace(/^Verification/, '')}` }, `${c.reason}: ${c.message}`);
  if (verified) return `yes, ${ago(verified.verifiedAt)}${c?.message && c.message !== 'Freight has been verified' ? ` (${c.message})` : ''}`;
  return current ? 'not yet' : '—';
}

function drawEdges(stages) {
  const svg = $('edges');
  const box = $('graph').getBoundingClientRect();
  const paths = [];
  const edge = (fromId, toId) => {
    const a = document.getElementById(fromId)?.getBoundingClientRect();
    const b = document.getElementById(toId)?.getBoundingClientRect();
    if (!a || !b) return;
    const x1 = a.right - box.left, y1 = a.top + a.height / 2 - box.top, x2 = b.left - box.left, y2 = b.top + b.height / 2 - box.top;
    const mid = (x1 + x2) / 2;
    paths.push(`<path d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 4},${y2}"/>`);
  };
  for (const s of stages) {
    const { warehouses, upstream } = sourcesOf(s);
    warehouses.forEach((w) => edge(`node-warehouse-${w}`, `node-stage-${s.metadata.name}`));
    upstream.forEach((u) => edge(`node-stage-${u}`, `node-stage-${s.metadata.name}`));
  }
  svg.setAttribute('width', String($('graph').scrollWidth));
  svg.setAttribute('height', String($('graph').scrollHeight));
  svg.innerHTML = `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#7a8699"/></marker></defs>${paths.join('')}`;
}

/** Stage names in pipeline order: by column of the graph, then by name. */
function pipelineOrder(warehouses, stages) {
  return layout(warehouses, stages).slice(1).flat().map((n) => n.item.metadata.name);
}

function renderFreight({ warehouses, stages, freight }) {
  const names = pipelineOrder(warehouses, stages);
  $('freight').tHead.replaceChildren(h('tr', {}, h('th', { scope: 'col' }, 'Freight'), h('th', { scope: 'col' }, 'Discovered'), names.map((n) => h('th', { scope: 'col' }, n))));
  const rows = freight.map((f) =>
    h('tr', {},
      h('th', { scope: 'row' }, `${f.alias} `, h('span', { class: 'muted' }, f.images?.map((i) => i.tag).join(', ') || f.metadata.name.slice(0, 7))),
      h('td', {}, ago(f.discoveredAt)),
      names.map((n) => h('td', { class: `cell${f.status?.currentlyIn?.[n] ? ' current' : ''}` }, freightCell(f, n, stages))),
    ),
  );
  $('freight').tBodies[0].replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: String(names.length + 2) }, 'No freight yet.'))]));
}

function freightCell(f, stageName, stages) {
  const out = [];
  const here = f.status?.currentlyIn?.[stageName];
  const verified = f.status?.verifiedIn?.[stageName];
  const approved = f.status?.approvedFor?.[stageName];
  if (here) out.push(h('span', {}, `here since ${ago(here.since)}`));
  if (verified) out.push(h('span', {}, `verified ${ago(verified.verifiedAt)}`));
  if (approved) out.push(h('span', {}, `approved ${ago(approved.approvedAt)}`));
  // A verification here that did not succeed, with its cause (the api's lastVerificationIn).
  const last = f.status?.lastVerificationIn?.[stageName];
  if (last && last.phase !== 'Successful') out.push(h('span', { class: `phase ${last.phase}` }, `verification ${last.phase}${last.message ? `: ${last.message}` : ''}`));
  // Soaking here: a downstream stage waits for the soak it requires here (the api says until when).
  for (const down of stages) {
    const soak = availabilityOf(down, f.metadata.name)?.blockers?.find((b) => b.kind === 'Soaking' && b.stage === stageName && b.availableAt);
    const remaining = soak ? Date.parse(soak.availableAt) - Date.now() : 0;
    if (remaining > 0) out.push(h('span', {}, `soaking for ${down.metadata.name}: ${left(remaining)} left`));
  }
  // Approval lets freight skip the stage's upstream verification: offered where the stage takes
  // the freight's warehouse from upstream stages and has not approved, verified or taken it yet.
  const verdict = availabilityOf(stages.find((s) => s.metadata.name === stageName) ?? {}, f.metadata.name);
  const fromUpstream = verdict && verdict.via !== 'direct' && verdict.via !== 'approval' && !verdict.blockers?.some((b) => b.kind === 'OriginNotRequested');
  if (fromUpstream && !approved && !here && !verified) {
    out.push(...actionButton(`Approve ${f.alias} for ${stageName}`, permissions(stageName).approve, async () => {
      await api('POST', `/projects/${seg(state.project)}/freight/${seg(f.metadata.name)}/approve`, { stage: stageName });
      return `${f.alias} approved for ${stageName}`;
    }));
  }
  return out;
}

function selectHistory(stage) {
  state.historyStage = stage;
  $('history-stage').value = stage;
  renderHistory(state.data);
  $('history-title').scrollIntoView({ block: 'start' });
}

function renderHistory({ warehouses, stages, promotions, freight }) {
  const select = $('history-stage');
  const names = pipelineOrder(warehouses, stages);
  if (!names.includes(state.historyStage)) state.historyStage = names[0] ?? '';
  if ([...select.options].map((o) => o.value).join() !== names.join()) select.replaceChildren(...names.map((n) => h('option', { value: n }, n)));
  select.value = state.historyStage;
  const mine = promotions.filter((p) => p.spec.stage === state.historyStage).reverse();
  $('history').replaceChildren(
    ...(mine.length
      ? mine.map((p) =>
          h('li', { 'aria-label': `Promotion ${p.metadata.name}` },
            h('div', {}, h('strong', {}, p.metadata.name), ' ', h('span', { class: `phase ${p.status.phase}` }, p.status.phase), ' · ', freightLabel(freight, p.spec.freight),
              p.metadata.annotations?.['kargo.akuity.io/create-actor'] ? ` · by ${p.metadata.annotations['kargo.akuity.io/create-actor']}` : '',
              ` · ${ago(p.status.finishedAt ?? p.status.startedAt ?? p.metadata.creationTimestamp)}`,
              p.status.temporalUiUrl ? [' · ', h('a', { href: p.status.temporalUiUrl, target: '_blank', rel: 'noopener' }, 'run in Temporal')] : ''),
            p.status.message ? h('p', { class: 'reason' }, p.status.message) : '',
            (p.status.stepExecutionMetadata ?? []).length
              ? h('table', {}, h('caption', {}, `Steps of ${p.metadata.name}`), h('thead', {}, h('tr', {}, ['Step', 'Kind', 'Status', 'Message'].map((c) => h('th', { scope: 'col' }, c)))),
                  h('tbody', {}, p.status.stepExecutionMetadata.map((s) => h('tr', {}, h('td', {}, s.alias), h('td', {}, s.uses ?? ''), h('td', { class: `phase ${s.status}` }, s.status), h('td', {}, s.message ?? '')))))
              : '',
          ),
        )
      : [h('li', {}, `No promotions of ${state.historyStage || 'this stage'} yet.`)]),
  );
}

// ---- loading -----------------------------------------------------------------------------

async function loadWho() {
  state.who = await api('GET', `/whoami${state.project ? `?project=${seg(state.project)}` : ''}`);
  $('who').textContent = state.who.mode === 'open' ? `${state.who.name} · open mode: no access control` : `Signed in as ${state.who.name}`;
  $('token-form').hidden = true;
  $('sign-in').hidden = true;
  $('sign-out').hidden = state.who.mode === 'open';
}

async function loadProjects() {
  const list = await api('GET', '/projects');
  const names = list.items.map((p) => p.metadata.name);
  const wanted = new URLSearchParams(location.search).get('project');
  state.project = names.includes(state.project) ? state.project : names.includes(wanted) ? wanted : (names[0] ?? '');
  $('project').replaceChildren(...names.map((n) => h('option', { value: n }, n)));
  $('project').value = state.project;
}

async function refresh() {
  try {
    if (!state.who || !state.project) {
      await loadProjects();
      if (!state.project) {
        say('No projects yet: apply a pipeline with `shunt apply -f`.');
        return;
      }
    }
    await loadWho();
    const p = seg(state.project);
    const [warehouses, stages, freight, promotions] = await Promise.all(
      ['warehouses', 'stages', 'freight', 'promotions'].map((k) => api('GET', `/projects/${p}/${k}`).then((l) => l.items)),
    );
    state.data = { warehouses, stages, freight, promotions };
    render();
    if (!state.busy) fail();
    follow();
  } catch (err) {
    if (err.status === 401) {
      signedOut();
      fail(err);
      return; // nothing to follow until signed in
    }
    fail(err);
  }
}

function signedOut() {
  stopFollowing();
  clearPage();
  state.who = null;
  $('who').textContent = '';
  $('token-form').hidden = false;
  $('sign-out').hidden = true;
  void loadAuthConfig().then(({ oidc }) => ($('sign-in').hidden = !oidc));
}

function render() {
  // Re-render only when something changed, so focus and open selects survive an update.
  const snapshot = JSON.stringify([state.data, state.who, state.historyStage]);
  if (snapshot === state.lastRender) return;
  state.lastRender = snapshot;
  // Keep the user's choices and focus across the re-render.
  const chosen = [...document.querySelectorAll('select[id^="promote-"]')].map((el) => [el.id, el.value]);
  const focusedId = document.activeElement?.id;
  const focusedText = document.activeElement?.textContent;
  renderGraph(state.data);
  renderFreight(state.data);
  renderHistory(state.data);
  for (const [id, value] of chosen) {
    const el = document.getElementById(id);
    if (el && [...el.options].some((o) => o.value === value)) el.value = value;
  }
  const again = (focusedId && document.getElementById(focusedId)) || [...document.querySelectorAll('button')].find((b) => b.textContent === focusedText);
  again?.focus();
}

// ---- live updates: the project's event stream ----------------------------------------------
// Read with fetch, not EventSource: EventSource cannot send the Authorization header a token
// needs. So the page resumes a lost stream itself, with the last event's id (Last-Event-ID).

function follow() {
  if (state.stream?.project === state.project) return;
  stopFollowing();
  const abort = new AbortController();
  state.stream = { project: state.project, abort };
  void followStream(state.project, abort.signal);
}

function stopFollowing() {
  state.stream?.abort.abort();
  state.stream = null;
}

async function followStream(project, signal) {
  let lastId = '';
  while (!signal.aborted) {
    try {
      const headers = { accept: 'text/event-stream' };
      const token = currentToken();
      if (token) headers.authorization = `Bearer ${token}`;
      if (lastId) headers['last-event-id'] = lastId;
      const res = await fetch(`${API}/projects/${seg(project)}/stream`, { headers, signal });
      if (res.status === 401) {
        signedOut();
        return;
      }
      if (res.ok && res.body) {
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const event = parseEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (event?.id) lastId = event.id;
            if (event && project === state.project) applyEvent(event);
          }
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
  }
}

function parseEvent(block) {
  let id = '';
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { id, event, data: JSON.parse(data.join('\n')) } : undefined;
}

const STREAM_LISTS = { Stage: 'stages', Freight: 'freight', Promotion: 'promotions' };
/** The order of each list as the api gives it. */
const LIST_ORDER = {
  stages: (a, b) => a.metadata.name.localeCompare(b.metadata.name),
  freight: (a, b) => b.discoveredAt.localeCompare(a.discoveredAt) || a.metadata.name.localeCompare(b.metadata.name),
  promotions: (a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name),
};

function applyEvent(event) {
  if (!state.data) return;
  if (event.event === 'reset') {
    const { stages, freight, promotions } = event.data;
    state.data = { ...state.data, stages, freight, promotions };
  } else if (event.event === 'added' || event.event === 'changed' || event.event === 'removed') {
    const list = STREAM_LISTS[event.data.kind];
    if (!list) return;
    const items = state.data[list].filter((o) => o.metadata.name !== event.data.name);
    if (event.event !== 'removed') items.push(event.data.object);
    state.data = { ...state.data, [list]: items.sort(LIST_ORDER[list]) };
  } else {
    return;
  }
  render();
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('shunt-token', $('token').value.trim());
  $('token').value = '';
  state.who = null;
  void refresh();
});
/** Forgets what the last caller saw: nothing of it may show under the next one's name. */
function clearPage() {
  state.data = null;
  state.lastRender = '';
  $('columns').replaceChildren();
  $('edges').replaceChildren();
  $('freight').tHead.replaceChildren();
  $('freight').tBodies[0].replaceChildren();
  $('history').replaceChildren();
}

$('sign-in').addEventListener('click', () => {
  startSignIn().catch(fail);
});
$('sign-out').addEventListener('click', () => {
  signOut();
  stopFollowing();
  clearPage();
  state.who = null;
  void refresh();
});
$('project').addEventListener('change', () => {
  state.project = $('project').value;
  state.lastRender = '';
  void refresh();
});
$('history-stage').addEventListener('change', () => {
  state.historyStage = $('history-stage').value;
  renderHistory(state.data);
});

completeSignInIfRedirected().then(
  () => refresh(),
  async (err) => {
    await refresh();
    fail(err); // after refresh, which clears the error line
  },
);
