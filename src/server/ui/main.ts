/**
 * The labeling page: two segments side by side on one looping clock, answered with buttons or
 * arrow keys. The next pair is fetched ahead, so it shows as soon as an answer is given;
 * answers are sent in the background with a client id and retried until the server has
 * committed them, and the last ones can be withdrawn (undo) until the run trains on them.
 * Everything shown that came from people (names, instructions, guidelines) goes in as text,
 * never as HTML.
 *
 * Short clips are padded here, on the page, not by choosing other segment starts: the paper's
 * segments are fixed-length pieces of the policy's own rollouts, and a clip that ends early
 * (the episode ended: the hopper fell) is data about falling that the reward model must see as
 * it is. So the page only changes how a clip is shown: it holds the last frame, saying the
 * episode ended, until the shared loop (at least MIN_CLIP_SECONDS) comes round.
 */
import type { AnswerJson, CritiqueResponseJson, QueryJson, RunStatusJson, UndoResultJson } from '../api.js';
import { api, pageParams } from './client.js';
import { advanceClock, clearClips, clockFrame, drawClips, prepareClips, type Clips } from './clips.js';
import { describeReveal, drawStep } from './critique.js';
import { channelsLegend, gridLegend, type LegendEntry, type RenderSpec } from './draw.js';

type Pair = QueryJson;
type Status = RunStatusJson;
type Answer = AnswerJson;

/**
 * Answers are ignored this long after a new pair appears: a double press (or a key bouncing)
 * would otherwise answer the next pair, one the person has not seen.
 */
const SETTLE_MS = 300;
const SPEEDS = [0.25, 0.5, 1] as const;
/** The server refuses longer answer times; a person who came back a day later still gets their answer stored. */
const MAX_SECONDS = 86_400;
/** How many pair switch times the page keeps in body[data-switch-ms] (read by the tests). */
const SWITCH_LOG = 50;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
// The token came in the link: this tab keeps it, and it leaves the address bar.
const params = pageParams();

function showStatus(s: Status): void {
  $('mine').textContent = String(s.mine);
  $('queue').textContent = String(s.queueDepth);
  $('budget').textContent = `${s.labels} / ${s.labelBudget ?? '-'}`;
  // Useful while labeling too: the person sees their labels are what the run waits for.
  const line = $('run-state');
  const waitingFor = s.state === 'waiting' && !s.finishedAt ? s.waitingForLabels : null;
  line.hidden = waitingFor === null;
  if (waitingFor !== null) {
    const n = `${waitingFor} more label${waitingFor === 1 ? '' : 's'}`;
    line.textContent = s.phase === 'initial' || s.phase === null ? `The run is waiting for ${n} before training starts.` : `The run is waiting for ${n} before training goes on.`;
  }
  showGuidelines(s.guidelines ?? '');
  showView(s.view ?? null);
}

/** The run's limited view, if any: the clips are drawn as that overseer sees them, and the banner says what it cannot see. */
let labelingView: Status['view'] = null;

function showView(view: Status['view']): void {
  labelingView = view;
  const banner = $('view-banner');
  banner.hidden = view === null;
  if (view === null) {
    delete document.body.dataset.view;
    return;
  }
  document.body.dataset.view = view.name;
  const text = `You see these clips as the limited overseer does (the ${view.name} view): it cannot see ${view.hides}.`;
  if (banner.textContent !== text) banner.textContent = text;
}

function showGuidelines(text: string): void {
  const panel = $<HTMLDetailsElement>('guidelines-panel');
  const body = $('guidelines');
  if (body.textContent === text) return;
  // Open when guidelines first appear; later changes keep the person's choice.
  if (!body.textContent && text) panel.open = true;
  body.textContent = text;
  panel.hidden = text.trim() === '';
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
/** A one-off note shown while labeling (an answer the server refused, an undo it refused). */
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
  else [state, text] = ['waiting', notice || WAITING];
  document.body.dataset.state = state;
  message(text);
  const active = current !== null && !finished && !invalid;
  const settling = current !== null && performance.now() - current.shownAt < SETTLE_MS;
  document.body.toggleAttribute('data-settling', active && settling);
  // While a pair settles or an undo runs, buttons are only marked unavailable (answer() and undo()
  // ignore them then): disabling a focused button would drop a keyboard user's focus to the page.
  for (const b of document.querySelectorAll<HTMLButtonElement>('#buttons button')) {
    b.disabled = !active;
    b.setAttribute('aria-disabled', String(active && settling));
  }
  for (const b of document.querySelectorAll<HTMLButtonElement>('#controls button, #controls input')) b.disabled = !active;
  const undoButton = $<HTMLButtonElement>('undo');
  undoButton.disabled = finished || invalid;
  undoButton.setAttribute('aria-disabled', String(given.length === 0 || undoing));
}

