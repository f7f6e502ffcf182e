/**
 * Benchmarks. `npm run bench -- <nn|ppo-speed|learn|baselines|prefs|prefs-speed|labels-load|startup|debate-speed|report|all> [options]`.
 * Each writes bench/results/<name>.json with the command, commit and machine, and
 * regenerates bench/results/README.md from every JSON file there.
 */
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import '../src/envs/builtins.js';
import { makeVec } from '../src/envs/vector/make.js';
import { registration } from '../src/envs/registry.js';
import { Adam, type AdamBackend } from '../src/nn/adam.js';
import { mseLoss } from '../src/nn/losses.js';
import { Mlp } from '../src/nn/mlp.js';
import { RewardModel } from '../src/prefs/rewardModel.js';
import type { ParamGroup } from '../src/nn/params.js';
import { evaluatePolicy } from '../src/rl/evaluate.js';
import { trainPpo } from '../src/rl/ppo.js';
import { ppoPreset } from '../src/rl/presets.js';
import { Rng } from '../src/utils/rng.js';
import { nonNegativeInt, positiveInt } from '../src/cli/parse.js';
import { provenance, writeResult } from './machine.js';
import { BASELINE_TARGETS, benchBaselines } from './baselines.js';
import { writeReport } from './report.js';
import { VARIANTS, benchPrefs, loadResults as loadPrefsResults, writePrefsResults } from './prefs.js';
import { benchLabelsLoad } from './labelsLoad.js';
import { benchStartup } from './startup.js';
import { benchThreads } from './threads.js';
import { benchPrefsSpeed } from './prefsSpeed.js';
import { benchRecheck } from './recheck.js';
import { benchContention } from './contention.js';
import { benchMinAtarRandom } from './minatarRandom.js';
import { benchPerson } from './person.js';
import { benchConv } from './conv.js';
import { minatarClip } from './minatarClip.js';
import { benchSeaquest } from './minatarSeaquest.js';
import { GAMES as MINATAR_GAMES, VARIANTS as MINATAR_VARIANTS, benchMinatar, cellsOf, loadMinatar, writeMinatar, type MinAtarVariant } from './minatar.js';
import { ROOT, learningCurve, pool, readSummary, runTrain } from './train.js';

const argv = process.argv.slice(2);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs `fn` `iters` times per repeat and returns the median microseconds per call. */
function timeMicros(fn: () => void, iters: number, repeats = 7, warmup = iters): number {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    for (let i = 0; i < iters; i++) fn();
    samples.push(((performance.now() - t) * 1000) / iters);
  }
  return median(samples);
}

