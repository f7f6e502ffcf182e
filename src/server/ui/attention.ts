/**
 * "What is the reward model paying attention to?" (admin token): the report `overseer interp`
 * stores with a run (AttentionReportJson, served by GET /api/admin/runs/:runId/attention). The
 * SAE and accuracy summary, the score distributions, the top units in words, and for the unit
 * picked its top clips replayed (as the dashboard replays clips: clips.ts) beside a uPlot chart
 * of its activation, the explanation's prediction and the attribution over named features.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { AttentionActivationJson, AttentionClipJson, AttentionReportJson, AttentionUnitJson, RunStatusJson, SegmentJson } from '../api.js';
import { api, pageParams } from './client.js';
import { advanceClock, clearClips, clockFrame, drawClips, prepareClips, type Clips } from './clips.js';
import type { RenderSpec } from './draw.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = pageParams();
let runId = params.get('run') ?? '';
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

let report: AttentionReportJson;
let spec: RenderSpec | null = null;

// ---- numbers in words ----

const unitName = (u: AttentionUnitJson) => `${u.kind === 'sae-feature' ? 'SAE feature' : 'neuron'} ${u.index}`;
const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`;
const effectText = (x: number) => `${signed(x, 3)} std`;
/** A number, or a dash for one the report could not define (null: JSON has no NaN). */
const num = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`);

/** A unit's activation on the 0–10 scale its explanation is scored on: 10 at its largest activation over its clips, negatives at 0. */
const scaled = (a: number, maxActivation: number) => (maxActivation > 0 ? (10 * Math.max(0, a)) / maxActivation : 0);

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

// ---- the summary ----

function showSummary(r: AttentionReportJson): void {
  $('env').textContent = r.envId;
  $('layer').textContent = `${r.network}, hidden layer ${r.layer} (${r.width} neurons)`;
  $('labels').textContent = String(r.labels);
  $('checkpoint').textContent = r.checkpoint;
  const made = new Date(r.createdAt);
  const code = Object.assign(document.createElement('code'), { textContent: r.madeBy });
  $('made-by').replaceChildren('Made by ', code, ` on ${Number.isNaN(made.getTime()) ? r.createdAt : `${made.toISOString().slice(0, 16).replace('T', ' ')} UTC`}.`);
  const s = r.sae;
  $('sae').textContent =
    `A dictionary of ${s.dictSize} features on the layer's ${r.width} neurons (Bricken et al. 2023). ` +
    `Held-out fraction of variance unexplained: ${num(s.fvu, 3)}; ${num(s.l0, 1)} features active per state on average (L0); ` +
    `${s.alive} of ${s.dictSize} features alive (${s.aliveWithoutResampling} when trained without resampling dead ones).`;
  const a = r.accuracy;
  $('accuracy-pairs').textContent =
    a.pairs > 0
      ? `Accuracy of ${r.network} on ${a.pairs} held-out labelled pairs, with the layer as it is and with it replaced:`
      : `${r.network} has no decided held-out labelled pair (every held-out answer was "equal" or none was held out), so its accuracy is not measured.`;
  const row = document.createElement('tr');
  row.append(cell(pct(a.intact), 'num'), cell(pct(a.saeReconstruction), 'num'), cell(pct(a.meanAblation), 'num'));
  $('accuracy').querySelector('tbody')!.replaceChildren(row);
  $('scores').querySelector('tbody')!.replaceChildren(
    ...r.scores.map((sc) => {
      const tr = document.createElement('tr');
      tr.append(cell(sc.units), cell(String(sc.count), 'num'), cell(num(sc.mean, 3), 'num'), cell(num(sc.median, 3), 'num'), cell(`${sc.above08} (${sc.count > 0 ? pct(sc.above08 / sc.count) : '-'})`, 'num'));
      return tr;
    }),
  );
  $('feature-count').textContent = String(r.features.length);
  $('features').querySelector('tbody')!.replaceChildren(
    ...r.features.map((f) => {
      const tr = document.createElement('tr');
      tr.append(cell(f.name), cell(f.kind === 'boolean' ? 'yes / no' : 'number'), cell(f.description));
      return tr;
    }),
  );
}

// ---- the top units ----

let unitIdx = 0;

