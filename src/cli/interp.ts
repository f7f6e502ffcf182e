/**
 * `overseer interp RUN_DIR… `: what is a run's reward model paying attention to (issue 22)?
 *
 * For each prefs run directory: load its reward model and policy (the final checkpoint, else the
 * latest), its stored segments and labels (the run's project database), and rollouts of its
 * policy; record every hidden unit of every network over those clips beside the env's named
 * features; train a sparse autoencoder on one reward-model layer and explain and score its
 * neurons, SAE features and random directions (src/oversight/interp/layerStudy.ts), and the
 * policy's neurons. Writes OUT/NAME.json, .md and .svg.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { make } from '../envs/registry.js';
import { toComparison } from '../prefs/run.js';
import { RewardModel, type Comparison, type RewardModelJson } from '../prefs/rewardModel.js';
import type { Segment } from '../prefs/segments.js';
import { ActorCritic } from '../rl/agent.js';
import { Rng } from '../utils/rng.js';
import { lineChart, stackCharts } from '../utils/svg.js';
import { recordActivations, runNetworks } from '../oversight/interp/activations.js';
import { clipOfSegment, rolloutClips, type Clip } from '../oversight/interp/clips.js';
import { featureLibraryFor } from '../oversight/interp/features/forEnv.js';
import { attentionReport } from '../oversight/interp/attention.js';
import { ATTENTION_REPORT, type AttentionReportJson } from '../server/api.js';
import { studyRewardModelLayerWithValues, type LayerStudyResult, type ScoreSummary, type LayerStudyOptionsInput } from '../oversight/interp/layerStudy.js';
import { studyPolicyLayer, type PolicyLayerStudy } from '../oversight/interp/policyStudy.js';
import { UsageError, type CliIO } from './io.js';
import type { PrefsRunConfig } from './prefs.js';
import { openRunStore, projectOfRun, type PrefsStoreRef } from './runStore.js';
import { openRunDir } from './runs.js';

export interface InterpFlags {
  /** Reward-model member whose layer gets the SAE. */
  member: number;
  /** Its hidden layer (default: the last). */
  layer?: number;
  /** SAE optimiser steps. */
  saeSteps: number;
  /** SAE features per neuron. */
  dictMultiple: number;
  /** SAE λ (on the layer scaled to mean squared norm = width). */
  l1: number;
  /** Units explained per kind. */
  units: number;
  /** Episodes of the policy recorded beside the stored segments. */
  rollouts: number;
  seed: number;
  /** Where NAME.json, .md and .svg go. */
  out: string;
  name: string;
}

export const interpDefaults = { member: 0, saeSteps: 2000, dictMultiple: 4, l1: 1, units: 64, rollouts: 4, seed: 0, out: 'bench/results', name: 'interp' } satisfies InterpFlags;

/** A prefs run as the interpretability tools read it. */
export interface InterpRun {
  path: string;
  /** Where the run keeps its segments and labels (and where the attention report is stored), and its id there. */
  store: PrefsStoreRef | undefined;
  runId: string;
  envId: string;
  envKwargs: Record<string, unknown>;
  checkpoint: string;
  rm: RewardModel;
  agent: ActorCritic;
  segments: Segment[];
  /** Every decided or equal label as the run trained on it (held out or not, as the run split them). */
  comparisons: Comparison[];
  labels: number;
  /** The command that made the run, and its final true-reward evaluation when it finished. */
  madeBy: string;
  evalReturn: number | null;
  envSteps: number;
}