/** Notes how a request went: reached the server, lost the connection, or refused the token. Returns whether it was a connection failure. */
function noteFailure(e: unknown): boolean {
  const status = (e as { status?: number }).status;
  if (status === 401) {
    invalid = true;
    // The pair goes too: the page's state is the invalid link, not a pair that cannot be answered.
    show(null);
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
    given.length = 0;
    show(null);
  }
}

// ---- playback: one clock for both clips ----

interface Shown {
  pair: Pair;
  clips: Clips;
  shownAt: number;
  /** What the person did with the pair's critique (assisted arm), sent with the answer. */
  response: CritiqueResponseJson;
}

/** The speed this browser last chose (storage may be unavailable: then 1x). */
function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
const storedSpeed = Number(storage()?.getItem('overseer.speed'));
/** Playback survives from pair to pair: a person who likes 0.5x, or paused clips, keeps it. */
const playback = {
  playing: true,
  speed: (SPEEDS as readonly number[]).includes(storedSpeed) ? storedSpeed : 1,
  /** Simulated seconds into the loop. */
  t: 0,
  /** When the clock last advanced (performance.now()). */
  last: 0,
};

function setPlaying(playing: boolean): void {
  playback.playing = playing;
  playback.last = performance.now();
  const b = $('play');
  b.textContent = playing ? 'Pause' : 'Play';
  b.setAttribute('aria-label', `${playing ? 'Pause' : 'Play'} (Space)`);
  document.body.dataset.playing = String(playing);
}

function setSpeed(speed: number): void {
  playback.speed = speed;
  storage()?.setItem('overseer.speed', String(speed));
  for (const b of document.querySelectorAll<HTMLButtonElement>('#speeds button')) b.setAttribute('aria-pressed', String(Number(b.dataset.speed) === speed));
  document.body.dataset.speed = String(speed);
}

/** Shows frame `k` of both clips, paused (the scrub bar). */
function seek(k: number): void {
  setPlaying(false);
  playback.t = k * spec!.dt;
}

function replay(): void {
  playback.t = 0;
  setPlaying(true);
}

// ---- the labeling loop ----

let spec: RenderSpec | null = null;
let runId = params.get('run') ?? '';
let current: Shown | null = null;
const ahead: Pair[] = [];
const seen = new Set<string>();
let fetching = false;
let sent = 0;

/** Answers given on this page, newest last, until the server commits them and then while they may be withdrawn. */
interface Given {
  pair: Pair;
  clientId: string;
  /** Resolves once the answer's POST is settled: true when committed. */
  committed: Promise<boolean>;
}
const given: Given[] = [];
/** How many answers back undo can go. */
const UNDO_DEPTH = 10;
let undoing = false;

const canvases = () => [$<HTMLCanvasElement>('left'), $<HTMLCanvasElement>('right')];
const overlays = () => [$('left-ended'), $('right-ended')];

function prepare(pair: Pair): Shown {
  const { width, height } = $<HTMLCanvasElement>('left');
  return { pair, clips: prepareClips(spec!, [pair.left, pair.right], width, height, labelingView?.name ?? null), shownAt: performance.now(), response: responses.get(pair.id) ?? null };
}

/**
 * Responses to critiques by pair, so a pair shown again (undone, refused, put back behind one
 * undone) comes back with the response the person gave it. The last few pairs are enough.
 */
const responses = new Map<string, CritiqueResponseJson>();
const RESPONSES_KEPT = 50;

const SMALL = { width: 200, height: 150 };

/** The critique of the pair shown (assisted arm), or none: its reason, its evidence in words and pictures, and the person's response. */
function showCritique(shown: Shown | null): void {
  const panel = $('critique');
  const critique = shown?.pair.critique;
  panel.hidden = !critique;
  const list = $('critique-evidence');
  list.replaceChildren();
  if (!shown || !critique || !spec) {
    delete document.body.dataset.critique;
    delete document.body.dataset.response;
    return;
  }
  document.body.dataset.critique = String(critique.reveals.length);
  $('critique-assistant').textContent = `(${critique.assistant})`;
  $('critique-reason').textContent = critique.reason;
  for (const r of critique.reveals) {
    const text = describeReveal(spec, r, shown.clips.camera);
    const item = document.createElement('li');
    item.dataset.kind = r.kind;
    item.dataset.step = String(r.step);
    // The evidence is in the clips too: this shows both at that step, paused.
    const seekButton = Object.assign(document.createElement('button'), { type: 'button', className: 'seek', textContent: text.title });
    seekButton.title = 'Show both clips at this step';
    seekButton.addEventListener('click', () => seek(r.step));
    const sides = document.createElement('div');
    sides.className = 'sides';
    const canvases: HTMLCanvasElement[] = [];
    for (const side of ['left', 'right'] as const) {
      const box = document.createElement('div');
      box.dataset.side = side;
      box.append(document.createTextNode(`${side === 'left' ? 'Left' : 'Right'}${text[side] ? `: ${text[side]}` : ''}`));
      if (text.picture) {
        const canvas = Object.assign(document.createElement('canvas'), SMALL);
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `${side} clip: ${text.title}`);
        canvases.push(canvas);
        box.append(canvas);
      }
      sides.append(box);
    }
    item.append(seekButton, sides);
    list.append(item);
    if (text.picture) drawStep(spec, shown.clips.segments, shown.clips.frames, r.step, text.picture, canvases);
  }
  showResponse(shown);
}