function showUnits(r: AttentionReportJson): void {
  $('units').querySelector('tbody')!.replaceChildren(
    ...r.units.map((u, i) => {
      const tr = document.createElement('tr');
      tr.dataset.unit = String(i);
      const radio = Object.assign(document.createElement('input'), { type: 'radio', name: 'unit', value: String(i), id: `unit-${i}`, checked: i === unitIdx });
      radio.addEventListener('change', () => radio.checked && selectUnit(i));
      const label = Object.assign(document.createElement('label'), { htmlFor: radio.id, textContent: unitName(u) });
      const name = document.createElement('td');
      name.append(radio, label);
      tr.append(name, cell(u.explanation), cell(num(u.score, 2), 'num'), cell(effectText(u.meanEffect), `num ${u.meanEffect >= 0 ? 'effect-up' : 'effect-down'}`), cell(pct(u.frequency), 'num'));
      // The whole row picks the unit, for the mouse; the radio button is the keyboard's way.
      tr.addEventListener('click', (e) => {
        if (e.target instanceof HTMLInputElement || e.target instanceof HTMLLabelElement) return;
        radio.checked = true;
        selectUnit(i);
      });
      return tr;
    }),
  );
}

function selectUnit(i: number): void {
  unitIdx = i;
  for (const tr of $('units').querySelectorAll<HTMLTableRowElement>('tbody tr')) tr.classList.toggle('selected', tr.dataset.unit === String(i));
  showDetail(report.units[i]);
  document.body.dataset.unit = String(i);
}

// ---- the unit picked: its top clips, replayed ----

/** One of the unit's top clips on its canvas, on its own clock. */
interface Playing {
  act: AttentionActivationJson;
  clip: AttentionClipJson | undefined;
  figure: HTMLElement;
  canvas: HTMLCanvasElement;
  overlay: HTMLElement;
  readout: HTMLElement;
  /** null: the clip cannot be replayed (no render spec or no render states); the readout shows its peak step. */
  clips: Clips | null;
  t: number;
  last: number;
  step: number;
}

let playing: Playing[] = [];
let clipIdx = 0;

/** A clip as clips.ts draws it (the report's clips carry no env id: they are all the run's env). */
const asSegment = (c: AttentionClipJson): SegmentJson => ({ id: c.id, envId: report.envId, length: c.length, renderSize: c.renderSize, render: c.render, terminated: c.terminated });

function clipWords(c: AttentionClipJson | undefined, id: string): string {
  if (!c) return `${id} (not in the report)`;
  return `${c.source === 'segment' ? 'segment' : 'policy rollout'} ${c.id}, ${c.length} steps${c.terminated ? ', the episode ends at its last frame' : ''}`;
}

function showDetail(u: AttentionUnitJson): void {
  $('detail-title').textContent = unitName(u);
  $('detail-explanation').textContent = u.explanation;
  $('detail-numbers').textContent = `Score ${num(u.score, 2)} · effect on the reward ${effectText(u.meanEffect)} · active on ${pct(u.frequency)} of states · largest activation ${u.maxActivation.toPrecision(3)}`;
  const clipsById = new Map(report.clips.map((c) => [c.id, c]));
  const top = u.topClips.slice(0, 3);
  playing = top.map((act, j) => {
    const clip = clipsById.get(act.clipId);
    const figure = document.createElement('figure');
    figure.dataset.clip = act.clipId;
    const canvas = Object.assign(document.createElement('canvas'), { width: 360, height: 240, id: `clip-${j}` });
    canvas.setAttribute('role', 'img');
    canvas.addEventListener('click', () => selectClip(j));
    const overlay = Object.assign(document.createElement('div'), { className: 'ended', hidden: true });
    const stage = Object.assign(document.createElement('div'), { className: 'stage' });
    stage.append(canvas, overlay);
    const radio = Object.assign(document.createElement('input'), { type: 'radio', name: 'clip', value: String(j), id: `clip-pick-${j}`, checked: j === 0 });
    radio.addEventListener('change', () => radio.checked && selectClip(j));
    const label = Object.assign(document.createElement('label'), { htmlFor: radio.id, textContent: ` clip ${j + 1}: ${clipWords(clip, act.clipId)}` });
    const caption = document.createElement('figcaption');
    caption.append(radio, label);
    const readout = Object.assign(document.createElement('p'), { className: 'readout', id: `readout-${j}` });
    figure.append(stage, caption, readout);
    const replayable = spec !== null && clip?.render != null;
    canvas.setAttribute('aria-label', `${unitName(u)}, clip ${j + 1}: ${clipWords(clip, act.clipId)}${replayable ? '' : ': cannot be replayed'}`);
    const p: Playing = { act, clip, figure, canvas, overlay, readout, clips: replayable ? prepareClips(spec!, [asSegment(clip!)], canvas.width, canvas.height) : null, t: 0, last: performance.now(), step: -1 };
    if (!p.clips) {
      clearClips([canvas], [overlay]);
      showStep(p, peakStep(act));
    }
    return p;
  });
  // One scale for the unit's clips (each still centred on itself), so sizes and swings compare across them.
  const prepared = playing.flatMap((p) => (p.clips ? [p.clips] : []));
  const scale = Math.min(...prepared.map((c) => c.scale));
  for (const c of prepared) c.scale = scale;
  $('clips').replaceChildren(...playing.map((p) => p.figure));
  const unplayable = playing.filter((p) => !p.clips).length;
  $('clips-message').textContent =
    top.length === 0 ? 'The report names no clips for this unit.' : unplayable === 0 ? '' : spec ? `${unplayable} of these clips cannot be replayed (no render states were recorded); the readout shows the step where the unit peaks.` : "This run's clips cannot be replayed here (its env has no render spec); the readouts show the step where the unit peaks, and the chart is below.";
  clipIdx = -1;
  selectClip(0);
}

