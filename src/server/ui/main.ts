/**
 * The labeling page: two segments side by side in synchronised looping playback, answered with
 * buttons or arrow keys. The next pair is fetched ahead, so it shows as soon as an answer is
 * given; answers are sent in the background with a client id and retried until the server
 * has committed them. Everything shown that came from people (names, instructions) goes in
 * as text, never as HTML.
 */
import type { QueryJson, RunStatusJson, SegmentJson } from '../api.js';
import { paint } from './canvas.js';
import { api, decode } from './client.js';
import { framePrimitives, segmentBounds, viewFor, type Bounds, type RenderSpec } from './draw.js';

type Segment = SegmentJson;
type Pair = QueryJson;
type Status = RunStatusJson;
type Answer = 'left' | 'right' | 'equal' | 'incomparable';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
// The token came in the link; the server has set a cookie, so drop it from the address bar.
if (params.has('token')) {
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
}

function showStatus(s: Status): void {
  $('mine').textContent = String(s.mine);
  $('queue').textContent = String(s.queueDepth);
  $('budget').textContent = `${s.labels} / ${s.labelBudget ?? '-'}`;
}

function message(text: string): void {
  $('message').textContent = text;
}

// ---- what the page tells the person: one state at a time, never blank canvases ----

type PageState = 'starting' | 'labeling' | 'waiting' | 'finished' | 'offline' | 'invalid' | 'error';

const FINISHED = 'This run has finished — thank you; there are no more pairs to label.';
const OFFLINE = 'Connection lost — retrying…';
const WAITING = 'Waiting for the run to ask for pairs…';
const INVALID = 'This link is no longer valid: ask the person who runs the study for a new link.';

/** The run finished: no more pairs, and nothing more to ask the server. */
let finished = false;
/** The last request could not reach the server; requests keep being retried. */
let lost = false;
/** The token stopped working (revoked or expired). */
let invalid = false;
/** A one-off note shown while labeling (an answer the server refused). */
let notice = '';
/** Why the page could not start (not a connection problem), shown instead of pairs. */
let fatal = '';

/** Shows what is true now: finished, the connection lost, a pair to label, or waiting for one. */
function render(): void {
  let state: PageState;
  let text: string;
  if (invalid) [state, text] = ['invalid', INVALID];
  else if (finished) [state, text] = ['finished', FINISHED];
  else if (fatal) [state, text] = ['error', fatal];
  else if (lost) [state, text] = ['offline', OFFLINE];
  else if (!spec) [state, text] = ['starting', 'Loading…'];
  else if (current) [state, text] = ['labeling', notice];
  else [state, text] = ['waiting', WAITING];
  document.body.dataset.state = state;
  message(text);
  const active = current !== null && !finished && !invalid;
  for (const b of document.querySelectorAll<HTMLButtonElement>('#buttons button')) b.disabled = !active;
}

/** Notes how a request went: reached the server, lost the connection, or refused the token. Returns whether it was a connection failure. */
function noteFailure(e: unknown): boolean {
  const status = (e as { status?: number }).status;
  if (status === 401) {
    invalid = true;
    render();
    return false;
  }
  // fetch rejects with a TypeError when the server cannot be reached; a 5xx is a server (or proxy) in trouble.
  if ((status === undefined && e instanceof TypeError) || (status !== undefined && status >= 500)) {
    lost = true;
    render();
    return true;
  }
  return false;
}

function reached(): void {
  if (lost) {
    lost = false;
    render();
  }
}

function noteStatus(s: Status): void {
  showStatus(s);
  if (s.finishedAt && !finished) {
    finished = true;
    current = null;
    ahead.length = 0;
    show(null);
  }
}

// ---- drawing ----

interface Shown {
  pair: Pair;
  frames: [Float32Array, Float32Array];
  bounds: [Bounds, Bounds];
  scale: number;
  shownAt: number;
}

// ---- the labeling loop ----

let spec: RenderSpec | null = null;
let runId = params.get('run') ?? '';
let current: Shown | null = null;
const ahead: Pair[] = [];
const seen = new Set<string>();
let fetching = false;
let sent = 0;