function showResponse(shown: Shown): void {
  $('critique-accept').setAttribute('aria-pressed', String(shown.response === 'accepted'));
  $('critique-dismiss').setAttribute('aria-pressed', String(shown.response === 'dismissed'));
  document.body.dataset.response = shown.response ?? 'none';
}

/** Accepts or dismisses the shown pair's critique; pressing the same again takes it back. */
function respond(response: 'accepted' | 'dismissed'): void {
  if (!current?.pair.critique || finished || invalid || undoing) return;
  // As with answers: a press just as a pair appears was meant for the one before.
  if (performance.now() - current.shownAt < SETTLE_MS) return;
  current.response = current.response === response ? null : response;
  responses.delete(current.pair.id);
  responses.set(current.pair.id, current.response);
  if (responses.size > RESPONSES_KEPT) responses.delete(responses.keys().next().value!);
  showResponse(current);
}

function showLegend(shown: Shown | null): void {
  const list = $('legend');
  list.replaceChildren();
  list.hidden = !shown || (spec?.kind !== 'grid' && spec?.kind !== 'channels');
  if (!shown || !spec) return;
  if (spec.kind === 'channels') {
    // Every channel, in order: a cell shows the colour of the last one set in it.
    for (const e of channelsLegend(spec)) {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch on-board';
      swatch.style.background = e.color;
      item.append(swatch, document.createTextNode(e.meaning));
      item.dataset.channel = e.channel;
      list.append(item);
    }
    return;
  }
  if (spec.kind !== 'grid') return;
  const arrowChar = { up: '↑', down: '↓', left: '←', right: '→' } as const;
  // Characters that mean the same (BoatRace's four checkpoints) share one entry.
  const byMeaning = new Map<string, LegendEntry[]>();
  for (const e of gridLegend(spec, shown.clips.frames, shown.pair.left.renderSize)) byMeaning.set(e.meaning, [...(byMeaning.get(e.meaning) ?? []), e]);
  for (const [meaning, entries] of byMeaning) {
    const item = document.createElement('li');
    for (const e of entries) {
      const swatch = document.createElement('span');
      swatch.className = e.char === 'A' ? 'swatch agent' : 'swatch';
      if (e.char === 'A') swatch.style.setProperty('--agent', e.color);
      else swatch.style.background = e.color;
      swatch.textContent = e.arrow ? arrowChar[e.arrow] : '';
      item.append(swatch);
    }
    item.append(document.createTextNode(meaning));
    item.dataset.chars = entries.map((e) => e.char).join('');
    list.append(item);
  }
}

function show(pair: Pair | null): void {
  current = pair && !finished ? prepare(pair) : null;
  notice = '';
  playback.t = 0;
  playback.last = performance.now();
  showLegend(current);
  showCritique(current);
  if (current) {
    document.body.dataset.pair = current.pair.id;
    const scrub = $<HTMLInputElement>('scrub');
    scrub.max = String(current.clips.frames1x - 1);
    scrub.value = '0';
    for (const side of ['left', 'right'] as const) {
      const c = current.pair[side];
      const seconds = (c.length * spec!.dt).toFixed(1);
      $(side).setAttribute('aria-label', `${side === 'left' ? 'Left' : 'Right'} segment: ${c.envId}, ${c.length} steps (${seconds} s)${c.terminated ? ', the episode ends at its last frame' : ''}`);
    }
    // The answer buttons come back once the pair has settled (see SETTLE_MS).
    setTimeout(render, SETTLE_MS + 10);
  } else {
    $('left').setAttribute('aria-label', 'Left segment');
    $('right').setAttribute('aria-label', 'Right segment');
    delete document.body.dataset.pair;
    delete document.body.dataset.frame;
    clearClips(canvases(), overlays());
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
      const log = document.body.dataset.switchMs ? document.body.dataset.switchMs.split(',') : [];
      document.body.dataset.switchMs = [...log, ms].slice(-SWITCH_LOG).join(',');
      switchStarted = null;
    });
  }
  if (current && spec) {
    if (playback.playing) playback.t = advanceClock(playback.t, now - playback.last, playback.speed, current.clips.period);
    playback.last = now;
    // The clock's frame; each clip holds its last frame once past it, until the loop comes round.
    const clock = clockFrame(playback.t, spec.dt, current.clips.period);
    document.body.dataset.frame = String(clock);
    const scrub = $<HTMLInputElement>('scrub');
    const at = String(Math.min(clock, current.clips.frames1x - 1));
    if (scrub.value !== at && document.activeElement !== scrub) scrub.value = at;
    drawClips(spec, current.clips, clock, canvases(), overlays());
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
    await lookAtRun();
  } finally {
    fetching = false;
  }
}