function benchNn() {
  const rng = new Rng(0);
  const net = new Mlp({ sizes: [11, 64, 64, 1], activation: 'tanh' }).init(rng, { scheme: 'orthogonal', gain: Math.SQRT2 });
  const x = Float32Array.from({ length: 11 }, () => rng.normal());
  const out = new Float32Array(1);
  const forward1 = timeMicros(() => net.predict(x, out), 100_000);
  const adamStep = (batch: number) => {
    const opt = new Adam([net], { lr: 1e-4 });
    const xb = Float32Array.from({ length: batch * 11 }, () => rng.normal());
    const yb = Float32Array.from({ length: batch }, () => rng.normal());
    const g = new Float32Array(batch);
    return timeMicros(() => {
      net.zeroGrad();
      const y = net.forward(xb, batch);
      mseLoss(y, yb, batch, g);
      net.backward(g);
      opt.step();
    }, 500);
  };
  const adam64 = adamStep(64);
  const adam256 = adamStep(256);
  // Adam alone over PPO's Reacher-v5 agent: actor 10-64-64-2, critic 10-64-64-1, log-std 2 (9925 params).
  const adamOnly = (backend: AdamBackend) => {
    const agentRng = new Rng(1);
    const hidden = { scheme: 'orthogonal', gain: Math.SQRT2 } as const;
    const groups: ParamGroup[] = [
      new Mlp({ sizes: [10, 64, 64, 2], activation: 'tanh' }).init(agentRng, hidden),
      new Mlp({ sizes: [10, 64, 64, 1], activation: 'tanh' }).init(agentRng, hidden),
      { params: new Float32Array(2), grads: new Float32Array(2) },
    ];
    for (const { grads } of groups) for (let i = 0; i < grads.length; i++) grads[i] = 1e-3 * agentRng.normal();
    const opt = new Adam(groups, { lr: 3e-4, eps: 1e-5, backend });
    return timeMicros(() => opt.step(), 2000);
  };
  const adamJs = adamOnly('js');
  const adamWasm = adamOnly('wasm');
  // The learned reward during a rollout: the 3-member ensemble (Reacher-v5: 10 obs + 2 action
  // inputs, 64-64 leaky ReLU) is asked for each vector step's 2 rows; asked once for a whole
  // 2048-row rollout instead, what would batching (fusing) the rollout's inference save?
  const rm = new RewardModel(10, 2, {}, new Rng(2));
  const rmObs = Float32Array.from({ length: 2048 * 10 }, () => rng.normal());
  const rmAct = Float32Array.from({ length: 2048 * 2 }, () => rng.normal());
  const rmOut = new Float64Array(3 * 2048);
  const rmStep = timeMicros(() => rm.memberRewards(rmObs, rmAct, 2, rmOut), 20_000);
  const rmRollout = timeMicros(() => rm.memberRewards(rmObs, rmAct, 2048, rmOut), 50) / 1024;
  const rows = [
    { name: 'batch-1 forward, 11-64-64-1 tanh (predict)', micros: forward1, target: '<= 8 us', pass: forward1 <= 8 },
    { name: 'batch-64 Adam step (forward + MSE + backward + Adam)', micros: adam64, target: '<= 1000 us', pass: adam64 <= 1000 },
    { name: 'batch-256 Adam step', micros: adam256, target: 'reference: 2700 us (DEVELOPERS.md)', pass: null },
    { name: 'Adam step alone, 9925 params (Reacher-v5 PPO agent), JS', micros: adamJs, target: 'reference for the WASM row', pass: null },
    { name: 'Adam step alone, 9925 params (Reacher-v5 PPO agent), WASM', micros: adamWasm, target: 'faster than JS, same bits', pass: adamWasm < adamJs },
    { name: 'learned reward of one vector step (3 members, 2 rows, Reacher-v5 sizes)', micros: rmStep, target: 'reference: the rollout asks this per step', pass: null },
    { name: 'learned reward per 2 rows, asked once for a 2048-row rollout', micros: rmRollout, target: 'what batching the rollout inference would cost instead', pass: null },
  ];
  const result = { provenance: provenance(argv), network: '11-64-64-1 tanh, float32', rows };
  console.log(rows.map((r) => `${r.name}: ${r.micros.toFixed(2)} us (${r.target})`).join('\n'));
  return writeResult('nn', result);
}

async function benchPpoSpeed(steps: number, seed: number) {
  // Raw env stepping through the same sync vector env PPO uses, random actions.
  const preset = ppoPreset('CartPole-v1');
  const numEnvs = preset.numEnvs ?? 8;
  const vec = makeVec('CartPole-v1', { numEnvs });
  const rng = new Rng(seed);
  vec.reset({ seed });
  const actions = new Float64Array(numEnvs);
  let t = performance.now();
  for (let s = 0; s < steps; s += numEnvs) {
    for (let e = 0; e < numEnvs; e++) actions[e] = rng.integer(2);
    vec.step(actions);
  }
  const rawSeconds = (performance.now() - t) / 1000;
  vec.close();

  t = performance.now();
  const r = await trainPpo({ ...preset, envId: 'CartPole-v1', seed, totalTimesteps: steps });
  const ppoSeconds = (performance.now() - t) / 1000;
  const ev = evaluatePolicy(r.agent, 'CartPole-v1', { episodes: 10, seed: 1_000_000 + seed, deterministic: true });
  const result = {
    provenance: provenance(argv),
    env: 'CartPole-v1',
    seed,
    steps: r.globalStep,
    config: 'src/rl/presets.ts CartPole-v1',
    rawVectorEnv: { numEnvs, seconds: rawSeconds, stepsPerSecond: Math.round(steps / rawSeconds) },
    ppo: { seconds: ppoSeconds, stepsPerSecond: Math.round(r.globalStep / ppoSeconds), target: '< 60 s', pass: ppoSeconds < 60 },
    evalMeanReturn: ev.mean,
  };
  console.log(`raw vector env: ${result.rawVectorEnv.stepsPerSecond} steps/s; PPO end to end: ${ppoSeconds.toFixed(1)} s (${result.ppo.stepsPerSecond} steps/s), eval ${ev.mean}`);
  return writeResult('ppo-speed', result);
}