/** Loads a prefs run directory: its reward model and policy, stored segments and labelled comparisons. */
export function loadInterpRun(path: string): InterpRun {
  const run = openRunDir(path);
  const config = run.readConfig<PrefsRunConfig>();
  if (config.command !== 'prefs') throw new UsageError(`${run.path} is not a prefs run (its config.json says ${JSON.stringify(config.command)})`);
  const checkpoint = run.latestCheckpoint();
  if (!existsSync(checkpoint)) throw new UsageError(`${run.path} has no checkpoint yet`);
  const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { format?: string; agent?: unknown; rewardModel?: RewardModelJson };
  if (saved.format !== 'overseer.prefs' || !saved.rewardModel) throw new UsageError(`${checkpoint} is not a prefs checkpoint with a reward model`);
  const rm = RewardModel.load(saved.rewardModel);
  const agent = ActorCritic.load(saved.agent, checkpoint);
  const opened = openRunStore(run.path, config.store);
  try {
    const { segments, labels } = opened.store.load();
    const { seed, rewardModel } = config.prefs;
    const comparisons = labels.flatMap((l) => toComparison(l, segments, seed, rm.ensembleSize, rewardModel.validationFraction) ?? []);
    const summaryPath = join(run.path, 'summary.json');
    const summary = existsSync(summaryPath) ? (JSON.parse(readFileSync(summaryPath, 'utf8')) as { eval?: { mean?: number }; envSteps?: number }) : {};
    return {
      path: run.path,
      store: config.store,
      runId: projectOfRun(config.store)?.runId ?? basename(resolve(run.path)),
      envId: config.envId,
      envKwargs: config.prefs.envKwargs ?? {},
      checkpoint,
      rm,
      agent,
      segments: [...segments.values()],
      comparisons,
      labels: labels.length,
      madeBy: `overseer ${(config.argv ?? []).join(' ')}`,
      evalReturn: summary.eval?.mean ?? null,
      envSteps: summary.envSteps ?? config.prefs.totalTimesteps,
    };
  } finally {
    opened.close();
  }
}

export interface InterpRunReport {
  run: string;
  envId: string;
  checkpoint: string;
  labels: number;
  madeBy: string;
  evalReturn: number | null;
  envSteps: number;
  study: LayerStudyResult;
  /** The same recipe on the policy's last hidden layer (SAE, neurons, features, random directions). */
  policy: PolicyLayerStudy;
  seconds: number;
}

/** The whole study of one run, and the data of its attention page. */
export function interpretRun(r: InterpRun, flags: InterpFlags): { report: InterpRunReport; attention: AttentionReportJson } {
  const t0 = performance.now();
  const library = featureLibraryFor(r.envId, r.envKwargs);
  try {
    const clips: Clip[] = r.segments.map(clipOfSegment);
    const clipLength = Math.max(...r.segments.map((s) => s.length));
    const env = make(r.envId, { kwargs: r.envKwargs });
    const rng = new Rng(flags.seed + 17);
    try {
      clips.push(...rolloutClips(env, (obs) => r.agent.act(obs, false, rng), { episodes: flags.rollouts, clipLength, seed: 2_000_000 + flags.seed, maxSteps: 1000 }));
    } finally {
      env.close();
    }
    const set = recordActivations(clips, runNetworks(r.rm, r.agent), library);
    const options: LayerStudyOptionsInput = { member: flags.member, layer: flags.layer, saeSteps: flags.saeSteps, dictMultiple: flags.dictMultiple, l1Coefficient: flags.l1, units: flags.units, seed: flags.seed };
    const { result: study, topValues } = studyRewardModelLayerWithValues({ rm: r.rm, set, features: library.features, comparisons: r.comparisons }, options);
    const { member: _member, ...policyOptions } = options;
    const policy = studyPolicyLayer({ agent: r.agent, set, features: library.features }, { ...policyOptions, layer: undefined });
    const attention = attentionReport({
      runId: r.runId,
      envId: r.envId,
      madeBy: `overseer interp ${r.path}`,
      checkpoint: r.checkpoint,
      labels: r.labels,
      study,
      units: topValues,
      set,
      clips,
      features: library.features,
      rm: r.rm,
    });
    const report = { run: r.path, envId: r.envId, checkpoint: r.checkpoint, labels: r.labels, madeBy: r.madeBy, evalReturn: r.evalReturn, envSteps: r.envSteps, study, policy, seconds: (performance.now() - t0) / 1000 };
    return { report, attention };
  } finally {
    library.close();
  }
}

