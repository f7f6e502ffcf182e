/**
 * The dashboard (admin token): live curves of a run over env steps or labels, where the run is,
 * the latest segment of the policy, per-annotator statistics, the run's labeling guidelines,
 * gold pairs made from the run's pairs, and label export.
 *
 * Charts use uPlot: small (~50 KB, no dependencies), maintained, built for streaming time series,
 * and it styles through the CSSOM only, so the page keeps its strict CSP (no inline styles).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { DEBATE_ENV_ID, type AnswerJson, type AnnotatorStatsJson, type GoldPairJson, type OverviewJson, type PairSummaryJson, type QueryJson, type RunStatusJson, type SegmentJson } from '../api.js';
import { api, download, pageParams } from './client.js';
import { advanceClock, clearClips, clockFrame, drawClips, prepareClips, type Clips } from './clips.js';
import type { RenderSpec } from './draw.js';
import { proportionDifference, wilson } from '../../utils/stats.js';

type Row = Record<string, unknown>;
type XKey = 'envSteps' | 'labels';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = pageParams();

let runId = params.get('run') ?? '';
const runPath = () => `/api/admin/runs/${encodeURIComponent(runId)}`;
let spec: RenderSpec | null = null;
const xKey = (): XKey => (document.querySelector<HTMLInputElement>('input[name=x]:checked')?.value === 'labels' ? 'labels' : 'envSteps');
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

// ---- metrics rows ----

let rows: Row[] = [];
let lastSeq = 0;

/** A finite number, else null: a row lacking a metric leaves a gap, never a zero. */
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Appends rows in order. A run resumed from a checkpoint logs the rounds after it again: a row
 * at or before the last one's env steps replaces the rows from there on, as the store did.
 */
function appendRows(have: Row[], fresh: Row[]): Row[] {
  const out = have.slice();
  for (const row of fresh) {
    const steps = num(row.envSteps);
    if (steps !== null) while (out.length > 0 && (num(out[out.length - 1].envSteps) ?? -Infinity) >= steps) out.pop();
    out.push(row);
  }
  return out;
}

/** The last value of a metric logged so far. */
function lastOf(key: string): number | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const v = num(rows[i][key]);
    if (v !== null) return v;
  }
  return null;
}

// ---- charts ----

interface ChartDef {
  /** The element the chart goes in (it carries the chart's accessible name). */
  id: string;
  /** Columns of the metrics rows, each a series on its scale. */
  series: { key: string; label: string; scale: string; color: string }[];
  axes: { scale: string; label: string; side: 1 | 3; range?: [number, number] }[];
}

const CHARTS: ChartDef[] = [
  {
    id: 'chart-return',
    series: [
      { key: 'trueReturn', label: 'true return', scale: 'true', color: '#1f6fb5' },
      { key: 'learnedReturn', label: 'predicted return (model units)', scale: 'model', color: '#d9822b' },
    ],
    axes: [
      { scale: 'true', label: 'true return', side: 3 },
      { scale: 'model', label: 'model units', side: 1 },
    ],
  },
  {
    id: 'chart-accuracy',
    series: [{ key: 'heldOutAccuracy', label: 'held-out accuracy', scale: 'accuracy', color: '#2a9d5c' }],
    axes: [{ scale: 'accuracy', label: 'accuracy', side: 3, range: [0, 1] }],
  },
  {
    id: 'chart-disagreement',
    series: [{ key: 'disagreement', label: 'disagreement', scale: 'disagreement', color: '#8a4bb5' }],
    axes: [{ scale: 'disagreement', label: 'std of P[left ≻ right]', side: 3 }],
  },
];

let charts: uPlot[] = [];
/** The user zoomed in: new rows keep the zoom instead of resetting the x range. */
let zoomed = false;

/** x, then one column per series of each chart; rows without the x value are left out. */
function columns(): { xs: number[]; cols: Map<string, (number | null)[]> } {
  const x = xKey();
  const usable = rows.filter((r) => num(r[x]) !== null);
  const cols = new Map<string, (number | null)[]>();
  for (const def of CHARTS) for (const s of def.series) cols.set(s.key, usable.map((r) => num(r[s.key])));
  return { xs: usable.map((r) => r[x] as number), cols };
}