interface SeedOutcome {
  seed: number;
  evalMean: number;
  evalStd: number;
  trainSeconds: number;
  steps: number;
  curve: [number, number][];
}

async function benchLearn(env: string, seeds: number[], steps: number, parallel: number, episodes: number, hp: string[] = [], name?: string) {
  const threshold = registration(env).rewardThreshold;
  const outcomes: SeedOutcome[] = [];
  await pool(seeds, parallel, async (seed) => {
    const out = join(ROOT, 'bench', 'runs', name ?? env, `seed${seed}`);
    rmSync(out, { recursive: true, force: true });
    await runTrain(env, seed, steps, out, episodes, hp);
    const summary = readSummary(out)!;
    outcomes.push({ seed, evalMean: summary.eval!.mean, evalStd: summary.eval!.std, trainSeconds: summary.trainSeconds, steps: summary.globalStep, curve: learningCurve(out, 1, 20) });
    console.log(`${env} seed ${seed}: eval ${summary.eval!.mean.toFixed(1)} +- ${summary.eval!.std.toFixed(1)} in ${summary.trainSeconds.toFixed(1)} s`);
  });
  outcomes.sort((a, b) => a.seed - b.seed);
  const passes = threshold === undefined ? null : outcomes.filter((o) => o.evalMean >= threshold).length;
  const result = {
    provenance: provenance(argv),
    env,
    steps,
    evalEpisodes: episodes,
    evaluation: 'deterministic policy, episode k reset with seed 1000000 + trainSeed + k',
    config: `src/rl/presets.ts ${env}${hp.length ? ` with --hp ${hp.join(' --hp ')}` : ''}`,
    parallelProcesses: parallel,
    threshold: threshold ?? null,
    passes,
    seeds: outcomes,
  };
  console.log(`${env}: ${passes ?? '-'} / ${seeds.length} seeds reach ${threshold}`);
  return writeResult(name ?? `learn-${env}`, result);
}

const program = new Command('bench').description('Overseer benchmarks; results go to bench/results/.');
program.command('nn').description('network forward and Adam-step timings').action(() => {
  benchNn();
  writeReport();
});
program
  .command('ppo-speed')
  .description('CartPole PPO end to end against raw vector-env stepping')
  .option('--steps <n>', 'env steps', positiveInt, 100_000)
  .option('--seed <n>', 'seed', positiveInt, 1)
  .action(async (o: { steps: number; seed: number }) => {
    await benchPpoSpeed(o.steps, o.seed);
    writeReport();
  });
program
  .command('learn')
  .description('train several seeds with the CLI and evaluate them')
  .requiredOption('--env <id>', 'env id')
  .option('--seeds <list>', 'comma-separated seeds', '1,2,3,4,5')
  .option('--steps <n>', 'env steps per seed (default: the preset)', positiveInt)
  .option('--parallel <n>', 'seeds trained at once', positiveInt, 2)
  .option('--episodes <n>', 'evaluation episodes per seed', positiveInt, 10)
  .option('--hp <key=value>', 'PPO option override passed to train (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--name <name>', 'result name (default learn-<env>)')
  .action(async (o: { env: string; seeds: string; steps?: number; parallel: number; episodes: number; hp?: string[]; name?: string }) => {
    const seeds = o.seeds.split(',').map((s) => positiveInt(s.trim()));
    const steps = o.steps ?? ppoPreset(o.env).totalTimesteps;
    if (steps === undefined) throw new Error(`--steps is needed: ${o.env} has no preset`);
    await benchLearn(o.env, seeds, steps, o.parallel, o.episodes, o.hp ?? [], o.name);
    writeReport();
  });
program
  .command('baselines')
  .description('true-reward PPO on the MuJoCo tasks, with raw-physics throughput beside it (resumable)')
  .option('--env <list>', 'comma-separated env ids', Object.keys(BASELINE_TARGETS).join(','))
  .option('--steps <n>', 'env steps per seed', positiveInt, 1_000_000)
  .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
  .option('--parallel <n>', 'seeds trained at once (each already uses both cores)', positiveInt, 1)
  .option('--episodes <n>', 'evaluation episodes per seed', positiveInt, 10)
  .option('--raw-steps <n>', 'env steps for the raw throughput measurement', positiveInt, 50_000)
  .action(async (o: { env: string; steps: number; seeds: string; parallel: number; episodes: number; rawSteps: number }) => {
    const envs = o.env.split(',').map((e) => e.trim());
    const seeds = o.seeds.split(',').map((s) => positiveInt(s.trim()));
    await benchBaselines(envs, o.steps, seeds, o.parallel, o.episodes, o.rawSteps, argv);
    writeReport();
  });