/** Reads the run's status: notes whether the server was reached, and whether the run has finished. */
async function lookAtRun(): Promise<void> {
  try {
    const status = await api<Status>(`/api/runs/${encodeURIComponent(runId)}`);
    reached();
    noteStatus(status);
  } catch (e) {
    noteFailure(e);
  }
}

/** Sends one answer until the server has committed it (the client id makes retries safe); true once committed, false if refused. */
async function send(pair: Pair, body: { queryId: string; answer: Answer; seconds: number; clientId: string; critique?: CritiqueResponseJson }): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await api<{ status: Status }>(`/api/runs/${encodeURIComponent(runId)}/labels`, { method: 'POST', body: JSON.stringify(body) });
      sent += 1;
      document.body.dataset.sent = String(sent);
      reached();
      noteStatus(r.status);
      return true;
    } catch (e) {
      if (!noteFailure(e)) {
        if (!invalid) void refused(pair, body.clientId, (e as Error).message);
        return false;
      }
      await backoff(attempt, 5000);
    }
  }
}

/**
 * The server refused an answer (not the connection, not the token): unless the run has just
 * finished, the pair comes back in front of the person with the server's reason, to answer
 * again, rather than being lost.
 */
async function refused(pair: Pair, clientId: string, why: string): Promise<void> {
  await lookAtRun();
  if (finished || invalid) return;
  const i = given.findIndex((g) => g.clientId === clientId);
  if (i >= 0) given.splice(i, 1);
  seen.delete(pair.id);
  const queued = ahead.findIndex((q) => q.id === pair.id);
  if (queued >= 0) ahead.splice(queued, 1);
  if (current && current.pair.id !== pair.id) ahead.unshift(current.pair);
  show(pair);
  notice = `That answer was not accepted: ${why}`;
  render();
}

function answer(a: Answer): void {
  if (!current || finished || invalid) return;
  const { pair, shownAt, response } = current;
  if (performance.now() - shownAt < SETTLE_MS) return;
  seen.add(pair.id);
  const next = ahead.shift() ?? null;
  // From the answer to the next pair's first painted frame (recorded for the tests).
  switchStarted = next ? performance.now() : null;
  const clientId = crypto.randomUUID();
  const seconds = Math.min((performance.now() - shownAt) / 1000, MAX_SECONDS);
  given.push({ pair, clientId, committed: send(pair, { queryId: pair.id, answer: a, seconds, clientId, ...(pair.critique ? { critique: response } : {}) }) });
  if (given.length > UNDO_DEPTH) given.shift();
  show(next);
  if (ahead.length < 2) void refill();
}

/**
 * Withdraws the last answer given here: waits until its POST is settled (it may still be
 * retrying), then asks the server to withdraw it, and shows that pair again; the pair that was
 * showing goes back to the front of the queue. The server refuses once the run has trained on
 * the answer; the page then says why.
 */
async function undo(): Promise<void> {
  if (undoing || finished || invalid || given.length === 0) return;
  undoing = true;
  const last = given.pop()!;
  render();
  try {
    if (!(await last.committed)) {
      notice = 'That answer was not stored, so there is nothing to undo.';
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await api<UndoResultJson>(`/api/runs/${encodeURIComponent(runId)}/labels/undo`, { method: 'POST', body: JSON.stringify({ clientId: last.clientId }) });
        reached();
        noteStatus(r.status);
        if (finished) return;
        if (current) ahead.unshift(current.pair);
        seen.delete(r.query.id);
        const i = ahead.findIndex((q) => q.id === r.query.id);
        if (i >= 0) ahead.splice(i, 1);
        show(r.query);
        document.body.dataset.undone = String(Number(document.body.dataset.undone ?? 0) + 1);
        return;
      } catch (e) {
        if (noteFailure(e)) {
          await backoff(attempt);
          continue;
        }
        if (!invalid) notice = `Could not undo that answer: ${(e as Error).message}`;
        return;
      }
    }
  } finally {
    undoing = false;
    render();
  }
}

