/**
 * The dashboard (admin token): live curves of a run over env steps or labels, the latest segment
 * of the policy, per-annotator counts and agreement, and label export.
 */
import type { AgreementJson, RunStatusJson, SegmentJson } from '../api.js';
import { paint } from './canvas.js';
import { api, decode } from './client.js';
import { framePrimitives, segmentBounds, viewFor, type RenderSpec } from './draw.js';

type Status = RunStatusJson;
type Segment = SegmentJson;
interface Overview {
  status: Status;
  agreement: AgreementJson;
  latestSegment: Segment | null;
}
type Row = Record<string, number | null | undefined>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
if (params.has('token')) {
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
}

let runId = params.get('run') ?? '';
let rows: Row[] = [];
let lastSeq = 0;
let spec: RenderSpec | null = null;
let replay: { segment: Segment; frames: Float32Array; shownAt: number } | null = null;
const xKey = () => (document.querySelector<HTMLInputElement>('input[name=x]:checked')?.value ?? 'envSteps') as 'envSteps' | 'labels';

const COLORS = ['#1f6fb5', '#d9822b', '#2a9d5c'];

/** A line chart of some metrics columns against the chosen x; nulls leave gaps. */
function chart(canvas: HTMLCanvasElement, series: { key: string; label: string }[], yRange?: [number, number]): void {
  const ctx = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  const pad = { l: 48, r: 10, t: 10, b: 24 };
  ctx.clearRect(0, 0, W, H);
  const x = xKey();
  const pts = series.map((s) => rows.filter((r) => typeof r[s.key] === 'number' && typeof r[x] === 'number').map((r) => [r[x] as number, r[s.key] as number] as const));
  const all = pts.flat();
  ctx.fillStyle = '#666';
  ctx.font = '11px system-ui';
  if (all.length === 0) {
    ctx.fillText('no data yet', W / 2 - 30, H / 2);
    return;
  }
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = yRange ?? [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (v: number) => pad.l + ((v - x0) / (x1 - x0 || 1)) * (W - pad.l - pad.r);
  const sy = (v: number) => H - pad.b - ((v - y0) / (y1 - y0 || 1)) * (H - pad.t - pad.b);
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(pad.l, pad.t, W - pad.l - pad.r, H - pad.t - pad.b);
  ctx.fillText(y1.toPrecision(3), 2, pad.t + 8);
  ctx.fillText(y0.toPrecision(3), 2, H - pad.b);
  ctx.fillText(`${x0}`, pad.l, H - 8);
  ctx.fillText(`${x1} ${x === 'envSteps' ? 'env steps' : 'labels'}`, W - pad.r - 110, H - 8);
  pts.forEach((line, i) => {
    ctx.strokeStyle = COLORS[i % COLORS.length];
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    line.forEach(([u, v], k) => (k === 0 ? ctx.moveTo(sx(u), sy(v)) : ctx.lineTo(sx(u), sy(v))));
    ctx.stroke();
    ctx.fillStyle = COLORS[i % COLORS.length];
    ctx.fillText(series[i].label, pad.l + 6 + i * 110, pad.t + 12);
  });
}

function drawCharts(): void {
  chart($('chart-return'), [
    { key: 'trueReturn', label: 'true return' },
    { key: 'learnedReturn', label: 'predicted (model units)' },
  ]);
  chart($('chart-accuracy'), [{ key: 'heldOutAccuracy', label: 'held-out accuracy' }], [0, 1]);
  chart($('chart-disagreement'), [{ key: 'disagreement', label: 'disagreement' }]);
}

function animate(now: number): void {
  if (replay && spec) {
    const { segment: c, frames } = replay;
    const t = Math.floor(((now - replay.shownAt) / 1000 / spec.dt) % c.length);
    const b = segmentBounds(c.envId, spec, frames, c.renderSize, c.length);
    const canvas = $<HTMLCanvasElement>('replay');
    const scale = Math.min(canvas.width / Math.max(0.5, (b.maxU - b.minU) * 1.15), canvas.height / Math.max(0.5, (b.maxV - b.minV) * 1.15));
    paint(canvas, framePrimitives(c.envId, spec, frames, c.renderSize, t), b, scale, spec.kind === 'mujoco' ? viewFor(c.envId) : null);
  }
  requestAnimationFrame(animate);
}

function showOverview(o: Overview): void {
  $('steps').textContent = String(o.status.envSteps);
  $('budget').textContent = `${o.status.labels} / ${o.status.labelBudget ?? '-'}`;
  $('queue').textContent = String(o.status.queueDepth);
  const body = $('annotators').querySelector('tbody')!;
  body.replaceChildren(
    ...o.agreement.annotators.map((a) => {
      const tr = document.createElement('tr');
      for (const cell of [a.name, String(a.labels), String(a.repeats), a.repeats ? `${Math.round((100 * a.agreeing) / a.repeats)}%` : '-']) {
        const td = document.createElement('td');
        td.textContent = cell;
        tr.append(td);
      }
      return tr;
    }),
  );
  const g = o.agreement.gold;
  $('gold').textContent = g.pairs ? `Gold pairs: ${g.agreeing} of ${g.pairs} pairs of answers agree.` : 'No gold pair has two answers yet.';
  if (o.latestSegment?.render && o.latestSegment.id !== replay?.segment.id) {
    replay = { segment: o.latestSegment, frames: decode(o.latestSegment.render), shownAt: performance.now() };
    $('replay').setAttribute('aria-label', `Latest clip of the policy: ${replay.segment.envId}, ${replay.segment.length} steps`);
  }
}

async function poll(): Promise<void> {
  try {
    const fresh = await api<{ metrics: { seq: number; row: Row }[] }>(`/api/admin/runs/${encodeURIComponent(runId)}/metrics?after=${lastSeq}`);
    if (fresh.metrics.length > 0) {
      rows = rows.concat(fresh.metrics.map((m) => m.row));
      lastSeq = fresh.metrics[fresh.metrics.length - 1].seq;
      drawCharts();
    }
    showOverview(await api<Overview>(`/api/admin/runs/${encodeURIComponent(runId)}/overview`));
    document.body.dataset.rows = String(rows.length);
    $('message').textContent = '';
  } catch (e) {
    $('message').textContent = `Could not refresh: ${(e as Error).message}`;
  }
}

async function start(): Promise<void> {
  try {
    const me = await api<{ role: string }>('/api/me');
    if (me.role !== 'admin') {
      $('message').textContent = 'The dashboard needs the admin token (printed by overseer serve).';
      return;
    }
    const { runs } = await api<{ runs: Status[] }>('/api/runs');
    if (runs.length === 0) {
      $('message').textContent = 'This project has no runs yet.';
      return;
    }
    if (!runId) runId = runs[runs.length - 1].id;
    const select = $<HTMLSelectElement>('run');
    select.replaceChildren(...runs.map((r) => Object.assign(document.createElement('option'), { value: r.id, textContent: `${r.id} (${r.envId})`, selected: r.id === runId })));
    select.addEventListener('change', () => (location.search = `?run=${encodeURIComponent(select.value)}`));
    $<HTMLAnchorElement>('export-run').href = `/api/admin/export?run=${encodeURIComponent(runId)}`;
    $<HTMLAnchorElement>('label-link').href = `./?run=${encodeURIComponent(runId)}`;
    for (const r of document.querySelectorAll<HTMLInputElement>('input[name=x]')) r.addEventListener('change', drawCharts);
    spec = (await api<{ spec: RenderSpec | null }>(`/api/runs/${encodeURIComponent(runId)}/scene`)).spec;
    requestAnimationFrame(animate);
    await poll();
    drawCharts();
    setInterval(() => void poll(), 2000);
  } catch (e) {
    $('message').textContent = `Could not start: ${(e as Error).message}`;
  }
}

void start();