program
  .command('prefs')
  .description('preference learning against true-reward PPO on the MuJoCo tasks (resumable; true-reward side from baselines.json)')
  .option('--env <list>', 'comma-separated env ids', Object.keys(BASELINE_TARGETS).join(','))
  .option('--variants <list>', `comma-separated: ${Object.keys(VARIANTS).join(', ')}`, Object.keys(VARIANTS).join(','))
  .option('--labels <list>', 'only these label budgets (default: each variant\'s own)')
  .option('--steps <n>', 'env steps per run', positiveInt, 1_000_000)
  .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
  .option('--episodes <n>', 'evaluation episodes per run', positiveInt, 10)
  .option('--parallel <n>', 'runs at a time, each on one thread (OVERSEER_THREADS=1; same numbers)', positiveInt, availableParallelism())
  .option('--db <url>', 'instead of running them here, put the missing runs in the job queue of this PostgreSQL database (overseer worker --db runs them on any machines; prefs-report --db collects them)')
  .option('--rerun', 'train the selected cells again with this code even where prefs.json holds them (regenerating the table at one commit)', false)
  .action(async (o: { env: string; variants: string; labels?: string; steps: number; seeds: string; episodes: number; parallel: number; db?: string; rerun: boolean }) => {
    const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
    await benchPrefs(list(o.env), list(o.variants), list(o.seeds).map(positiveInt), o.steps, o.episodes, o.labels ? list(o.labels).map(positiveInt) : null, argv, o.parallel, o.db, o.rerun);
    if (!o.db) writeReport();
  });
program
  .command('prefs-speed')
  .description('throughput of the whole preference loop (oracle teacher) and of true-reward PPO against raw vectorised physics, per MuJoCo task, in one run')
  .option('--env <list>', 'comma-separated env ids', Object.keys(BASELINE_TARGETS).join(','))
  .option('--steps <n>', 'env steps of each PPO and preference run', positiveInt, 200_000)
  .option('--labels <n>', 'label budget of each preference run', positiveInt, 140)
  .option('--raw-steps <n>', 'env steps for the raw throughput measurement', positiveInt, 50_000)
  .action(async (o: { env: string; steps: number; labels: number; rawSteps: number }) => {
    const envs = o.env.split(',').map((e) => e.trim()).filter(Boolean);
    await benchPrefsSpeed(envs, o.steps, o.labels, o.rawSteps, argv);
    writeReport();
  });
program
  .command('prefs-recheck')
  .description('rerun committed prefs cells with the current code, beside the committed numbers (prefs.json untouched)')
  .requiredOption('--env <list>', 'comma-separated env ids with cells in prefs.json')
  .option('--variant <name>', 'variant', 'oracle')
  .requiredOption('--labels <n>', 'label budget of the cell', positiveInt)
  .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
  .option('--episodes <n>', 'evaluation episodes per run', positiveInt, 10)
  .option('--parallel <n>', 'runs at a time, each on one thread', positiveInt, availableParallelism())
  .option('--reference <dir>', 'also make the same runs with the code of this checkout (an earlier commit, dependencies installed)')
  .option('--reference-only', 'with --reference: only its runs (this code\'s are kept from earlier invocations)', false)
  .action(async (o: { env: string; variant: string; labels: number; seeds: string; episodes: number; parallel: number; reference?: string; referenceOnly: boolean }) => {
    const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
    if (o.referenceOnly && !o.reference) throw new Error('--reference-only needs --reference DIR');
    await benchRecheck(list(o.env), o.variant, o.labels, list(o.seeds).map(positiveInt), o.episodes, o.parallel, o.reference ?? null, argv, o.referenceOnly);
    writeReport();
  });
