/**
 * True-reward PPO baselines on the MuJoCo tasks, and the throughput of the training loop
 * beside raw physics through the same vector env. Resumable: finished seeds are kept.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/envs/builtins.js';
import { makeVec } from '../src/envs/vector/make.js';
import { Box } from '../src/envs/spaces.js';
import { ppoPreset } from '../src/rl/presets.js';
import { Rng } from '../src/utils/rng.js';
import { RESULTS_DIR, provenance, type Provenance } from './machine.js';
import { lineChart } from '../src/utils/svg.js';
import { ROOT, learningCurve, pool, readSummary, runTrain } from './train.js';

/** The bar and the published figure it comes from (REFERENCE.md 1.13, CleanRL), plus env options where the reference used a variant. */
export const BASELINE_TARGETS: Record<string, { target: number; reference: string; envKwargs?: Record<string, unknown> }> = {
  'Hopper-v5': { target: 2000, reference: '2052 +- 314 (CleanRL PPO, v4, 1M)' },
  'HalfCheetah-v5': { target: 2000, reference: '2906 +- 1129 (CleanRL PPO, v4, 1M)' },
  'Walker2d-v5': { target: 2500, reference: '2891 +- 231 (CleanRL PPO, v4, 1M)' },
  'Swimmer-v5': { target: 40, reference: '28 +- 18 (CleanRL envpool PPO, v4, 1M)' },
  // Like the reference, without the 78 contact-force entries (27-dim observation).
  'Ant-v5': { target: 1500, reference: '2965 +- 664 (CleanRL envpool PPO, v4 27-dim obs, 1M)', envKwargs: { include_cfrc_ext_in_observation: false } },
  'Reacher-v5': { target: -8, reference: '-8.35 +- 1.92 (CleanRL envpool PPO, v4, 1M)' },
  'InvertedPendulum-v5': { target: 950, reference: '951 +- 36 (CleanRL PPO, v4, 1M)' },
  'InvertedDoublePendulum-v5': { target: 7000, reference: '7591 +- 1089 (CleanRL envpool PPO, v4, 1M)' },
};

export const MIN_THROUGHPUT_RATIO = 0.4;

interface SeedResult {
  seed: number;
  evalMean: number;
  evalStd: number;
  trainSeconds: number;
  stepsPerSecond: number;
  curve: [number, number][];
}

interface TaskResult {
  env: string;
  envKwargs: Record<string, unknown>;
  steps: number;
  evalEpisodes: number;
  config: string;
  seeds: SeedResult[];
  mean: number;
  std: number;
  target: number;
  reference: string;
  pass: boolean;
  throughput: {
    vectorEnv: string;
    rawStepsPerSecond: number;
    ppoStepsPerSecond: number;
    ratio: number;
    pass: boolean;
  };
  provenance: Provenance;
}

const RESULTS_JSON = join(RESULTS_DIR, 'baselines.json');

function loadResults(): Record<string, TaskResult> {
  if (!existsSync(RESULTS_JSON)) return {};
  return (JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as { tasks: Record<string, TaskResult> }).tasks;
}