function prepare(pair: Pair): Shown {
  const canvas = $<HTMLCanvasElement>('left');
  const frames = [decode(pair.left.render ?? ''), decode(pair.right.render ?? '')] as [Float32Array, Float32Array];
  const segments = [pair.left, pair.right];
  const bounds = segments.map((c, i) => segmentBounds(c.envId, spec!, frames[i], c.renderSize, c.length)) as [Bounds, Bounds];
  // One scale for both segments, so sizes and distances compare.
  const w = Math.max(...bounds.map((b) => b.maxU - b.minU)) * 1.15;
  const h = Math.max(...bounds.map((b) => b.maxV - b.minV)) * 1.15;
  const scale = Math.min(canvas.width / Math.max(w, 0.5), canvas.height / Math.max(h, 0.5));
  return { pair, frames, bounds, scale, shownAt: performance.now() };
}

function show(pair: Pair | null): void {
  current = pair && !finished ? prepare(pair) : null;
  notice = '';
  if (current) {
    document.body.dataset.pair = current.pair.id;
    for (const side of ['left', 'right'] as const) {
      const c = current.pair[side];
      $(side).setAttribute('aria-label', `${side === 'left' ? 'Left' : 'Right'} segment: ${c.envId}, ${c.length} steps`);
    }
  } else {
    $('left').setAttribute('aria-label', 'Left segment');
    $('right').setAttribute('aria-label', 'Right segment');
    delete document.body.dataset.pair;
    for (const id of ['left', 'right']) $<HTMLCanvasElement>(id).getContext('2d')!.clearRect(0, 0, 10_000, 10_000);
  }
  render();
}

let switchStarted: number | null = null;

function animate(now: number): void {
  if (current && spec && switchStarted !== null) {
    // This frame shows the new pair: note how long it took to appear.
    queueMicrotask(() => {
      if (switchStarted === null) return;
      const ms = (performance.now() - switchStarted).toFixed(1);
      document.body.dataset.switchMs = document.body.dataset.switchMs ? `${document.body.dataset.switchMs},${ms}` : ms;
      switchStarted = null;
    });
  }
  if (current && spec) {
    const view = spec.kind === 'mujoco' ? viewFor(current.pair.left.envId) : null;
    const fps = 1 / spec.dt;
    const lengths = [current.pair.left.length, current.pair.right.length];
    // Both segments on one clock; hold the last frame for half a second before looping.
    const period = Math.max(...lengths) + Math.round(fps / 2);
    const t = Math.floor(((now - current.shownAt) / 1000) * fps) % period;
    (['left', 'right'] as const).forEach((side, i) => {
      const segment = current!.pair[side];
      const frame = Math.min(t, lengths[i] - 1);
      paint($<HTMLCanvasElement>(side), framePrimitives(segment.envId, spec!, current!.frames[i], segment.renderSize, frame), current!.bounds[i], current!.scale, view);
    });
  }
  requestAnimationFrame(animate);
}

async function refill(): Promise<void> {
  if (fetching || finished || invalid) return;
  fetching = true;
  try {
    const { status, queries } = await api<{ status: Status; queries: Pair[] }>(`/api/runs/${encodeURIComponent(runId)}/next?n=3`);
    reached();
    noteStatus(status);
    if (finished) return;
    for (const q of queries) {
      if (seen.has(q.id) || q.id === current?.pair.id || ahead.some((a) => a.id === q.id)) continue;
      ahead.push(q);
    }
    if (!current && ahead.length > 0) show(ahead.shift()!);
  } catch (e) {
    if (!noteFailure(e) && !invalid) {
      notice = `Could not fetch pairs: ${(e as Error).message}`;
      render();
    }
  } finally {
    fetching = false;
  }
}