/** Indices of values with no neighbour on either side: drawn as dots, since a line needs two. */
function isolated(u: uPlot, seriesIdx: number, show: boolean): number[] | null {
  if (show) return null;
  const ys = u.data[seriesIdx];
  const idxs: number[] = [];
  for (let i = 0; i < ys.length; i++) if (ys[i] != null && ys[i - 1] == null && ys[i + 1] == null) idxs.push(i);
  return idxs;
}

function chartWidth(el: HTMLElement): number {
  return Math.max(260, Math.floor(el.parentElement!.clientWidth));
}

function makeChart(def: ChartDef, xs: number[], cols: Map<string, (number | null)[]>): uPlot {
  const el = $(def.id);
  const xLabel = xKey() === 'envSteps' ? 'env steps' : 'labels';
  const opts: uPlot.Options = {
    width: chartWidth(el),
    height: 220,
    cursor: { sync: { key: `overseer-${runId}` } },
    scales: { x: { time: false }, ...Object.fromEntries(def.axes.map((a) => [a.scale, a.range ? { range: a.range } : {}])) },
    series: [{ label: xLabel }, ...def.series.map((s) => ({ label: s.label, scale: s.scale, stroke: s.color, width: 1.5, spanGaps: false, points: { filter: isolated } }))],
    axes: [
      { label: xLabel },
      // With two y axes, each takes its series' colour, and only the left one draws grid lines.
      ...def.axes.map((a, i): uPlot.Axis => ({ scale: a.scale, label: a.label, side: a.side, grid: { show: i === 0 }, ...(def.axes.length > 1 ? { stroke: def.series[i].color } : {}) })),
    ],
    hooks: { setScale: [(u: uPlot, key: string) => key === 'x' && followZoom(u)] },
  };
  return new uPlot(opts, [xs, ...def.series.map((s) => cols.get(s.key)!)], el);
}

/** Zooming one chart zooms the others to the same x range. */
function followZoom(from: uPlot): void {
  const { min, max } = from.scales.x;
  if (min == null || max == null) return;
  const xs = from.data[0];
  zoomed = xs.length > 1 && (min > xs[0] || max < xs[xs.length - 1]);
  for (const u of charts) if (u !== from && (u.scales.x.min !== min || u.scales.x.max !== max)) u.setScale('x', { min, max });
}

function buildCharts(): void {
  for (const u of charts) u.destroy();
  zoomed = false;
  const { xs, cols } = columns();
  charts = CHARTS.map((def) => makeChart(def, xs, cols));
  markEmpty(xs.length === 0);
  window.dashboardCharts = charts;
}

function updateCharts(): void {
  const { xs, cols } = columns();
  // Without a reset the charts stay on their zoomed range; with one, each ranges over the same xs.
  charts.forEach((u, i) => u.setData([xs, ...CHARTS[i].series.map((s) => cols.get(s.key)!)], !zoomed));
  markEmpty(xs.length === 0);
}

function markEmpty(empty: boolean): void {
  for (const def of CHARTS) $(def.id).toggleAttribute('data-empty', empty);
}

declare global {
  interface Window {
    /** The uPlot charts, for tests and the console. */
    dashboardCharts?: uPlot[];
  }
}

// ---- clips: the latest segment of the policy, and the pair picked to make gold ----

/** Clips playing on one clock, drawn as the labeling page draws them (see clips.ts). */
interface Playing {
  clips: Clips;
  canvases: HTMLCanvasElement[];
  overlays: HTMLElement[];
  /** Simulated seconds into the loop. */
  t: number;
  /** When the clock last advanced. */
  last: number;
}
/** What plays, by name: the policy's latest clip, and the pair picked to make gold. */
const playing = new Map<string, Playing>();