program
  .command('person')
  .description('a person (a script over HTTP) labeling --teacher human runs at a steady pace, paced and unpaced')
  .option('--runs <list>', 'env:steps:budget, comma-separated', 'Hopper-v5:200000:60,BoatRace-v0:50000:40')
  .option('--seconds-per-label <s>', 'how long the person takes per pair', '1.5')
  .option('--start-delay <s>', 'seconds before the person first opens the page', '10')
  .action(async (o: { runs: string; secondsPerLabel: string; startDelay: string }) => {
    const runs = o.runs.split(',').map((x) => {
      const [env, steps, budget] = x.trim().split(':');
      return { env, steps: positiveInt(steps), labelBudget: positiveInt(budget) };
    });
    await benchPerson(runs, Number(o.secondsPerLabel), Number(o.startDelay), argv);
    writeReport();
  });
program
  .command('prefs-report')
  .description('regenerate bench/results/prefs.md and its plots from prefs.json (no training); with --db, first collect the runs workers recorded in that database')
  .option('--db <url>', 'a PostgreSQL database whose job queue ran prefs runs (bench prefs --db)')
  .action(async (o: { db?: string }) => {
    if (o.db) {
      const { collectFromQueue } = await import('./prefs.js');
      console.log(`rebuilt ${await collectFromQueue(o.db, argv)} run directories from ${o.db.replace(/:[^:@/]*@/, ':***@')}`);
    }
    writePrefsResults(loadPrefsResults());
    writeReport();
  });
program
  .command('labels-load')
  .description('many annotators at once against the labeling server on loopback: lost/duplicated labels and latency')
  .option('--annotators <n>', 'concurrent annotators', positiveInt, 50)
  .option('--labels <n>', 'labels per annotator', positiveInt, 100)
  .action(async (o: { annotators: number; labels: number }) => {
    await benchLabelsLoad(o.annotators, o.labels, argv);
    writeReport();
  });
const study = program.command('study').description('a labelling study beyond one machine: PostgreSQL, several app servers (bench/study.ts; results in study.md)');
study
  .command('saturation')
  .description('one app server saturated, SQLite and PostgreSQL, clip cache off and on: labels/s per server')
  .option('--annotators <n>', 'concurrent annotators', positiveInt, 50)
  .option('--labels <n>', 'labels per annotator', positiveInt, 40)
  .action(async (o: { annotators: number; labels: number }) => {
    const { benchStudySaturation } = await import('./study.js');
    await benchStudySaturation(o.annotators, o.labels, argv);
  });
study
  .command('paced')
  .description('several app servers on one PostgreSQL, many people at a person\'s pace: time to the next pair, lost and duplicated labels')
  .option('--servers <n>', 'app servers', positiveInt, 2)
  .option('--annotators <n>', 'people', positiveInt, 300)
  .option('--minutes <n>', 'how long', positiveInt, 3)
  .action(async (o: { servers: number; annotators: number; minutes: number }) => {
    const { benchStudyPaced } = await import('./study.js');
    await benchStudyPaced(o.servers, o.annotators, [2, 4], o.minutes, argv);
  });
study
  .command('faults')
  .description('PostgreSQL restarted while two app servers take labels and a prefs --db run trains on them')
  .option('--restart <command>', 'how to restart the server', 'pg_ctlcluster 15 main restart -m fast')
  .action(async (o: { restart: string }) => {
    const { benchStudyFaults } = await import('./study.js');
    await benchStudyFaults(o.restart, argv);
  });
study
  .command('migrate')
  .description('a project the size of the committed 1400-label Hopper run moved SQLite -> PostgreSQL -> SQLite, checked')
  .action(async () => {
    const { benchStudyMigrate } = await import('./study.js');
    await benchStudyMigrate(argv);
  });
program
  .command('threads')
  .description('one preference run on both cores against two single-thread runs at once (OVERSEER_THREADS=1), and that both give the same numbers')
  .option('--env <id>', 'env id', 'Hopper-v5')
  .option('--steps <n>', 'env steps per run', positiveInt, 100_000)
  .option('--labels <n>', 'label budget per run', positiveInt, 100)
  .action(async (o: { env: string; steps: number; labels: number }) => {
    await benchThreads(o.env, o.steps, o.labels, argv);
    writeReport();
  });
