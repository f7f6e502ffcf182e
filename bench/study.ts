/**
 * A labelling study beyond one machine, measured (issue: PostgreSQL, several app servers):
 * - `saturation`: one app server (its own thread, as in `prefs --teacher human`), annotators
 *   answering as fast as it allows, on SQLite and on PostgreSQL, with and without the clip cache
 *   (encoded clips kept per segment): labels per second per server;
 * - `paced`: several app servers on one PostgreSQL, many annotators at a person's pace (one
 *   answer every 2-4 s each) for minutes: the time to the next pair (p50/p95/p99), lost and
 *   duplicated labels;
 * - `faults`: PostgreSQL restarted while the servers take labels and a `prefs --teacher human
 *   --db` run trains on them: the servers and the run carry on; no acknowledged label is lost;
 * - `migrate`: a project the size of the committed 1400-label Hopper run moved SQLite →
 *   PostgreSQL → SQLite: time, and the table-by-table check.
 * Each writes `bench/results/study-<part>.json`; `study.md` sums them up.
 */
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerThread, type ServerThread } from '../src/server/thread.js';
import { locationOf, openProjectAt } from '../src/store/open.js';
import { moveProject } from '../src/store/move.js';
import { PgProjectStore } from '../src/store/postgres/store.js';
import { openSqliteProject } from '../src/store/sqlite.js';
import type { ProjectStore } from '../src/store/store.js';
import { runCli } from '../src/cli/program.js';
import { RESULTS_DIR, provenance, writeResult } from './machine.js';
import { hopperSegment } from './labelsLoad.js';
import { testDatabase } from '../src/store/testing/postgres.js';

/** An admin URL of the PostgreSQL server the study runs on (a role that may create databases). */
const ADMIN_URL = process.env.OVERSEER_BENCH_PG ?? process.env.OVERSEER_TEST_PG ?? 'postgres://overseer:overseer@127.0.0.1:5432/postgres';

interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function percentiles(xs: number[]): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Number((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN).toFixed(1));
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: Number((s[s.length - 1] ?? Number.NaN).toFixed(1)) };
}

/** A fresh database on the server the study runs on; dropped by the returned function. */
const freshDatabase = (name: string) => testDatabase(`bench_${name}`, ADMIN_URL);

/** Hopper-sized segments (60 steps of 5 geom poses: 2100 floats to draw) and `queries` pairs over them. */
function fillRun(project: ProjectStore, runId: string, segments: number, queries: number): void {
  project.createRun({ id: runId, envId: 'Hopper-v5', labelBudget: queries });
  const segs = Array.from({ length: segments }, (_, i) => hopperSegment(i, true));
  for (let at = 0; at < segs.length; at += 500) project.putSegments(runId, segs.slice(at, at + 500).map((segment) => ({ segment })));
  const all = Array.from({ length: queries }, (_, q) => ({ id: `q-${q}`, ...pairOf(q, segments), askedAtStep: 0 }));
  for (let at = 0; at < all.length; at += 2000) project.putQueries(runId, all.slice(at, at + 2000));
}

/** The segments query q compares (never a segment with itself; `segments` >= 7). */
const pairOf = (q: number, segments: number) => ({ leftId: `seg-${q % segments}`, rightId: `seg-${(q + 1 + (q % 5)) % segments}` });

/** Every acknowledged label stored once, nothing stored that was not acknowledged (a submission whose answer was lost may be stored: counted apart). */
function checkLabels(project: ProjectStore, runId: string, acked: Set<string>): { stored: number; lost: number; duplicated: number } {
  const stored = project.labelsSince(runId, 0);
  const ids = stored.map((l) => l.clientId!);
  const set = new Set(ids);
  return { stored: stored.length, lost: [...acked].filter((id) => !set.has(id)).length, duplicated: ids.length - set.size + (stored.length - new Set(stored.map((l) => l.queryId)).size) };
}

// ---- saturation ----

