/**
 * `npm run bench -- person`: a person labeling a `--teacher human` run at a steady pace, played
 * by a script over the labeling server's HTTP API (loopback), with the run as a user starts it
 * and, side by side, with the run not waiting for people (the behaviour before it did). Records
 * how far the run was when the first label came, how many labels people gave, and how long it
 * took. Writes bench/results/person.{json,md}.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProject } from '../src/store/sqlite.js';
import { RESULTS_DIR, provenance, writeResult, type Provenance } from './machine.js';
import { ROOT, readMetrics } from './train.js';

interface PersonRun {
  env: string;
  steps: number;
  labelBudget: number;
  secondsPerLabel: number;
  /** Seconds from the link being printed to the person's first look (opening the page, reading the instructions). */
  startDelay: number;
  /** 'paced': the defaults of `--teacher human`; 'unpaced': waitForInitialLabels off and no --max-pending. */
  mode: 'paced' | 'unpaced';
  /** Env steps when the first label from a person was stored, as a fraction of the run. */
  firstLabelAt: number | null;
  /** Env steps of the initial policy's segments (RL starts after them), as a fraction of the run. */
  rlStartsAt: number;
  peopleLabels: number;
  wallSeconds: number;
  evalMean: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function personRun(env: string, steps: number, labelBudget: number, secondsPerLabel: number, startDelay: number, mode: PersonRun['mode']): Promise<PersonRun> {
  const dir = mkdtempSync(join(tmpdir(), 'overseer-person-'));
  const out = join(dir, 'run');
  const args = ['prefs', '--env', env, '--teacher', 'human', '--label-budget', String(labelBudget), '--steps', String(steps), '--port', '0', '--eval-episodes', '3', '--out', out, '--no-progress'];
  if (mode === 'unpaced') {
    writeFileSync(join(dir, 'unpaced.json'), JSON.stringify({ waitForInitialLabels: false, maxPendingLabels: null }));
    args.push('--config', join(dir, 'unpaced.json'));
  }
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  let exited = false;
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => ((exited = true), r(code))));
  while (!/label segments at (\S+)/.test(stdout)) {
    if (exited) throw new Error(`overseer ${args.join(' ')} exited: ${stderr}`);
    await sleep(50);
  }
  const link = new URL(/label segments at (\S+)/.exec(stdout)![1]);
  const token = link.searchParams.get('token')!;
  const runId = link.searchParams.get('run')!;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = `${link.origin}/api/runs/${encodeURIComponent(runId)}`;
  await sleep(startDelay * 1000);
  // The person: looks for a pair, takes `secondsPerLabel` to judge it, answers; again until the run ends.
  let k = 0;
  while (!exited) {
    let queries: { id: string }[] = [];
    try {
      queries = ((await (await fetch(`${api}/next?n=1`, { headers })).json()) as { queries?: { id: string }[] }).queries ?? [];
    } catch {
      break; // the server has gone: the run is over
    }
    if (queries.length === 0) {
      await sleep(250);
      continue;
    }
    await sleep(secondsPerLabel * 1000);
    try {
      await fetch(`${api}/labels`, { method: 'POST', headers, body: JSON.stringify({ queryId: queries[0].id, answer: k % 2 ? 'left' : 'right', seconds: secondsPerLabel, clientId: `p-${k}` }) });
    } catch {
      break;
    }
    k += 1;
  }
  const code = await exit;
  if (code !== 0) throw new Error(`overseer ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  const wallSeconds = (performance.now() - t0) / 1000;
  const project = openProject(out);
  const people = project.labelsSince(runId, 0).filter((l) => l.clientId !== null);
  project.close();
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { prefs: { totalTimesteps: number } };
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { eval?: { mean: number } };
  const metrics = readMetrics<{ envSteps: number; ppoStep: number }>(out);
  const initialSteps = metrics.length > 0 ? metrics[0].envSteps - metrics[0].ppoStep : 0;
  const total = config.prefs.totalTimesteps;
  return {
    env,
    steps,
    labelBudget,
    secondsPerLabel,
    startDelay,
    mode,
    firstLabelAt: people.length > 0 ? Math.min(...people.map((l) => l.receivedAtStep)) / total : null,
    rlStartsAt: initialSteps / total,
    peopleLabels: people.length,
    wallSeconds: Number(wallSeconds.toFixed(1)),
    evalMean: summary.eval?.mean ?? null,
  };
}

export async function benchPerson(envs: { env: string; steps: number; labelBudget: number }[], secondsPerLabel: number, startDelay: number, argv: string[]): Promise<void> {
  const runs: PersonRun[] = [];
  for (const { env, steps, labelBudget } of envs) {
    for (const mode of ['paced', 'unpaced'] as const) {
      const r = await personRun(env, steps, labelBudget, secondsPerLabel, startDelay, mode);
      console.log(`${env} ${mode}: first label at ${r.firstLabelAt === null ? '-' : `${(100 * r.firstLabelAt).toFixed(1)}%`} of the run (RL from ${(100 * r.rlStartsAt).toFixed(1)}%), ${r.peopleLabels} of ${labelBudget} labels from the person, ${r.wallSeconds} s`);
      runs.push(r);
    }
  }
  const prov = provenance(argv);
  writeResult('person', { provenance: prov, runs });
  writeFileSync(join(RESULTS_DIR, 'person.md'), personMarkdown(prov, runs));
}

function personMarkdown(p: Provenance, runs: PersonRun[]): string {
  const pct = (x: number | null) => (x === null ? 'no label' : `${(100 * x).toFixed(1)}%`);
  return [
    '# A person labeling a run',
    '',
    `\`${p.command}\` at ${p.gitCommit ?? '?'}, ${p.date.slice(0, 10)}; ${p.machine.cpu}, ${p.machine.cores} cores, Node ${p.machine.node}.`,
    '',
    'A script plays a person: it opens the page a few seconds after the link is printed, fetches a pair, takes a fixed time to judge it, answers, and goes on until the run ends (HTTP on loopback, as the labeling page does). "paced" is `overseer prefs --teacher human` as it starts now: RL waits for the initial labels, and then whenever more than 20 answers are outstanding (`--max-pending`). "unpaced" turns both off, as runs behaved before.',
    '',
    '| env | steps | budget | seconds per label | first look after | run | first label at (of the run) | RL starts at | labels from the person | wall time | eval return |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.env} | ${r.steps} | ${r.labelBudget} | ${r.secondsPerLabel} | ${r.startDelay} s | ${r.mode} | ${pct(r.firstLabelAt)} | ${pct(r.rlStartsAt)} | ${r.peopleLabels} | ${r.wallSeconds} s | ${r.evalMean?.toFixed(1) ?? '-'} |`),
    '',
  ].join('\n');
}