program
  .command('contention')
  .description('raw vectorised stepping idle and beside busy processes, default threads against OVERSEER_THREADS=1 (spin-waiting under contention)')
  .option('--env <list>', 'comma-separated env ids', 'InvertedPendulum-v5,Reacher-v5,Hopper-v5')
  .option('--steps <n>', 'env steps per measurement', positiveInt, 100_000)
  .option('--busy <n>', 'CPU-bound processes beside the loaded measurements', positiveInt, 2)
  .option('--reference <dir>', 'an earlier checkout (dependencies installed) measured the same way')
  .action(async (o: { env: string; steps: number; busy: number; reference?: string }) => {
    await benchContention(o.env.split(',').map((x) => x.trim()).filter(Boolean), o.steps, o.busy, o.reference ?? null, argv);
  });
program
  .command('minatar-random')
  .description("MinAtar's five games under a random policy, beside MinAtar's own Python run and README")
  .option('--episodes <n>', 'episodes per game (at most as many as the Python run)', positiveInt, 1000)
  .option('--seed <n>', 'seed of the env and the policy', nonNegativeInt, 0)
  .action((o: { episodes: number; seed: number }) => {
    benchMinAtarRandom(o.episodes, o.seed, argv);
  });
program
  .command('minatar')
  .description('MinAtar: true-reward PPO (from the grid, or from RGB frames), preference cells (oracle labels) and the offline-only ablation per game and budget, beside the published numbers, conformance and conv kernels (resumable; bench/results/minatar.md)')
  .option('--games <list>', 'comma-separated games', MINATAR_GAMES.join(','))
  .option('--variants <list>', `comma-separated: ${MINATAR_VARIANTS.join(', ')} (ppo-rgb: PPO from the 40x40 RGB frames; ppo-mlp: gymnax-blines' MLP 2x256 for MinAtar's network; ppo-ac: MinAtar's network with its AC(lambda)'s SiLU/dSiLU units; a2c: train --algo a2c)`, 'ppo,oracle,offline')
  .option('--labels <list>', 'label budgets of the preference cells', '1000,3300')
  .option('--steps <n>', 'env steps (MinAtar frames) per cell', positiveInt, 5_000_000)
  .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
  .option('--episodes <n>', 'evaluation episodes per cell', positiveInt, 10)
  .option('--parallel <n>', 'cells at a time, each on one thread', positiveInt, availableParallelism())
  .option('--report', 'only rewrite minatar.md from minatar.json (and bench/minatar-notes.md)', false)
  .option('--collect', 'train nothing: merge the listed cells whose run directories have finished', false)
  .action(async (o: { games: string; variants: string; labels: string; steps: number; seeds: string; episodes: number; parallel: number; report: boolean; collect: boolean }) => {
    const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
    if (o.report) {
      const r = loadMinatar();
      if (!r) throw new Error('bench/results/minatar.json does not exist yet: run the cells first');
      writeMinatar(r);
      return;
    }
    const variants = list(o.variants);
    for (const v of variants) if (!(MINATAR_VARIANTS as readonly string[]).includes(v)) throw new Error(`--variants: unknown ${v}; known: ${MINATAR_VARIANTS.join(', ')}`);
    const cells = cellsOf(list(o.games), variants as MinAtarVariant[], list(o.labels).map(positiveInt), o.steps, list(o.seeds).map(positiveInt));
    await benchMinatar(cells, o.parallel, o.episodes, argv, console.log, o.collect);
    writeReport();
  });
program
  .command('minatar-clip')
  .description("what a MinAtar preference run's final policy does beside what its reward model pays for it: true and learned returns per episode, action shares, and a picture of the stretch the reward model pays most for (docs/<name>.svg; numbers in minatar-clips.json, listed in minatar.md)")
  .requiredOption('--run <dir>', 'a finished MinAtar prefs run directory')
  .requiredOption('--name <name>', 'name of the picture and of its entry, e.g. minatar-offline-breakout')
  .option('--episodes <n>', 'episodes played', positiveInt, 10)
  .option('--max-steps <n>', 'each episode cut at this many steps', positiveInt, 2000)
  .option('--count <n>', 'frames in the picture', positiveInt, 16)
  .action((o: { run: string; name: string; episodes: number; maxSteps: number; count: number }) => {
    const r = minatarClip(o.run, o.name, { episodes: o.episodes, maxSteps: o.maxSteps, count: o.count, argv });
    console.log(`${o.name}: true ${r.truePerStep.toFixed(3)} / step, learned ${r.learnedPerStep.toFixed(3)} / step; episodes ${r.episodes.map((e) => `${e.length} steps score ${e.trueReturn}`).join('; ')}; actions ${JSON.stringify(r.actionShares)}; ${r.picture.path}`);
    const m = loadMinatar();
    if (m) writeMinatar(m);
  });