/** Random actions through the vector env PPO uses (same size and threads), env steps per second. */
export function measureRawThroughput(env: string, steps: number, kwargs: Record<string, unknown> = {}, seed = 0): { stepsPerSecond: number; description: string } {
  const preset = ppoPreset(env);
  const numEnvs = preset.numEnvs ?? 1;
  const mode = preset.vectorization ?? 'sync';
  const vec = makeVec(env, { numEnvs, mode, infoKeys: ['episode'], makeOptions: { kwargs } });
  try {
    const rng = new Rng(seed);
    const space = vec.singleActionSpace;
    const actions = new Float64Array(numEnvs * vec.actionSize);
    const sample = () => {
      for (let i = 0; i < numEnvs; i++) {
        const a = space.sample(rng);
        if (space instanceof Box) actions.set(a as Float32Array, i * vec.actionSize);
        else actions[i] = a as number;
      }
    };
    vec.reset({ seed });
    for (let i = 0; i < 200; i++) {
      sample();
      vec.step(actions);
    }
    const t = performance.now();
    let done = 0;
    while (done < steps) {
      sample();
      vec.step(actions);
      done += numEnvs;
    }
    const seconds = (performance.now() - t) / 1000;
    return { stepsPerSecond: Math.round(done / seconds), description: `${numEnvs} envs, ${mode === 'workers' ? 'worker threads + caller (both cores)' : 'one thread'}` };
  } finally {
    vec.close();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

export async function benchBaselines(envs: string[], steps: number, seeds: number[], parallel: number, episodes: number, rawSteps: number, argv: string[]): Promise<void> {
  const results = loadResults();
  for (const env of envs) {
    const target = BASELINE_TARGETS[env];
    if (!target) throw new Error(`no baseline target for ${env}; known: ${Object.keys(BASELINE_TARGETS).join(', ')}`);
    const envKwargs = target.envKwargs ?? {};
    const raw = measureRawThroughput(env, rawSteps, envKwargs);
    console.log(`${env}: raw vector env ${raw.stepsPerSecond} steps/s (${raw.description})`);
    const seedResults: SeedResult[] = [];
    await pool(seeds, parallel, async (seed) => {
      const out = join(ROOT, 'bench', 'runs', 'baselines', env, `seed${seed}`);
      let summary = readSummary(out);
      if (summary?.status === 'finished' && summary.globalStep >= steps && summary.eval) {
        console.log(`${env} seed ${seed}: kept finished run in ${out}`);
      } else {
        if (existsSync(out)) throw new Error(`${out} holds an unfinished or different run; delete it to retrain`);
        await runTrain(env, seed, steps, out, episodes, [], envKwargs);
        summary = readSummary(out)!;
      }
      const r: SeedResult = {
        seed,
        evalMean: summary!.eval!.mean,
        evalStd: summary!.eval!.std,
        trainSeconds: summary!.trainSeconds,
        stepsPerSecond: Math.round(summary!.globalStep / summary!.trainSeconds),
        curve: learningCurve(out),
      };
      seedResults.push(r);
      console.log(`${env} seed ${seed}: eval ${r.evalMean.toFixed(1)} +- ${r.evalStd.toFixed(1)}, ${r.stepsPerSecond} steps/s`);
    });
    seedResults.sort((a, b) => a.seed - b.seed);
    const means = seedResults.map((s) => s.evalMean);
    const ppoSps = Math.round(mean(seedResults.map((s) => s.stepsPerSecond)));
    results[env] = {
      env,
      envKwargs,
      steps,
      evalEpisodes: episodes,
      config: `src/rl/presets.ts ${env}`,
      seeds: seedResults,
      mean: mean(means),
      std: std(means),
      target: target.target,
      reference: target.reference,
      pass: mean(means) >= target.target,
      throughput: {
        vectorEnv: raw.description,
        rawStepsPerSecond: raw.stepsPerSecond,
        ppoStepsPerSecond: ppoSps,
        ratio: ppoSps / raw.stepsPerSecond,
        pass: ppoSps / raw.stepsPerSecond >= MIN_THROUGHPUT_RATIO,
      },
      provenance: provenance(argv),
    };
    writeBaselineResults(results);
  }
}

const ORDER = Object.keys(BASELINE_TARGETS);

export function writeBaselineResults(results: Record<string, TaskResult>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const tasks = Object.fromEntries(ORDER.filter((e) => results[e]).map((e) => [e, results[e]]));
  writeFileSync(RESULTS_JSON, `${JSON.stringify({ tasks }, null, 2)}\n`);
  const lines = [
    '# True-reward PPO baselines (MuJoCo, Gymnasium v5 semantics)',
    '',
    'Each task: 3 seeds of `overseer train --env <task> --steps 1000000 --seed <s>` with the preset in `src/rl/presets.ts`;',
    'the return is the mean of a deterministic evaluation over 10 episodes after training (episode k reset with seed 1000000 + seed + k),',
    'averaged over seeds (+- std across seeds). Learning curves: `baselines-<task>.svg` (training episode returns, smoothed over 5 updates).',
    '',
    '| task | mean return | per seed | bar | reference | meets bar | command, commit |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of Object.values(tasks)) {
    const variant = Object.keys(r.envKwargs ?? {}).length ? ` (${JSON.stringify(r.envKwargs)})` : '';
    lines.push(
      `| ${r.env}${variant} | ${r.mean.toFixed(1)} +- ${r.std.toFixed(1)} | ${r.seeds.map((s) => s.evalMean.toFixed(1)).join(', ')} | >= ${r.target} | ${r.reference} | ${r.pass ? 'yes' : '**no**'} | \`${r.provenance.command}\` at ${r.provenance.gitCommit} |`,
    );
  }
  lines.push(
    '',
    '## Throughput: raw physics against the full PPO loop',
    '',
    'Raw: random actions through the same vector env PPO uses (same number of envs and threads), measured in the same benchmark run just before training.',
    'PPO: env steps per second of the whole training loop (rollout, GAE, 10 epochs of minibatch updates), averaged over the seeds.',
    '',
    '| task | vector env | raw steps/s | PPO steps/s | PPO / raw | >= 40% |',
    '|---|---|---|---|---|---|',
  );
  for (const r of Object.values(tasks)) {
    const t = r.throughput;
    lines.push(`| ${r.env} | ${t.vectorEnv} | ${t.rawStepsPerSecond} | ${t.ppoStepsPerSecond} | ${(100 * t.ratio).toFixed(0)}% | ${t.pass ? 'yes' : '**no**'} |`);
  }
  const machines = new Set(Object.values(tasks).map((r) => `${r.provenance.machine.cpu}, ${r.provenance.machine.cores} cores, Node ${r.provenance.machine.node}`));
  lines.push('', `Machine: ${[...machines].join('; ')}.`, '');
  writeFileSync(join(RESULTS_DIR, 'baselines.md'), `${lines.join('\n')}\n`);

  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];
  for (const r of Object.values(tasks)) {
    const svg = lineChart(
      r.seeds.map((s, i) => ({ label: `seed ${s.seed} (eval ${s.evalMean.toFixed(0)})`, points: s.curve, color: colors[i % colors.length] })),
      {
        title: `${r.env}: PPO on the true reward`,
        xLabel: 'env steps',
        yLabel: 'training episode return',
        hlines: [{ y: r.target, label: `bar ${r.target}`, color: '#d62728' }],
      },
    );
    writeFileSync(join(RESULTS_DIR, `baselines-${r.env}.svg`), svg);
  }
}