export async function interpCommand(runDirs: readonly string[], input: Partial<InterpFlags>, io: CliIO, argv: readonly string[]): Promise<number> {
  await import('../envs/builtins.js');
  const flags: InterpFlags = { ...interpDefaults, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  if (runDirs.length === 0) throw new UsageError('interp: give at least one prefs run directory');
  const reports: InterpRunReport[] = [];
  const pages: { run: InterpRun; attention: AttentionReportJson }[] = [];
  for (const dir of runDirs) {
    const run = loadInterpRun(dir);
    io.stderr(`${run.envId}: ${run.segments.length} segments, ${run.labels} labels (${run.comparisons.filter((c) => c.validation).length} held out), ${run.checkpoint}\n`);
    const { report, attention } = interpretRun(run, flags);
    pages.push({ run, attention: { ...attention, madeBy: `overseer ${argv.join(' ')}` } });
    const s = report.study;
    io.stdout(
      `${run.envId} ${s.network} layer ${s.layer}: SAE FVU ${fmt(s.sae.withResampling.heldOut.fvu)}, L0 ${fmt(s.sae.withResampling.heldOut.l0)}, alive ${s.sae.withResampling.alive}/${s.sae.dictSize} (without resampling ${s.sae.withoutResampling.alive}); ` +
        `held-out accuracy ${fmt(s.accuracy.intact)} intact, ${fmt(s.accuracy.saeReconstruction)} spliced; scores >= 0.8: neurons ${s.scores.neurons.above08}/${s.scores.neurons.count}, SAE ${s.scores.saeFeatures.above08}/${s.scores.saeFeatures.count}, random ${s.scores.randomDirections.above08}/${s.scores.randomDirections.count} (${report.seconds.toFixed(0)} s)\n`,
    );
    reports.push(report);
  }
  mkdirSync(flags.out, { recursive: true });
  const json = { command: `overseer ${argv.join(' ')}`, date: new Date().toISOString(), node: process.version, flags, runs: reports };
  writeFileSync(join(flags.out, `${flags.name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(flags.out, `${flags.name}.md`), interpMarkdown(reports, json.command, flags.name));
  writeFileSync(join(flags.out, `${flags.name}.svg`), interpSvg(reports));
  io.stdout(`wrote ${join(flags.out, flags.name)}.{json,md,svg}\n`);
  // The pages' data goes to each run's database after the files are written: a database that
  // cannot be reached costs the page, not the study.
  let failed = 0;
  for (const { run, attention } of pages) {
    try {
      storeAttention(run, attention);
    } catch (e) {
      failed++;
      io.stderr(`${run.path}: could not store the attention report with run ${run.runId} (${e instanceof Error ? e.message : String(e)}); the files above have the study, run interp on it again to make the page\n`);
      continue;
    }
    const serveFlag = run.store?.kind === 'postgres' ? `--db ${run.store.url}` : `--project ${run.store?.kind === 'sqlite' ? run.store.project : run.path}`;
    io.stdout(`${run.envId}: stored the attention report with run ${run.runId}; to see it: overseer serve ${serveFlag}, then the dashboard's link "what the reward model pays attention to"\n`);
  }
  return failed > 0 ? 1 : 0;
}

/** Stores the page's data with the run, in its project database (replacing the one made before). */
function storeAttention(run: InterpRun, attention: AttentionReportJson): void {
  const opened = openRunStore(run.path, run.store);
  try {
    opened.project.putRunReport(run.runId, ATTENTION_REPORT, attention);
  } finally {
    opened.close();
  }
}

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');

/** The Markdown report: per run, the SAE, the accuracy with the layer replaced, the score distributions and the top features in words. */
export function interpMarkdown(reports: readonly InterpRunReport[], command: string, name: string): string {
  const lines: string[] = [
    '# What is the reward model paying attention to?',
    '',
    `Made by \`${command}\` on ${new Date().toISOString().slice(0, 10)}. Issue 22: a sparse autoencoder (Bricken et al. 2023) on one hidden layer of one reward-model member, and explain → simulate → score (Bills et al. 2023) with the symbolic explainer over the env's feature library, scored on held-out records (pooled Pearson of 0–10 activations).`,
    '',
    `Bills et al.: over 1,000 of 307,200 GPT-2 XL neurons (0.33%) scored ≥ 0.8.`,
    '',
    '## Runs',
    '',
    '| run | env | env steps | labels | true return (final policy) | time | made by |',
    '|---|---|---|---|---|---|---|',
    ...reports.map((r) => `| ${r.run} | ${r.envId} | ${r.envSteps} | ${r.labels} | ${r.evalReturn === null ? '-' : r.evalReturn.toFixed(1)} | ${r.seconds.toFixed(0)} s | \`${r.madeBy}\` |`),
    '',
    '## Score distributions',
    '',
    '| run | labels | units | count | mean | median | ≥ 0.5 | ≥ 0.8 | share ≥ 0.8 |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of reports) {
    const s = r.study;
    const rows: [string, ScoreSummary][] = [
      [`${s.network} layer ${s.layer} neurons`, s.scores.neurons],
      [`SAE features (sample of alive ones)`, s.scores.saeFeatures],
      [`… of which positive on ≥ 1% of states`, s.scores.saeFeaturesDense],
      [`random directions`, s.scores.randomDirections],
      [`policy layer ${r.policy.layer} neurons`, r.policy.scores.neurons],
      [`policy SAE features (sample of alive ones)`, r.policy.scores.saeFeatures],
      [`policy random directions`, r.policy.scores.randomDirections],
    ];
    for (const [what, sum] of rows) lines.push(`| ${r.envId} | ${r.labels} | ${what} | ${sum.count} | ${fmt(sum.mean)} | ${fmt(sum.median)} | ${pct(sum.shareAbove05)} | ${sum.above08} | ${pct(sum.shareAbove08)} |`);
  }
  lines.push('', '## Sparse autoencoders and the layer replaced by the reconstruction', '');
  lines.push('| run | layer (width) | dict | steps | λ | held-out FVU | L0 | alive with resampling | alive without | resampled | accuracy intact | spliced SAE | spliced SAE without resampling | mean-ablated | held-out pairs |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of reports) {
    const s = r.study;
    const w = s.sae.withResampling;
    const wo = s.sae.withoutResampling;
    lines.push(
      `| ${r.envId} | ${s.network}/${s.layer} (${s.width}) | ${s.sae.dictSize} | ${s.sae.steps} | ${s.sae.l1Coefficient} | ${fmt(w.heldOut.fvu)} (without resampling ${fmt(wo.heldOut.fvu)}) | ${fmt(w.heldOut.l0, 1)} | ${w.alive} | ${wo.alive} | ${w.resampled.join(', ')} | ${fmt(s.accuracy.intact)} | ${fmt(s.accuracy.saeReconstruction)} | ${fmt(s.accuracy.saeWithoutResampling)} | ${fmt(s.accuracy.meanAblation)} | ${s.accuracy.pairs} |`,
    );
  }
  lines.push('', '## The policy: a sparse autoencoder on its last hidden layer, and the layer replaced', '');
  lines.push("Held out: every fifth clip. The action's move with the layer replaced, on held-out states: continuous policies, the change's share of the action mean's variance (fvu); discrete ones, the mean total variation distance between the action distributions (tv); 0 = unchanged either way.", '');
  lines.push('| run | layer (width) | dict | held-out FVU | L0 | alive with resampling | alive without | resampled | action moved: spliced SAE | spliced SAE without resampling | mean-ablated | held-out states |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of reports) {
    const p = r.policy;
    const w = p.sae.withResampling;
    const a = p.actions;
    const m = (x: number) => `${fmt(x)} (${a.metric})`;
    lines.push(`| ${r.envId} | policy/${p.layer} (${p.width}) | ${p.sae.dictSize} | ${fmt(w.heldOut.fvu)} (without resampling ${fmt(p.sae.withoutResampling.heldOut.fvu)}) | ${fmt(w.heldOut.l0, 1)} | ${w.alive} | ${p.sae.withoutResampling.alive} | ${w.resampled.join(', ')} | ${m(a.saeReconstruction)} | ${m(a.saeWithoutResampling)} | ${m(a.meanAblation)} | ${p.states.heldOut} |`);
  }
  lines.push('', '## Top features in words', '', "Ranked by how far the member's reward moves when the feature is taken out of the SAE's reconstruction (neurons: set to 0), mean over states in units of the member's reward std; + raises the reward.", '');
  for (const r of reports) {
    lines.push(`### ${r.envId} (${r.study.network}, layer ${r.study.layer}; ${r.run})`, '', '| unit | active | effect | score | best explanation |', '|---|---|---|---|---|');
    for (const u of r.study.topFeatures) lines.push(`| SAE ${u.unit} | ${pct(u.frequency)} | ${u.meanEffect >= 0 ? '+' : ''}${fmt(u.meanEffect)} (abs ${fmt(u.meanAbsEffect)}) | ${fmt(u.score, 2)} | ${u.sentence} |`);
    for (const u of r.study.topNeurons) lines.push(`| neuron ${u.unit} | ${pct(u.frequency)} | ${u.meanEffect >= 0 ? '+' : ''}${fmt(u.meanEffect)} (abs ${fmt(u.meanAbsEffect)}) | ${fmt(u.score, 2)} | ${u.sentence} |`);
    const best = [...r.study.units.saeFeatures].sort((a, b) => b.score - a.score).slice(0, 3);
    lines.push('', `Best-explained SAE features: ${best.map((u) => `${u.unit} (${fmt(u.score, 2)}: ${u.sentence})`).join('; ')}.`, '');
    const said = [...r.study.topFeatures, ...r.study.topNeurons].filter((u) => u.score >= 0.5);
    const raise = said.filter((u) => u.meanEffect > 0).map((u) => u.sentence.replace(/^fires /, ''));
    const lower = said.filter((u) => u.meanEffect < 0).map((u) => u.sentence.replace(/^fires /, ''));
    lines.push(`In words (top units explained at ≥ 0.5): the reward rises with units that fire ${raise.length ? raise.join('; ') : '(none)'}; it falls with units that fire ${lower.length ? lower.join('; ') : '(none)'}.`, '');
  }
  lines.push(`Data: \`${name}.json\` (every unit's explanation and score). Histograms: \`${name}.svg\`.`, '');
  return lines.join('\n');
}

/** Per run, the score distributions as frequency polygons over bins of 0.1. */
export function interpSvg(reports: readonly InterpRunReport[]): string {
  // Scores below -0.1 share the first point (held-out scores are rarely far below 0).
  const poly = (h: number[]) => {
    const total = Math.max(1, h.reduce((a, b) => a + b, 0));
    const folded = [h.slice(0, 9).reduce((a, b) => a + b, 0), ...h.slice(9)];
    return folded.map((n, i): [number, number] => [-0.15 + 0.1 * i, n / total]);
  };
  return stackCharts(
    reports.map((r) =>
      lineChart(
        [
          { label: 'neurons', points: poly(r.study.scores.neurons.histogram), color: '#1f6fb5' },
          { label: 'SAE features', points: poly(r.study.scores.saeFeatures.histogram), color: '#c0392b' },
          { label: 'random directions', points: poly(r.study.scores.randomDirections.histogram), color: '#7f7f7f', dashed: true },
          { label: 'policy neurons', points: poly(r.policy.scores.neurons.histogram), color: '#2a9d5c' },
          { label: 'policy SAE features', points: poly(r.policy.scores.saeFeatures.histogram), color: '#e08a1e' },
        ],
        { title: `${r.envId}: held-out explanation scores (${r.study.network}, layer ${r.study.layer})`, xLabel: 'score (pooled Pearson, held out)', yLabel: 'share of units', hlines: [] },
      ),
    ),
  );
}