// ---- keys and buttons ----

const KEYS: Record<string, Answer> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'equal', ArrowDown: 'incomparable' };
/** The shortcut keys by physical key, for layouts whose keys there type something else (Cyrillic, Greek, AZERTY digits). */
const BY_CODE: Record<string, string> = { KeyZ: 'z', KeyR: 'r', KeyA: 'a', KeyD: 'd', Digit1: '1', Digit2: '2', Digit3: '3' };

/** The key as the shortcuts know it: what it types, or, when that is no Latin letter or digit, its physical key. */
function shortcutKey(e: KeyboardEvent): string {
  if (e.key.length !== 1 || /^[A-Za-z0-9]$/.test(e.key)) return e.key;
  return BY_CODE[e.code] ?? e.key;
}
const SPEED_KEYS: Record<string, number> = { '1': 0.25, '2': 0.5, '3': 1 };
/** Keys a focused range input uses itself. */
const SCRUB_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement | null;
  const onButton = target instanceof HTMLButtonElement || target?.tagName === 'SUMMARY';
  // The scrub bar moves with arrows, Home and End itself: those keys are its own there.
  const onScrub = target instanceof HTMLInputElement;
  if (e.key === ' ') {
    // One press, one action: the browser would also click a focused button on key-up, so the
    // default is prevented and a focused button is clicked here, once (never on auto-repeat).
    e.preventDefault();
    if (e.repeat) return;
    if (onButton) target.click();
    else if (current) setPlaying(!playback.playing);
    return;
  }
  if (e.key === 'Enter' && e.repeat) {
    e.preventDefault();
    return;
  }
  const key = shortcutKey(e);
  // Ctrl+Z undoes; Ctrl+Shift+Z (redo elsewhere) must not.
  if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && key.toLowerCase() === 'z') {
    e.preventDefault();
    if (!e.repeat) void undo();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (key === 'Backspace' || key === 'z' || key === 'Z') {
    e.preventDefault();
    if (!e.repeat) void undo();
    return;
  }
  const a = KEYS[e.key];
  if (a) {
    if (onScrub) return; // arrows move the scrub bar while it has the focus
    e.preventDefault();
    if (!e.repeat) answer(a);
    return;
  }
  if (onScrub && SCRUB_KEYS.has(e.key)) return;
  if (key === 'a' || key === 'A' || key === 'd' || key === 'D') {
    // Held down, the key repeats; a toggle must not flip with it.
    if (!e.repeat) respond(key.toLowerCase() === 'a' ? 'accepted' : 'dismissed');
  }
  else if (SPEED_KEYS[key] !== undefined) setSpeed(SPEED_KEYS[key]);
  else if ((key === 'r' || key === 'R') && current) replay();
});

for (const b of document.querySelectorAll<HTMLButtonElement>('#buttons button')) b.addEventListener('click', () => answer(b.dataset.answer as Answer));
// After a mouse click (or a drag of the scrub bar) the focus would stay on the control, and a
// later Space meant as pause would click it again (answering the next pair, or folding the
// guidelines), or arrows meant as answers would move the scrub bar: give the keys back to the
// page. Keyboard users who tabbed to a control keep their focus.
document.addEventListener('click', (e) => {
  const control = (e.target as HTMLElement).closest<HTMLElement>('button, summary');
  if (control && e.detail > 0) control.blur();
});
$('scrub').addEventListener('pointerup', () => $('scrub').blur());
$('play').addEventListener('click', () => setPlaying(!playback.playing));
$('replay').addEventListener('click', replay);
for (const b of document.querySelectorAll<HTMLButtonElement>('#speeds button')) b.addEventListener('click', () => setSpeed(Number(b.dataset.speed)));
$('scrub').addEventListener('input', () => seek(Number($<HTMLInputElement>('scrub').value)));
$('undo').addEventListener('click', () => void undo());
$('critique-accept').addEventListener('click', () => respond('accepted'));
$('critique-dismiss').addEventListener('click', () => respond('dismissed'));
setSpeed(playback.speed);
setPlaying(true);

/** Waits before trying again after a lost connection (longer the more tries failed, at most `most` ms). */
function backoff(attempt: number, most = 3000): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.min(most, 250 * 2 ** attempt)));
}

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