const peakStep = (act: AttentionActivationJson) => act.activations.reduce((best, a, k, all) => (a > all[best] ? k : best), 0);

/** The readout under a clip, and the chart's marker when it is the clip charted. */
function showStep(p: Playing, step: number): void {
  if (step === p.step) return;
  p.step = step;
  p.figure.dataset.step = String(step);
  const u = report.units[unitIdx];
  const a = p.act.activations[step];
  const parts = [`step ${step}`];
  if (a !== undefined) parts.push(`activation ${a.toFixed(2)} (${scaled(a, u.maxActivation).toFixed(1)}/10)`);
  const sim = p.act.simulated[step];
  if (sim !== undefined) parts.push(`simulated ${sim.toFixed(1)}/10`);
  const reward = p.clip?.reward[step];
  if (reward !== undefined) parts.push(`reward ${signed(reward, 2)} std`);
  p.readout.textContent = parts.join(' · ');
  if (playing[clipIdx] === p) placeMarker();
}

function animate(now: number): void {
  for (const p of playing) {
    if (!p.clips || !spec) continue;
    p.t = advanceClock(p.t, now - p.last, 1, p.clips.period);
    p.last = now;
    const frame = clockFrame(p.t, spec.dt, p.clips.period);
    drawClips(spec, p.clips, frame, [p.canvas], [p.overlay]);
    showStep(p, Math.min(frame, p.clips.segments[0].length - 1));
  }
  requestAnimationFrame(animate);
}

function selectClip(j: number): void {
  if (j === clipIdx || !playing[j]) return;
  clipIdx = j;
  playing.forEach((p, k) => {
    p.figure.classList.toggle('selected', k === j);
    const radio = p.figure.querySelector<HTMLInputElement>('input[name=clip]');
    if (radio) radio.checked = k === j;
  });
  buildChart(report.units[unitIdx], playing[j]);
  document.body.dataset.clip = playing[j].act.clipId;
}

// ---- the chart: activation, prediction and attribution along the clip ----

const FEATURE_COLORS = ['#2a9d5c', '#8a4bb5', '#d9822b', '#17a2b8', '#7f7f7f', '#b5651d', '#d63384', '#6c8e23'];

let chart: uPlot | null = null;
let marker: HTMLElement | null = null;

declare global {
  interface Window {
    /** The uPlot chart, for tests and the console (an array, as the dashboard's dashboardCharts). */
    attentionCharts?: uPlot[];
  }
}

function chartWidth(): number {
  return Math.max(260, Math.floor($('chart').parentElement!.clientWidth));
}