export interface SaturationRow {
  store: 'sqlite' | 'postgres';
  clipCache: boolean;
  /** How the clips came: inline (base64 in the pair's JSON) or by address (bytes, fetched apart and kept by the client); older rows lack it (inline). */
  clips?: 'inline' | 'by address';
  /** Bytes of response bodies per label: the pair, any clips fetched, the answer's reply. */
  bytesPerLabel?: number;
  labelsPerSecond: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  nextMs: Percentiles;
  submitMs: Percentiles;
}

async function saturate(store: 'sqlite' | 'postgres', clipCache: boolean, annotators: number, labelsEach: number): Promise<SaturationRow> {
  const total = annotators * labelsEach;
  let target: string;
  let drop = async () => {};
  if (store === 'sqlite') target = mkdtempSync(join(tmpdir(), 'overseer-sat-'));
  else {
    const db = await freshDatabase(`sat_${clipCache ? 'cache' : 'plain'}`);
    target = db.url;
    drop = db.drop;
  }
  const project = openProjectAt(locationOf(target));
  // Fewer segments than pairs: a person's clips recur, as a run's recent segments do.
  fillRun(project, 'load', Math.min(total + 1, 600), total);
  const tokens = Array.from({ length: annotators }, (_, i) => project.addAnnotator(`annotator-${i}`).token);
  const server = await startServerThread({ dir: target, host: '127.0.0.1', port: 0, staticDir: null, clipCache });
  const nextMs: number[] = [];
  const submitMs: number[] = [];
  const acked = new Set<string>();
  const t0 = performance.now();
  let bytes = 0;
  let byAddress = false;
  await Promise.all(
    tokens.map(async (token, a) => {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      // What this person's browser keeps: clips fetched by address (immutable).
      const kept = new Set<string>();
      for (let k = 0; k < labelsEach; k++) {
        let t = performance.now();
        const text = await (await fetch(`${server.url}/api/runs/load/next?n=1`, { headers })).text();
        bytes += Buffer.byteLength(text);
        const { queries } = JSON.parse(text) as { queries: { id: string; left: { clip?: string | null }; right: { clip?: string | null } }[] };
        if (queries.length === 0) throw new Error(`annotator ${a} found no pair after ${k} labels`);
        // The pair is in hand once its clips are, as on the page.
        const wanted = [queries[0].left.clip, queries[0].right.clip].filter((c): c is string => typeof c === 'string' && !kept.has(c));
        byAddress ||= wanted.length > 0;
        await Promise.all(
          wanted.map(async (url) => {
            const clip = await fetch(`${server.url}${url}`, { headers });
            if (!clip.ok) throw new Error(`annotator ${a}: GET ${url} answered ${clip.status}`);
            bytes += (await clip.arrayBuffer()).byteLength;
            kept.add(url);
          }),
        );
        nextMs.push(performance.now() - t);
        const clientId = `a${a}-${k}`;
        t = performance.now();
        const res = await fetch(`${server.url}/api/runs/load/labels`, { method: 'POST', headers, body: JSON.stringify({ queryId: queries[0].id, answer: k % 2 ? 'left' : 'right', seconds: 1, clientId }) });
        bytes += (await res.arrayBuffer()).byteLength;
        submitMs.push(performance.now() - t);
        if (res.status === 200) acked.add(clientId);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await server.close();
  const check = checkLabels(project, 'load', acked);
  project.close();
  if (store === 'sqlite') rmSync(target, { recursive: true, force: true });
  await drop();
  return { store, clipCache, clips: byAddress ? 'by address' : 'inline', bytesPerLabel: Math.round(bytes / total), labelsPerSecond: Math.round(acked.size / seconds), acknowledged: acked.size, lost: check.lost, duplicated: check.duplicated, nextMs: percentiles(nextMs), submitMs: percentiles(submitMs) };
}

export async function benchStudySaturation(annotators: number, labelsEach: number, argv: string[]): Promise<void> {
  const loadAverageAtStart = Number(loadavg()[0].toFixed(2));
  const rows: SaturationRow[] = [];
  for (const store of ['sqlite', 'postgres'] as const) {
    for (const clipCache of [false, true]) {
      const r = await saturate(store, clipCache, annotators, labelsEach);
      rows.push(r);
      console.log(`${store} clip cache ${clipCache ? 'on' : 'off'}: ${r.labelsPerSecond} labels/s, next p50 ${r.nextMs.p50} ms p95 ${r.nextMs.p95} ms, ${r.lost} lost, ${r.duplicated} duplicated`);
    }
  }
  writeResult('study-saturation', {
    provenance: provenance(argv),
    annotators,
    labelsEach,
    loadAverageAtStart,
    rows,
    note: 'One app server on its own thread, clients in the main thread of the same process (loopback HTTP/1.1), every client asking again as soon as it is answered: the server saturated. Hopper-sized clips (2100 floats each); 600 segments make the 2000 pairs, so clips recur, as a run\'s recent segments do.',
  });
  writeStudyReport();
}

// ---- paced: many people, several servers ----

export async function benchStudyPaced(servers: number, annotators: number, pace: [number, number], minutes: number, argv: string[]): Promise<void> {
  const db = await freshDatabase('paced');
  const project = new PgProjectStore(db.url);
  // As a run does, the pairs are asked as the study goes: a few per person ahead, topped up.
  const ahead = annotators * 3;
  fillRun(project, 'study', 2000, ahead);
  let asked = ahead;
  const feeder = setInterval(() => {
    if (project.openQueryCount('study') > annotators * 2) return;
    const more = Array.from({ length: annotators }, (_, i) => ({ id: `q-${asked + i}`, ...pairOf(asked + i, 2000), askedAtStep: 0 }));
    project.putQueries('study', more);
    asked += more.length;
  }, 500);
  const tokens = Array.from({ length: annotators }, (_, i) => project.addAnnotator(`person-${i}`).token);
  const threads: ServerThread[] = [];
  for (let i = 0; i < servers; i++) threads.push(await startServerThread({ dir: db.url, host: '127.0.0.1', port: 0, staticDir: null }));
  const loadAverageAtStart = Number(loadavg()[0].toFixed(2));
  const nextMs: number[] = [];
  const submitMs: number[] = [];
  const acked = new Set<string>();
  let failures = 0;
  const stopAt = performance.now() + minutes * 60_000;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const t0 = performance.now();
  await Promise.all(
    tokens.map(async (token, a) => {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      // People arrive over the first pace interval, not all in the same millisecond.
      await sleep(Math.random() * pace[1] * 1000);
      for (let k = 0; performance.now() < stopAt; k++) {
        const base = threads[(a + k) % servers].url;
        let t = performance.now();
        const res = await fetch(`${base}/api/runs/study/next?n=1`, { headers }).catch(() => null);
        if (!res?.ok) {
          failures += 1;
          await sleep(1000);
          continue;
        }
        const { queries } = (await res.json()) as { queries: { id: string }[] };
        nextMs.push(performance.now() - t);
        if (queries.length === 0) throw new Error(`person ${a} found no pair`);
        // A person watches the clips and decides.
        await sleep((pace[0] + Math.random() * (pace[1] - pace[0])) * 1000);
        const clientId = `p${a}-${k}`;
        const body = JSON.stringify({ queryId: queries[0].id, answer: k % 2 ? 'left' : 'right', seconds: pace[0], clientId });
        for (let attempt = 0; ; attempt++) {
          t = performance.now();
          const post = await fetch(`${threads[(a + k + 1) % servers].url}/api/runs/study/labels`, { method: 'POST', headers, body }).catch(() => null);
          if (post) await post.arrayBuffer();
          if (post?.status === 200) {
            submitMs.push(performance.now() - t);
            acked.add(clientId);
            break;
          }
          failures += 1;
          if (attempt >= 5) break;
          await sleep(500);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(feeder);
  for (const t of threads) await t.close();
  const check = checkLabels(project, 'study', acked);
  project.close();
  await db.drop();
  const result = {
    provenance: provenance(argv),
    servers,
    annotators,
    paceSeconds: pace,
    minutes,
    seconds: Number(seconds.toFixed(1)),
    acknowledged: acked.size,
    labelsPerSecond: Number((acked.size / seconds).toFixed(1)),
    stored: check.stored,
    lost: check.lost,
    duplicated: check.duplicated,
    failedRequests: failures,
    nextMs: percentiles(nextMs),
    submitMs: percentiles(submitMs),
    loadAverageAtStart,
    pairsAsked: asked,
    note: `${servers} app servers (each on its own thread with its own PostgreSQL connections) on one database, ${annotators} people in the main thread of the same process, each asking for a pair, taking ${pace[0]}-${pace[1]} s, answering, alternating servers; Hopper-sized clips. Pairs are asked as the study goes (about ${annotators * 2}-${annotators * 3} open at a time, as a run keeps a few per person ahead). The goal: p95 time to the next pair <= 100 ms, nothing lost or duplicated.`,
  };
  writeResult('study-paced', result);
  console.log(`${servers} servers, ${annotators} people for ${minutes} min: ${acked.size} labels (${result.labelsPerSecond}/s), next p50 ${result.nextMs.p50} ms p95 ${result.nextMs.p95} ms p99 ${result.nextMs.p99} ms; ${check.lost} lost, ${check.duplicated} duplicated, ${failures} failed requests`);
  writeStudyReport();
}

// ---- faults: PostgreSQL restarted mid-run ----

export async function benchStudyFaults(restartCommand: string, argv: string[]): Promise<void> {
  const db = await freshDatabase('faults');
  const setup = new PgProjectStore(db.url);
  const people = ['ada', 'bo', 'cy'].map((name) => setup.addAnnotator(name).token);
  setup.addAnnotator('boss', 'admin');
  setup.close();
  const out = mkdtempSync(join(tmpdir(), 'overseer-faults-'));
  const budget = 60;
  const run = runCli(['prefs', '--env', 'Pendulum-v1', '--teacher', 'human', '--db', db.url, '--label-budget', String(budget), '--undo-seconds', '0', '--steps', '98304', '--eval-episodes', '1', '--rm', 'ensembleSize=2', '--port', '0', '--out', join(out, 'pend'), '--no-progress'], { stdout: () => {}, stderr: (s) => void process.stderr.write(s), isTTY: false });
  let finished = false;
  let code: number | null = null;
  void run.then((c) => {
    finished = true;
    code = c;
  });
  const servers = [await startServerThread({ dir: db.url, host: '127.0.0.1', port: 0, staticDir: null }), await startServerThread({ dir: db.url, host: '127.0.0.1', port: 0, staticDir: null })];
  const acked = new Set<string>();
  let failures = 0;
  let restartedAt: number | null = null;
  let restartSeconds = 0;
  const t0 = performance.now();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const restart = (async () => {
    while (acked.size < 15 && !finished) await sleep(50);
    restartedAt = (performance.now() - t0) / 1000;
    const t = performance.now();
    // Not execSync: the people and the run (this thread) keep going while the server is down.
    await new Promise<void>((done, fail) => {
      const child = spawn('sh', ['-c', restartCommand], { stdio: 'inherit' });
      child.once('error', fail);
      child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`${restartCommand} exited ${code}`))));
    });
    restartSeconds = (performance.now() - t) / 1000;
    console.log(`PostgreSQL restarted at ${restartedAt.toFixed(1)} s (took ${restartSeconds.toFixed(1)} s) with ${acked.size} labels acknowledged`);
  })();
  await Promise.all(
    people.map(async (token, i) => {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      for (let k = 0; !finished; k++) {
        const res = await fetch(`${servers[(i + k) % 2].url}/api/runs/pend/next?n=1`, { headers }).catch(() => null);
        const q = res?.ok ? ((await res.json()) as { queries: { id: string }[] }).queries[0] : undefined;
        if (!res?.ok) failures += 1;
        if (!q) {
          await sleep(200);
          continue;
        }
        // As the page does: the same client id until the server has committed the answer.
        const body = JSON.stringify({ queryId: q.id, answer: k % 2 ? 'left' : 'right', seconds: 0.3, clientId: `${i}-${k}` });
        for (;;) {
          const post = await fetch(`${servers[(i + k + 1) % 2].url}/api/runs/pend/labels`, { method: 'POST', headers, body }).catch(() => null);
          if (post) await post.arrayBuffer();
          if (post?.status === 200) {
            acked.add(`${i}-${k}`);
            break;
          }
          if (post?.status === 409 || finished) break;
          failures += 1;
          await sleep(300);
        }
        await sleep(100);
      }
    }),
  );
  await restart;
  await run;
  for (const s of servers) await s.close();
  const check = new PgProjectStore(db.url);
  const labels = checkLabels(check, 'pend', acked);
  const runRecord = check.getRun('pend');
  check.close();
  const summary = existsSync(join(out, 'pend', 'summary.json')) ? (JSON.parse(readFileSync(join(out, 'pend', 'summary.json'), 'utf8')) as { status?: string }) : null;
  await db.drop();
  const result = {
    provenance: provenance(argv),
    restartCommand,
    restartedAtSeconds: restartedAt,
    restartSeconds: Number(restartSeconds.toFixed(1)),
    runExitCode: code,
    runStatus: summary?.status ?? null,
    runFinishedInDatabase: runRecord?.finishedAt !== null,
    acknowledged: acked.size,
    ...labels,
    failedRequests: failures,
    note: 'A prefs --teacher human --db run (Pendulum-v1, 60 labels) and two app servers on one PostgreSQL; three scripted people label through both servers, retrying a refused or failed submission with the same client id as the page does; PostgreSQL is restarted once 15 labels are in.',
  };
  writeResult('study-faults', result);
  console.log(`run exit ${code} (${summary?.status}); ${acked.size} acknowledged, ${labels.stored} stored, ${labels.lost} lost, ${labels.duplicated} duplicated; ${failures} failed requests during the restart`);
  rmSync(out, { recursive: true, force: true });
  writeStudyReport();
}

// ---- migration of a committed-size project ----

export async function benchStudyMigrate(argv: string[]): Promise<void> {
  // The committed 1400-label Hopper run's size (bench/results/prefs.json: 1400 labels; its segments are 60 steps).
  const labels = 1400;
  const dir = mkdtempSync(join(tmpdir(), 'overseer-migrate-'));
  const source = openSqliteProject(dir);
  fillRun(source, 'hopper', 2 * labels, labels);
  source.addAnnotator('ada');
  for (let k = 0; k < labels; k++) source.putLabel('hopper', { queryId: `q-${k}`, ...pairOf(k, 2 * labels), answer: k % 2 ? 'left' : 'right', teacher: 'oracle', seconds: null, receivedAtStep: k, createdAt: new Date(0).toISOString() });
  for (let k = 0; k < 100; k++) source.appendMetrics('hopper', { envSteps: k * 10_000, trueReturn: k });
  const dbBytes = Number(execSync(`du -sb ${join(dir, 'overseer.db')}`).toString().split('\t')[0]);
  const db = await freshDatabase('migrate');
  let t = performance.now();
  const target = new PgProjectStore(db.url);
  const openPg = (performance.now() - t) / 1000;
  t = performance.now();
  const there = moveProject(source, target);
  const toPg = (performance.now() - t) / 1000;
  const homeDir = mkdtempSync(join(tmpdir(), 'overseer-home-'));
  const home = openSqliteProject(homeDir);
  t = performance.now();
  const back = moveProject(target, home);
  const toSqlite = (performance.now() - t) / 1000;
  home.close();
  target.close();
  source.close();
  // Startup: opening the moved project as a server would (a fresh connection and its migrations check).
  t = performance.now();
  openSqliteProject(homeDir).close();
  const openSqlite = (performance.now() - t) / 1000;
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(homeDir, { recursive: true, force: true });
  const result = {
    provenance: provenance(argv),
    labels,
    rows: there.rows,
    sqliteBytes: dbBytes,
    seconds: { sqliteToPostgres: Number(toPg.toFixed(2)), postgresToSqlite: Number(toSqlite.toFixed(2)), openPostgres: Number(openPg.toFixed(2)), openSqlite: Number(openSqlite.toFixed(3)) },
    differences: { sqliteToPostgres: there.differences, postgresToSqlite: back.differences },
    note: 'A SQLite project the size of the committed 1400-label Hopper run (2800 Hopper-sized segments with observations, actions and render states; 1400 queries and labels; 100 metrics rows), moved to an empty PostgreSQL database and back, each copy compared with its source table by table (the time includes the check). "open": a new store on the moved project (PostgreSQL: its thread, connection and schema check).',
  };
  writeResult('study-migrate', result);
  console.log(`${labels}-label project (${(dbBytes / 2 ** 20).toFixed(1)} MiB): SQLite → PostgreSQL ${toPg.toFixed(1)} s, back ${toSqlite.toFixed(1)} s; differences ${there.differences.length + back.differences.length}`);
  writeStudyReport();
}

// ---- the report ----

export function writeStudyReport(): void {
  const read = (name: string) => {
    const p = join(RESULTS_DIR, `study-${name}.json`);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Record<string, any>) : null;
  };
  const lines = ['# A labelling study beyond one machine', '', 'Made by `bench/study.ts`; each section names its command, commit and machine.', ''];
  const sat = read('saturation');
  if (sat) {
    lines.push('## Saturation: labels per second per app server', '', `\`${sat.provenance.command}\` (${sat.provenance.gitCommit}, ${sat.provenance.date.slice(0, 10)}; ${sat.annotators} annotators x ${sat.labelsEach} labels, load average ${sat.loadAverageAtStart} at the start)`, '');
    lines.push('| store | commit | server calls to the store | clips | server clip cache | labels/s | next pair p50 / p95 ms | submit p50 / p95 ms | KiB per label | lost | duplicated |', '|---|---|---|---|---|---:|---:|---:|---:|---:|---:|');
    const blocking = read('saturation-blocking');
    // Clips by address (391e55f, reverted): measured beside the clips inline, then left out.
    const byAddress = read('saturation-by-address');
    const row = (r: SaturationRow, commit: string, calls: string) =>
      `| ${r.store} | ${commit} | ${calls} | ${r.clips ?? 'inline'} | ${r.clipCache ? 'on' : 'off'} | ${r.labelsPerSecond} | ${r.nextMs.p50} / ${r.nextMs.p95} | ${r.submitMs.p50} / ${r.submitMs.p95} | ${r.bytesPerLabel === undefined ? '' : (r.bytesPerLabel / 1024).toFixed(1)} | ${r.lost} | ${r.duplicated} |`;
    const calls = (r: SaturationRow) => (r.store === 'postgres' ? 'side by side' : 'in place (SQLite)');
    for (const store of ['sqlite', 'postgres'] as const) {
      if (store === 'postgres') for (const r of (blocking?.rows ?? []) as SaturationRow[]) if (r.store === store) lines.push(row(r, blocking!.provenance.gitCommit, 'blocking'));
      for (const r of sat.rows as SaturationRow[]) if (r.store === store) lines.push(row(r, sat.provenance.gitCommit, calls(r)));
      for (const r of (byAddress?.rows ?? []) as SaturationRow[]) if (r.store === store) lines.push(row(r, byAddress!.provenance.gitCommit, calls(r)));
    }
    lines.push(
      '',
      sat.note,
      'Blocking: before the server awaited PostgreSQL, each store call held the server until it was answered (bridge.ts, synchronous); side by side: the server awaits the per-request calls, which the store thread answers on several connections at once.',
      `Clips inline (what the server does): each pair's JSON carries both clips as base64 of their float32 render states, each encoded once per segment and view and kept ("server clip cache"). By address (391e55f, measured right after, load average ${byAddress?.loadAverageAtStart ?? '?'} at its start, and reverted): the pair names each clip's address and the client fetches the bytes (little-endian float32) once, keeping them as a browser does (Cache-Control immutable), so a clip that comes back is not sent again: a third fewer bytes per label, but two more requests per pair, each with its token check and run lookup, which cost the server more than the base64 in JSON did. "next pair" is until the pair and its clips are in hand. Before the SQLite store kept its count of people's answers (fefae73, one run at load 2.1): SQLite 453 / 484 labels/s.`,
      '',
    );
  }
  const paced = read('paced');
  if (paced) {
    lines.push(`## ${paced.servers} app servers, ${paced.annotators} people at a person's pace`, '', `\`${paced.provenance.command}\` (${paced.provenance.gitCommit}, ${paced.provenance.date.slice(0, 10)})`, '');
    lines.push('| | value | goal |', '|---|---:|---|');
    lines.push(`| time to the next pair, p50 / p95 / p99 | ${paced.nextMs.p50} / ${paced.nextMs.p95} / ${paced.nextMs.p99} ms | p95 <= 100 ms |`);
    lines.push(`| submit, p50 / p95 / p99 | ${paced.submitMs.p50} / ${paced.submitMs.p95} / ${paced.submitMs.p99} ms | |`);
    lines.push(`| labels acknowledged (per second) | ${paced.acknowledged} (${paced.labelsPerSecond}) over ${paced.seconds} s | |`);
    lines.push(`| lost / duplicated | ${paced.lost} / ${paced.duplicated} | 0 / 0 |`, `| failed requests | ${paced.failedRequests} | |`, '', paced.note, '');
    const recounting = read('paced-recounting');
    if (recounting) lines.push(`Before people's answers were counted as they come (${recounting.provenance.gitCommit}; every response counted the run's labels again, 8 ms at 17,000): next pair p50 / p95 / p99 ${recounting.nextMs.p50} / ${recounting.nextMs.p95} / ${recounting.nextMs.p99} ms, ${recounting.acknowledged} labels (${recounting.labelsPerSecond}/s), ${recounting.lost} lost, ${recounting.duplicated} duplicated.`, '');
    const before = read('paced-blocking');
    if (before) lines.push(`Before the server stopped blocking on PostgreSQL and before handing out pairs stopped taking the run's lock (${before.provenance.gitCommit}; also with every pair asked up front, about ${Math.round((before.annotators * before.minutes * 60 * 1.3) / 3 / 1000)}k open, where the run above asks them as it goes): next pair p50 / p95 / p99 ${before.nextMs.p50} / ${before.nextMs.p95} / ${before.nextMs.p99} ms, ${before.acknowledged} labels (${before.labelsPerSecond}/s), ${before.lost} lost, ${before.duplicated} duplicated.`, '');
  }
  const faults = read('faults');
  if (faults) {
    lines.push('## PostgreSQL restarted mid-run', '', `\`${faults.provenance.command}\` (${faults.provenance.gitCommit}, ${faults.provenance.date.slice(0, 10)}; \`${faults.restartCommand}\`)`, '');
    lines.push(`Restarted at ${faults.restartedAtSeconds?.toFixed?.(1)} s (the restart took ${faults.restartSeconds} s). The run exited ${faults.runExitCode} (${faults.runStatus}); ${faults.acknowledged} labels acknowledged, ${faults.stored} stored, **${faults.lost} lost, ${faults.duplicated} duplicated**; ${faults.failedRequests} requests failed (store calls that found the database gone wait for it, up to 45 s, and go through once it is back: src/store/postgres/reconnect.ts).`, '', faults.note, '');
  }
  const mig = read('migrate');
  if (mig) {
    lines.push('## Moving a committed-size project', '', `\`${mig.provenance.command}\` (${mig.provenance.gitCommit}, ${mig.provenance.date.slice(0, 10)})`, '');
    lines.push(`${mig.labels} labels, ${(mig.sqliteBytes / 2 ** 20).toFixed(1)} MiB of SQLite: to PostgreSQL in ${mig.seconds.sqliteToPostgres} s, back to SQLite in ${mig.seconds.postgresToSqlite} s (each with its check); opening it: PostgreSQL ${mig.seconds.openPostgres} s, SQLite ${mig.seconds.openSqlite} s. Differences found: ${mig.differences.sqliteToPostgres.length + mig.differences.postgresToSqlite.length}.`, '', mig.note, '');
  }
  writeFileSync(join(RESULTS_DIR, 'study.md'), `${lines.join('\n')}\n`);
}
