/**
 * Load on the labeling server over loopback: many annotators at once, each fetching its next
 * pair and submitting an answer as fast as the server allows. The server runs as in
 * `overseer prefs --teacher human` (its own thread, one SQLite connection, a durable commit per
 * label); the clients are this thread. Afterwards the store is checked: every acknowledged
 * label is there once, and nothing else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Segment } from '../src/prefs/segments.js';
import { startServerThread } from '../src/server/thread.js';
import { openProject } from '../src/store/sqlite.js';
import { provenance, writeResult } from './machine.js';

export interface LoadResult {
  provenance: ReturnType<typeof provenance>;
  annotators: number;
  labelsEach: number;
  /** Floats per segment in the pairs served (a Hopper segment: 60 steps x 5 geoms x 7). */
  renderFloatsPerSegment: number;
  seconds: number;
  labelsPerSecond: number;
  acknowledged: number;
  stored: number;
  lost: number;
  duplicated: number;
  refused: number;
  latencyMs: { next: Percentiles; submit: Percentiles };
  /** 1-minute load average when the run started: other work on the machine slows the server. */
  loadAverageAtStart: number;
  note: string;
}
interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function percentiles(xs: number[]): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Number(s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(2));
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Number(s[s.length - 1].toFixed(2)) };
}

/** Hopper-sized segment i: 60 steps of 5 geom poses (2100 floats to draw); `full`: observations and actions too, and every 7th episode ending. */
export function hopperSegment(i: number, full = false): Segment {
  const length = 60;
  const renderSize = 35;
  return {
    id: `seg-${i}`,
    envId: 'Hopper-v5',
    seed: 1,
    envIndex: 0,
    globalStep: i * length,
    length,
    obsSize: 11,
    actionSize: 3,
    renderSize,
    render: Float32Array.from({ length: length * renderSize }, (_, k) => Math.sin(i + k)),
    obs: full ? Float32Array.from({ length: length * 11 }, (_, k) => Math.cos(i * k)) : new Float32Array(length * 11),
    actions: full ? Float32Array.from({ length: length * 3 }, (_, k) => Math.sin(i - k)) : new Float32Array(length * 3),
    terminated: full && i % 7 === 0,
  };
}

export async function benchLabelsLoad(annotators: number, labelsEach: number, argv: string[]): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'overseer-load-'));
  const project = openProject(dir);
  const total = annotators * labelsEach;
  project.createRun({ id: 'load', envId: 'Hopper-v5', labelBudget: total });
  const segs: Segment[] = Array.from({ length: total + 1 }, (_, i) => hopperSegment(i));
  project.putSegments('load', segs.map((segment) => ({ segment })));
  project.putQueries('load', segs.slice(1).map((s, i) => ({ id: `q-${i}`, leftId: segs[i].id, rightId: s.id, askedAtStep: 0 })));
  const tokens = Array.from({ length: annotators }, (_, i) => project.addAnnotator(`annotator-${i}`).token);
  project.close();

  const loadAverageAtStart = Number(loadavg()[0].toFixed(2));
  const server = await startServerThread({ dir, host: '127.0.0.1', port: 0, staticDir: null });
  const nextMs: number[] = [];
  const submitMs: number[] = [];
  const acked = new Set<string>();
  let refused = 0;
  const t0 = performance.now();
  await Promise.all(
    tokens.map(async (token, a) => {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      for (let k = 0; k < labelsEach; k++) {
        let t = performance.now();
        const next = await fetch(`${server.url}/api/runs/load/next?n=1`, { headers });
        const { queries } = (await next.json()) as { queries: { id: string }[] };
        nextMs.push(performance.now() - t);
        if (queries.length === 0) throw new Error(`annotator ${a} found no pair after ${k} labels`);
        const clientId = `a${a}-${k}`;
        t = performance.now();
        const res = await fetch(`${server.url}/api/runs/load/labels`, { method: 'POST', headers, body: JSON.stringify({ queryId: queries[0].id, answer: k % 2 ? 'left' : 'right', seconds: 1, clientId }) });
        await res.arrayBuffer();
        submitMs.push(performance.now() - t);
        if (res.status === 200) acked.add(clientId);
        else refused += 1;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await server.close();

  const check = openProject(dir);
  const stored = check.labelsSince('load', 0);
  check.close();
  rmSync(dir, { recursive: true, force: true });
  const storedIds = stored.map((l) => l.clientId!);
  const storedSet = new Set(storedIds);
  const lost = [...acked].filter((id) => !storedSet.has(id)).length;
  const duplicated = storedIds.length - storedSet.size + (stored.length - new Set(stored.map((l) => l.queryId)).size);
  const result: LoadResult = {
    provenance: provenance(argv),
    annotators,
    labelsEach,
    renderFloatsPerSegment: segs[0].length * segs[0].renderSize,
    seconds: Number(seconds.toFixed(2)),
    labelsPerSecond: Math.round(acked.size / seconds),
    acknowledged: acked.size,
    stored: stored.length,
    lost,
    duplicated,
    refused,
    latencyMs: { next: percentiles(nextMs), submit: percentiles(submitMs) },
    loadAverageAtStart,
    note: 'Server on a worker thread (as in overseer prefs --teacher human), clients in the main thread of the same process, loopback HTTP/1.1; each label is one SQLite transaction with synchronous=FULL. Every annotator sends its next request as soon as the last is answered, so the latencies are mostly queueing: a person takes seconds per pair.',
  };
  writeResult('labels-load', result);
  console.log(
    `${annotators} annotators x ${labelsEach} labels in ${result.seconds} s (${result.labelsPerSecond} labels/s): ${result.acknowledged} acknowledged, ${result.stored} stored, ${lost} lost, ${duplicated} duplicated; ` +
      `next p50 ${result.latencyMs.next.p50} ms p99 ${result.latencyMs.next.p99} ms; submit p50 ${result.latencyMs.submit.p50} ms p99 ${result.latencyMs.submit.p99} ms`,
  );
  return result;
}