/** Plays `segments` (one, or a pair) on the canvases named, each with its "ended" overlay (id + '-ended'). */
function showClips(name: string, canvasIds: string[], segments: SegmentJson[], description: string[]): void {
  const canvases = canvasIds.map((id) => $<HTMLCanvasElement>(id));
  const overlays = canvasIds.map((id) => $(`${id}-ended`));
  if (!spec || segments.some((s) => !s.render)) {
    playing.delete(name);
    clearClips(canvases, overlays);
    canvases.forEach((c, i) => c.setAttribute('aria-label', `${description[i]}: cannot be replayed`));
    return;
  }
  const clips = prepareClips(spec, segments, canvases[0].width, canvases[0].height);
  playing.set(name, { clips, canvases, overlays, t: 0, last: performance.now() });
  canvases.forEach((c, i) => c.setAttribute('aria-label', `${description[i]}: ${segments[i].envId}, ${segments[i].length} steps${segments[i].terminated ? ', the episode ends at its last frame' : ''}`));
}

function animate(now: number): void {
  if (spec) {
    for (const p of playing.values()) {
      p.t = advanceClock(p.t, now - p.last, 1, p.clips.period);
      p.last = now;
      drawClips(spec, p.clips, clockFrame(p.t, spec.dt, p.clips.period), p.canvases, p.overlays);
    }
  }
  requestAnimationFrame(animate);
}

// ---- where the run is, and the annotators ----

const ANSWERS: { answer: AnswerJson; label: string }[] = [
  { answer: 'left', label: 'left' },
  { answer: 'right', label: 'right' },
  { answer: 'equal', label: 'equal' },
  { answer: 'incomparable', label: "can't tell" },
];

const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '-');
const fmt = (v: number | null, digits = 3) => (v === null ? '-' : Number(v.toPrecision(digits)).toString());