/** With pairs in hand, still looks at the run now and then: has it finished, is the server there? */
async function checkStatus(): Promise<void> {
  if (fetching || finished || invalid) return;
  fetching = true;
  try {
    const status = await api<Status>(`/api/runs/${encodeURIComponent(runId)}`);
    reached();
    noteStatus(status);
  } catch (e) {
    noteFailure(e);
  } finally {
    fetching = false;
  }
}

/** Sends one answer until the server has committed it (the client id makes retries safe). */
async function send(body: { queryId: string; answer: Answer; seconds: number; clientId: string }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await api<{ status: Status }>(`/api/runs/${encodeURIComponent(runId)}/labels`, { method: 'POST', body: JSON.stringify(body) });
      sent += 1;
      document.body.dataset.sent = String(sent);
      reached();
      noteStatus(r.status);
      return;
    } catch (e) {
      if (!noteFailure(e)) {
        if (!invalid) {
          notice = `That answer was not accepted: ${(e as Error).message}`;
          render();
          // Perhaps the run has just finished: the status says.
          void checkStatus();
        }
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}

function answer(a: Answer): void {
  if (!current || finished || invalid) return;
  const { pair, shownAt } = current;
  seen.add(pair.id);
  const next = ahead.shift() ?? null;
  // From the answer to the next pair's first painted frame (recorded for the tests).
  switchStarted = next ? performance.now() : null;
  show(next);
  void send({ queryId: pair.id, answer: a, seconds: (performance.now() - shownAt) / 1000, clientId: crypto.randomUUID() });
  if (ahead.length < 2) void refill();
}

const KEYS: Record<string, Answer> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'equal', ArrowDown: 'incomparable' };
document.addEventListener('keydown', (e) => {
  const a = KEYS[e.key];
  if (!a || e.repeat) return;
  e.preventDefault();
  answer(a);
});
for (const b of document.querySelectorAll<HTMLButtonElement>('#buttons button')) b.addEventListener('click', () => answer(b.dataset.answer as Answer));

/** Waits before trying again after a lost connection (longer the more tries failed, at most 3 s). */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(3000, 250 * 2 ** attempt)));

async function start(): Promise<void> {
  render();
  for (let attempt = 0; ; attempt++) {
    try {
      await load();
      reached();
      break;
    } catch (e) {
      if (noteFailure(e)) {
        await backoff(attempt);
        continue;
      }
      if (!invalid) {
        fatal = (e as Error).message;
        render();
      }
      return;
    }
  }
  if (!spec || finished || invalid) return;
  requestAnimationFrame(animate);
  await refill();
  // New pairs appear as the agent trains; look again while there is nothing to show, and
  // otherwise still check on the run (finished? server gone?) every little while.
  const timer = setInterval(() => {
    if (finished || invalid) clearInterval(timer);
    else if (!current || ahead.length < 2) void refill();
    else void checkStatus();
  }, 1500);
}

/** Who this is, which run, and how to draw it; throws on failure (start retries lost connections). */
async function load(): Promise<void> {
  const me = await api<{ name: string; role: string }>('/api/me');
  $('who').textContent = me.name;
  if (me.role === 'admin' && !document.getElementById('dashboard-link')) {
    const link = Object.assign(document.createElement('a'), { id: 'dashboard-link', textContent: 'dashboard', href: `./dashboard.html${runId ? `?run=${encodeURIComponent(runId)}` : ''}` });
    $('run-name').after(link);
  }
  if (!runId) {
    const { runs } = await api<{ runs: Status[] }>('/api/runs');
    if (runs.length === 0) throw new Error('This project has no runs yet.');
    runId = runs[runs.length - 1].id;
  }
  const status = await api<Status>(`/api/runs/${encodeURIComponent(runId)}`);
  $('run-name').textContent = `${status.id} (${status.envId})`;
  $('instructions').textContent = status.instructions || 'Which clip shows the better behaviour?';
  noteStatus(status);
  const scene = (await api<{ spec: RenderSpec | null }>(`/api/runs/${encodeURIComponent(runId)}/scene`)).spec;
  if (!scene) throw new Error(`${status.envId} cannot be replayed in the browser.`);
  spec = scene;
  render();
}

void start();