/** Symmetric about 0, so a feature pushing the activation up reads above the line and one pushing it down below. */
const symmetric = (_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax => {
  const m = Math.max(Math.abs(min ?? 0), Math.abs(max ?? 0)) || 1;
  return [-1.1 * m, 1.1 * m];
};

function buildChart(u: AttentionUnitJson, p: Playing): void {
  chart?.destroy();
  const act = p.act;
  const n = act.activations.length;
  const xs = Array.from({ length: n }, (_, k) => k);
  const column = (values: readonly number[] | undefined) => xs.map((k) => values?.[k] ?? null);
  const features = u.attribution.features;
  const data: uPlot.AlignedData = [
    xs,
    act.activations.map((a) => scaled(a, u.maxActivation)),
    column(act.simulated),
    ...features.map((_, f) => column(act.attribution[f])),
    column(p.clip?.reward),
  ];
  const opts: uPlot.Options = {
    width: chartWidth(),
    height: 260,
    scales: { x: { time: false }, ten: { range: [0, 10] }, contribution: { range: symmetric }, reward: {} },
    series: [
      { label: 'step' },
      { label: 'activation (0–10)', scale: 'ten', stroke: '#c0392b', width: 2 },
      { label: 'simulated (0–10)', scale: 'ten', stroke: '#1f6fb5', width: 1.5, dash: [6, 4] },
      ...features.map((f, k): uPlot.Series => ({ label: f.name, scale: 'contribution', stroke: FEATURE_COLORS[k % FEATURE_COLORS.length], width: 1.2 })),
      // Off at first (the legend turns it on): a third axis would crowd the chart; uPlot hides an axis whose series are all hidden.
      { label: 'reward (std)', scale: 'reward', stroke: '#444', width: 1.2, dash: [2, 3], show: false },
    ],
    axes: [
      { label: `step of clip ${act.clipId}` },
      { scale: 'ten', label: 'activation, 0–10', side: 3 },
      { scale: 'contribution', label: 'contribution to the activation', side: 1, grid: { show: false } },
      { scale: 'reward', label: 'reward (std)', side: 1, grid: { show: false }, stroke: '#444' },
    ],
    hooks: { draw: [(drawn: uPlot) => drawn === chart && placeMarker()] },
  };
  chart = new uPlot(opts, data, $('chart'));
  marker = Object.assign(document.createElement('div'), { className: 'frame-marker', hidden: true });
  chart.over.append(marker);
  window.attentionCharts = [chart];
  const fit = u.attribution;
  const weights = features.map((f) => `${f.name} ${signed(f.weight, 2)}`).join(', ');
  $('chart-caption').textContent =
    `${unitName(u)} along clip ${act.clipId}. Left axis: its activation (10 = its largest over its clips) and what the explanation predicts (the simulator, 0–10). ` +
    `Right axis: the attribution over named features, each feature's contribution weight · (value − mean) / std in a ridge fit of the unit's activation on the standardised features over every recorded state ` +
    `(activation ≈ intercept + Σ contributions; intercept ${fit.intercept.toFixed(2)}; the fit explains r² = ${num(fit.r2, 2)} of the variance; weights: ${weights || 'none kept'}). ` +
    `The member's reward can be switched on in the legend. The vertical line follows the replayed frame.`;
  placeMarker();
}

/** The marker at the charted clip's current step (set through the CSSOM, as the CSP allows). */
function placeMarker(): void {
  const p = playing[clipIdx];
  if (!chart || !marker || !p || p.step < 0) return;
  marker.style.left = `${chart.valToPos(p.step, 'x')}px`;
  marker.hidden = false;
  $('chart').dataset.step = String(p.step);
}

// ---- start ----

async function start(): Promise<void> {
  const message = $('message');
  try {
    const me = await api<{ role: string }>('/api/me');
    if (me.role !== 'admin') {
      message.textContent = 'This page needs the admin token (printed by overseer serve).';
      document.body.dataset.state = 'refused';
      return;
    }
    const { runs } = await api<{ runs: RunStatusJson[] }>('/api/runs');
    if (runs.length === 0) {
      message.textContent = 'This project has no runs yet.';
      document.body.dataset.state = 'empty';
      return;
    }
    if (!runId) runId = runs[runs.length - 1].id;
    const select = $<HTMLSelectElement>('run');
    select.replaceChildren(...runs.map((r) => Object.assign(document.createElement('option'), { value: r.id, textContent: `${r.id} (${r.envId})`, selected: r.id === runId })));
    select.addEventListener('change', () => (location.search = `?run=${encodeURIComponent(select.value)}`));
    $<HTMLAnchorElement>('dashboard-link').href = `./dashboard.html?run=${encodeURIComponent(runId)}`;
    const run = encodeURIComponent(runId);
    const [got, scene] = await Promise.allSettled([api<AttentionReportJson>(`/api/admin/runs/${run}/attention`), api<{ spec: RenderSpec | null }>(`/api/runs/${run}/scene`)]);
    if (got.status === 'rejected') {
      // The server's words as they are: for a run without a report they say how to make one.
      message.textContent = errorText(got.reason);
      document.body.dataset.state = 'missing';
      return;
    }
    report = got.value;
    spec = scene.status === 'fulfilled' ? scene.value.spec : null;
    showSummary(report);
    $('report').hidden = false;
    if (report.units.length === 0) {
      $('detail').hidden = true;
      message.textContent = 'The report names no units.';
    } else {
      showUnits(report);
      selectUnit(0);
    }
    new ResizeObserver(() => chart?.setSize({ width: chartWidth(), height: 260 })).observe($('detail'));
    requestAnimationFrame(animate);
    document.body.dataset.state = 'ready';
  } catch (e) {
    message.textContent = `Could not start: ${errorText(e)}`;
    document.body.dataset.state = 'error';
  }
}

void start();