/** running / waiting for N labels / finished. */
function stateText(s: RunStatusJson): string {
  const state = s.state ?? (s.finishedAt ? 'finished' : 'running');
  if (state === 'finished') return 'finished';
  if (state === 'waiting') return s.waitingForLabels != null ? `waiting for ${s.waitingForLabels} label${s.waitingForLabels === 1 ? '' : 's'}` : 'waiting for labels';
  return s.phase && s.phase !== 'rl' ? `running (${s.phase === 'initial' ? 'first labels' : 'pretraining the reward model'})` : 'running';
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

/** Counts and percentages as text, and a bar whose parts' widths are set through the CSSOM (the CSP allows it). */
function answerMix(a: AnnotatorStatsJson): HTMLTableCellElement {
  const counts = ANSWERS.map(({ answer }) => a.answers?.[answer] ?? 0);
  const total = counts.reduce((x, y) => x + y, 0);
  const td = cell(ANSWERS.map(({ label }, i) => `${label} ${counts[i]} (${pct(counts[i], total)})`).join(' · '));
  const bar = document.createElement('span');
  bar.className = 'mix';
  bar.setAttribute('aria-hidden', 'true');
  ANSWERS.forEach(({ answer }, i) => {
    const part = document.createElement('span');
    part.className = `mix-${answer}`;
    part.style.width = `${total > 0 ? (100 * counts[i]) / total : 0}%`;
    bar.append(part);
  });
  td.prepend(bar);
  return td;
}

function showOverview(o: OverviewJson): void {
  const s = o.status;
  const finished = (s.state ?? (s.finishedAt ? 'finished' : 'running')) === 'finished';
  $('state').textContent = stateText(s);
  document.body.dataset.runState = s.state ?? (finished ? 'finished' : 'running');
  $('steps').textContent = String(s.envSteps);
  $('budget').textContent = `${s.labels} / ${s.labelBudget ?? '-'}`;
  $('queue').textContent = String(s.queueDepth);
  const which = finished ? 'final' : 'latest';
  $('final-return-label').textContent = `${which} true return`;
  $('final-accuracy-label').textContent = `${which} held-out accuracy`;
  $('final-return').textContent = fmt(lastOf('trueReturn'), 4);
  $('final-accuracy').textContent = fmt(lastOf('heldOutAccuracy'), 3);

  $('annotators').querySelector('tbody')!.replaceChildren(
    ...o.agreement.annotators.map((a) => {
      const tr = document.createElement('tr');
      tr.append(
        cell(a.name),
        cell(String(a.labels)),
        cell(a.medianSeconds == null ? '-' : a.medianSeconds.toFixed(1)),
        answerMix(a),
        cell(String(a.repeats)),
        cell(pct(a.agreeing, a.repeats)),
        cell(String(a.gold?.answered ?? 0)),
        cell(a.gold ? pct(a.gold.correct, a.gold.answered) : '-'),
      );
      return tr;
    }),
  );
  const g = o.agreement.gold;
  $('gold-summary').textContent =
    (g.answered ? `Gold pairs: ${g.correct} of ${g.answered} answers match the gold answer (${pct(g.correct, g.answered)}). ` : 'No gold pair answered yet. ') +
    (g.pairs ? `${g.agreeing} of ${g.pairs} pairs of people's answers to the same gold pair agree.` : '');

  showTrial(o);
  showGuidelines(s);
  const latest = o.latestSegment;
  if (latest?.render && latest.id !== playing.get('latest')?.clips.segments[0].id) showClips('latest', ['replay'], [latest], ['Latest clip of the policy']);
}

// ---- the trial of assistance (runs with a labeling assistant) ----

/** Gold accuracy per arm with Wilson intervals, the assisted-minus-unassisted difference (Newcombe), and the critiques' fate. */
function showTrial(o: OverviewJson): void {
  const assistant = o.status.assistant;
  $('trial').hidden = !assistant;
  if (!assistant) return;
  $('trial-assistant').textContent = `the ${assistant.name} assistant`;
  const arms = o.agreement.arms;
  const p = { assisted: wilson(arms.assisted.correct, arms.assisted.answered), unassisted: wilson(arms.unassisted.correct, arms.unassisted.answered) };
  const share = (x: number) => `${(100 * x).toFixed(0)}%`;
  $('trial-arms').querySelector('tbody')!.replaceChildren(
    ...(['assisted', 'unassisted'] as const).map((arm) => {
      const tr = document.createElement('tr');
      tr.dataset.arm = arm;
      const w = p[arm];
      tr.append(cell(arm), cell(String(w.n)), cell(w.n ? `${w.k} (${share(w.rate)})` : '-'), cell(w.n ? `${share(w.lo)} to ${share(w.hi)}` : '-'));
      return tr;
    }),
  );
  const c = o.agreement.critiques;
  const diff = p.assisted.n && p.unassisted.n ? proportionDifference(p.assisted, p.unassisted) : null;
  const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(0)}`;
  $('trial-summary').textContent =
    (diff ? `Assisted minus unassisted: ${pts(diff.diff)} points (95% interval ${pts(diff.lo)} to ${pts(diff.hi)}). ` : 'Both arms need gold answers before they compare. ') +
    `Critiques shown: ${c.shown}; accepted ${c.accepted}, dismissed ${c.dismissed}, neither ${c.shown - c.accepted - c.dismissed}.`;
}

// ---- guidelines ----

let guidelinesShown = false;

/** The run's guidelines into the text box, once: later refreshes do not overwrite what the admin is typing. */
function showGuidelines(s: RunStatusJson): void {
  if (guidelinesShown) return;
  guidelinesShown = true;
  $<HTMLTextAreaElement>('guidelines').value = s.guidelines ?? '';
}

function setupGuidelines(): void {
  const text = $<HTMLTextAreaElement>('guidelines');
  const status = $('guidelines-status');
  text.addEventListener('input', () => (status.textContent = ''));
  $<HTMLFormElement>('guidelines-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const button = $<HTMLButtonElement>('guidelines-save');
    button.disabled = true;
    status.textContent = 'saving…';
    const sent = text.value;
    api<{ status: RunStatusJson }>(`${runPath()}/guidelines`, { method: 'PUT', body: JSON.stringify({ guidelines: sent }) })
      .then((r) => {
        // Text typed while the save was on its way stays (and is not saved yet).
        if (text.value !== sent) return void (status.textContent = 'saved; later changes are not saved yet');
        text.value = r.status.guidelines;
        status.textContent = 'saved';
      })
      .catch((err: unknown) => (status.textContent = `Not saved: ${errorText(err)}`))
      .finally(() => (button.disabled = false));
  });
}

// ---- gold pairs ----

let picked: string | null = null;
const goldMessage = (text: string) => ($('gold-message').textContent = text);

async function loadPairs(): Promise<void> {
  const { pairs } = await api<{ pairs: PairSummaryJson[] }>(`${runPath()}/pairs?limit=20`);
  $('pairs').querySelector('tbody')!.replaceChildren(
    ...pairs.map((p) => {
      const tr = document.createElement('tr');
      tr.dataset.query = p.queryId;
      if (p.queryId === picked) tr.className = 'picked';
      const open = document.createElement('button');
      open.type = 'button';
      open.textContent = 'watch';
      open.setAttribute('aria-label', `watch pair ${p.queryId}`);
      open.addEventListener('click', () => void pick(p.queryId));
      const action = document.createElement('td');
      action.append(open);
      tr.append(cell(p.queryId), cell(String(p.askedAtStep)), cell(p.answers.map((a) => `${a.by}: ${a.answer}`).join(', ') || '-'), cell(p.goldId ?? '-'), action);
      return tr;
    }),
  );
  if (pairs.length === 0) goldMessage('The run has asked no pairs yet.');
}

/** Counts picks, so that only the latest one's answer is shown (an earlier one may answer later). */
let picks = 0;

async function pick(queryId: string): Promise<void> {
  const mine = ++picks;
  try {
    const q = await api<QueryJson>(`${runPath()}/pairs/${encodeURIComponent(queryId)}`);
    if (mine !== picks) return;
    picked = q.id;
    $('gold-pick-id').textContent = q.id;
    showClips('gold', ['gold-left', 'gold-right'], [q.left, q.right], ['Left segment of the pair', 'Right segment of the pair']);
    $('gold-pick').hidden = false;
    for (const tr of $('pairs').querySelectorAll<HTMLTableRowElement>('tbody tr')) tr.classList.toggle('picked', tr.dataset.query === q.id);
    document.body.dataset.picked = q.id;
    goldMessage(spec ? '' : 'This run cannot be replayed here (no render spec).');
  } catch (e) {
    if (mine === picks) goldMessage(`Could not load pair ${queryId}: ${errorText(e)}`);
  }
}

async function makeGold(answer: AnswerJson): Promise<void> {
  const queryId = picked;
  if (!queryId) return;
  const buttons = $('gold-answers').querySelectorAll('button');
  for (const b of buttons) b.disabled = true;
  try {
    const { gold } = await api<{ gold: GoldPairJson }>(`${runPath()}/gold`, { method: 'POST', body: JSON.stringify({ queryId, answer }) });
    goldMessage(`Gold pair ${gold.id} made from pair ${queryId}: ${answerLabel(gold.answer)}.`);
    await Promise.all([loadGold(), loadPairs()]);
  } catch (e) {
    goldMessage(`Could not make the gold pair: ${errorText(e)}`);
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

const answerLabel = (a: AnswerJson | null) => ANSWERS.find((x) => x.answer === a)?.label ?? '-';

async function loadGold(): Promise<void> {
  const { gold } = await api<{ gold: GoldPairJson[] }>(`${runPath()}/gold`);
  $('gold-list').querySelector('tbody')!.replaceChildren(
    ...gold.map((g) => {
      const tr = document.createElement('tr');
      tr.dataset.gold = g.id;
      tr.append(cell(g.id), cell(g.sourceQueryId ?? '-'), cell(answerLabel(g.answer)), cell(new Date(g.createdAt).toLocaleString()), cell(String(g.answered)), cell(g.answered ? `${g.correct} (${pct(g.correct, g.answered)})` : '-'));
      return tr;
    }),
  );
  document.body.dataset.gold = String(gold.length);
}

// ---- export ----

/** The export links download with this tab's token (a plain link would go with the cookie, perhaps another person's). */
function setupExport(id: string, path: string): void {
  const link = $<HTMLAnchorElement>(id);
  link.href = path;
  link.addEventListener('click', (e) => {
    e.preventDefault();
    $('export-message').textContent = '';
    download(path).catch((err: unknown) => ($('export-message').textContent = `Could not export: ${errorText(err)}`));
  });
}

// ---- refresh ----

async function poll(): Promise<void> {
  try {
    const fresh = await api<{ metrics: { seq: number; row: Row }[] }>(`${runPath()}/metrics?after=${lastSeq}`);
    if (fresh.metrics.length > 0) {
      rows = appendRows(rows, fresh.metrics.map((m) => m.row));
      lastSeq = fresh.metrics[fresh.metrics.length - 1].seq;
      updateCharts();
    }
    showOverview(await api<OverviewJson>(`${runPath()}/overview`));
    document.body.dataset.rows = String(rows.length);
    $('message').textContent = '';
  } catch (e) {
    $('message').textContent = `Could not refresh: ${errorText(e)}`;
  }
  try {
    await loadGold();
  } catch (e) {
    goldMessage(`Could not list the gold pairs: ${errorText(e)}`);
  }
}

/** Polls every 2 s, one request chain at a time (a slow server never gets overlapping polls). */
function pollForever(): void {
  setTimeout(() => void poll().finally(pollForever), 2000);
}

async function start(): Promise<void> {
  try {
    const me = await api<{ role: string }>('/api/me');
    if (me.role !== 'admin') {
      $('message').textContent = 'The dashboard needs the admin token (printed by overseer serve).';
      return;
    }
    const { runs } = await api<{ runs: RunStatusJson[] }>('/api/runs');
    if (runs.length === 0) {
      $('message').textContent = 'This project has no runs yet.';
      return;
    }
    if (!runId) runId = runs[runs.length - 1].id;
    const select = $<HTMLSelectElement>('run');
    select.replaceChildren(...runs.map((r) => Object.assign(document.createElement('option'), { value: r.id, textContent: `${r.id} (${r.envId})`, selected: r.id === runId })));
    select.addEventListener('change', () => (location.search = `?run=${encodeURIComponent(select.value)}`));
    setupExport('export-run', `/api/admin/export?run=${encodeURIComponent(runId)}`);
    setupExport('export-all', '/api/admin/export');
    $<HTMLAnchorElement>('label-link').href = `./?run=${encodeURIComponent(runId)}`;
    $<HTMLAnchorElement>('attention-link').href = `./attention.html?run=${encodeURIComponent(runId)}`;
    // A debate session's people judge and debate on their own page.
    const debateLink = $<HTMLAnchorElement>('debate-link');
    debateLink.href = `./debate.html?run=${encodeURIComponent(runId)}`;
    debateLink.hidden = runs.find((r) => r.id === runId)?.envId !== DEBATE_ENV_ID;
    spec = (await api<{ spec: RenderSpec | null }>(`/api/runs/${encodeURIComponent(runId)}/scene`)).spec;
    buildCharts();
    for (const r of document.querySelectorAll<HTMLInputElement>('input[name=x]')) r.addEventListener('change', buildCharts);
    new ResizeObserver(() => {
      for (const u of charts) u.setSize({ width: chartWidth(u.root.parentElement!), height: 220 });
    }).observe(document.querySelector('.charts')!);
    requestAnimationFrame(animate);

    setupGuidelines();
    for (const b of $('gold-answers').querySelectorAll<HTMLButtonElement>('button')) b.addEventListener('click', () => void makeGold(b.dataset.answer as AnswerJson));
    $('pairs-refresh').addEventListener('click', () => void loadPairs().catch((e: unknown) => goldMessage(`Could not list the pairs: ${errorText(e)}`)));
    await loadPairs().catch((e: unknown) => goldMessage(`Could not list the pairs: ${errorText(e)}`));
    await poll();
    document.body.dataset.ready = '1';
    pollForever();
  } catch (e) {
    $('message').textContent = `Could not start: ${errorText(e)}`;
  }
}

void start();