program
  .command('minatar-seaquest')
  .description("how a MinAtar Seaquest run's episodes end, checkpoint by checkpoint: air out, surfacing with nobody aboard, or hit; surfacings that refill the air (minatar-seaquest.md)")
  .requiredOption('--run <dir>', 'a MinAtar/Seaquest-v1 train or prefs run directory')
  .option('--episodes <n>', 'episodes per checkpoint and mode', positiveInt, 30)
  .option('--max-steps <n>', 'each episode cut at this many steps', positiveInt, 5000)
  .action((o: { run: string; episodes: number; maxSteps: number }) => {
    const r = benchSeaquest(o.run, { episodes: o.episodes, maxSteps: o.maxSteps, argv });
    for (const x of r.rows) console.log(`${x.frames} ${x.mode}: score ${x.meanScore.toFixed(2)}, length ${x.meanLength.toFixed(1)}, surfacings ${x.surfacings.toFixed(2)}, most divers ${x.maxDivers.toFixed(2)}; ends ${JSON.stringify(x.ends)}`);
  });
program
  .command('conv')
  .description("convolutional networks' forward and forward+backward samples/s, WebAssembly SIMD against plain TS (MinAtar's and the pixel network)")
  .option('--batches <list>', 'comma-separated batch sizes', '1,64,2048')
  .option('--seconds <s>', 'measured seconds per cell', (v: string) => Number(v), 0.5)
  .action((o: { batches: string; seconds: number }) => {
    benchConv(argv, { batches: o.batches.split(',').map((b) => Number(b.trim())), seconds: o.seconds });
  });
program
  .command('startup')
  .description('wall time to start `annotators list` and `serve` from the built CLI (dist/), against a baseline build with --baseline DIR')
  .option('--reps <n>', 'runs per command and build', positiveInt, 10)
  .option('--baseline <dir>', 'another checkout, built with npm run build, to compare against')
  .action(async (o: { reps: number; baseline?: string }) => {
    await benchStartup(o.reps, o.baseline, argv);
    writeReport();
  });
program
  .command('debate-speed')
  .description('issue 23: judge training time per k (extrapolated to the paper schedule) and games/s of the greedy and MCTS debaters with precommit')
  .option('--steps <n>', 'timed judge training steps per k', positiveInt, 300)
  .option('--images <n>', 'test images per debater and k (9 games each)', positiveInt, 20)
  .option('--rollouts <n>', 'MCTS rollouts per move', positiveInt, 64)
  .option('--judges <dir>', 'judge checkpoints (overseer debate train-judge)', 'bench/results/debate/judges')
  .action(async (o: { steps: number; images: number; rollouts: number; judges: string }) => {
    const { benchDebateSpeed } = await import('./debate.js');
    await benchDebateSpeed(o, argv);
    writeReport();
  });
program
  .command('effort')
  .description("issue 24: does each run's learned reward see effort (learned reward of the policy's actions scaled by 0 / 0.5 / 1 at its states, beside the true action cost)")
  .argument('<runs...>', 'NAME=RUN_DIR of prefs runs')
  .option('--episodes <n>', 'deterministic episodes per run', positiveInt, 5)
  .action(async (runs: string[], o: { episodes: number }) => {
    const { benchEffort } = await import('./effort.js');
    benchEffort(runs, o.episodes, argv);
    writeReport();
  });
program.command('report').description('regenerate bench/results/README.md').action(() => {
  writeReport();
});
program
  .command('all')
  .description('nn, ppo-speed, and learn on CartPole-v1 (100k) and Acrobot-v1 (300k), 5 seeds each')
  .action(async () => {
    benchNn();
    await benchPpoSpeed(100_000, 1);
    await benchLearn('CartPole-v1', [1, 2, 3, 4, 5], 100_000, 2, 10);
    await benchLearn('Acrobot-v1', [1, 2, 3, 4, 5], 300_000, 2, 10);
    writeReport();
  });

if (!existsSync(join(ROOT, 'package.json'))) throw new Error('run from the repository');
await program.parseAsync(process.argv);
