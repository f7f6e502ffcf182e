/** The paddle demo's results: what was run, on what, and how much the policy keeps the paddle under the ball, beside the references; as JSON and Markdown. */
import type { TrainingRecord } from '../shared/humanRun.js';
import { gitCommit, machine, pm, runRecord, stats, type Machine, type RunRecord, type RunSummary, type Stats } from '../shared/report.js';
import type { PaddleEpisode, PaddleEvaluation } from './evaluate.js';

/** One policy measured on the evaluation episodes. */
export interface PolicyMeasure {
  name: string;
  madeBy: string;
  /** Per episode: share of acted-on frames (with a ball) with the paddle in the ball's column. */
  trackingShare: Stats;
  /** Pooled over all episodes' frames. */
  trackingPooled: number;
  score: Stats;
  length: Stats;
  /** Episodes cut at the step cap. */
  capped: number;
  episodes: PaddleEpisode[];
}

export interface PaddleReport extends RunRecord {
  format: 'overseer.paddle/1';
  command: string;
  prefsCommand: string;
  date: string;
  gitCommit: string | null;
  machine: Machine;
  settings: {
    envId: string;
    steps: number;
    labelBudget: number;
    segmentLength: number;
    rewardModel: string;
    /** Training and evaluation episodes end (truncated) after this many steps. */
    maxEpisodeSteps: number;
    seed: number;
    evalSeeds: number[];
    undoSeconds: 0;
  };
  measureRule: string;
  annotatorRule: string;
  learned: PolicyMeasure;
  random: PolicyMeasure;
  /** True-reward PPO at the same PPO preset, when given. */
  reference: PolicyMeasure | null;
  picture: { episode: number; fromFrame: number; frames: number; caption: string; bytes: number };
  verdict: string;
  notes: string | null;
}

export const MEASURE_RULE_TEXT = (episodes: number, maxSteps: number) =>
  `Each policy plays the same ${episodes} evaluation episodes (reset with the seeds listed; MinAtar's sticky actions, 0.1, as in training), deterministic (its most likely action; the random policy samples), each cut at ${maxSteps} steps so a tracker that never misses cannot play forever. ` +
  `Tracking is the share of the frames the policy acted on (o_0 to o_{T-1}) in which the paddle, in the bottom row, is in the same column as the ball, read from the channel grid as the labeling page draws it; frames without a visible ball do not count. ` +
  `The score is Breakout's own reward (bricks broken), which the learned policy never saw.`;

export const ANNOTATOR_RULE_TEXT =
  `The scripted annotator (src/demos/paddle/annotator.ts) reads each clip's frames from the labeling API (the channel grid, 25 frames a clip) and prefers the clip with more frames showing the paddle in the ball's column (frames without a visible ball do not count; a clip cut short by a miss has fewer frames to count); equal counts are answered "equal".`;

export function measure(name: string, madeBy: string, ev: PaddleEvaluation): PolicyMeasure {
  const eps = ev.episodes;
  const visible = eps.reduce((a, e) => a + e.visible, 0);
  return {
    name,
    madeBy,
    trackingShare: stats(eps.map((e) => e.trackingShare)),
    trackingPooled: visible > 0 ? eps.reduce((a, e) => a + e.tracked, 0) / visible : 0,
    score: stats(eps.map((e) => e.score)),
    length: stats(eps.map((e) => e.length)),
    capped: eps.filter((e) => e.capped).length,
    episodes: eps,
  };
}

const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

/** One sentence: how much it tracks, against the references. */
export function verdict(learned: PolicyMeasure, random: PolicyMeasure, reference: PolicyMeasure | null): string {
  const ref = reference ? `, true-reward PPO ${pct(reference.trackingPooled)} (score ${reference.score.mean.toFixed(1)})` : '';
  return (
    `The learned policy keeps the paddle under the ball in ${pct(learned.trackingPooled)} of its steps (per episode ${pct(learned.trackingShare.min)}-${pct(learned.trackingShare.max)}), against a random policy's ${pct(random.trackingPooled)}${ref}; ` +
    `it scores ${learned.score.mean.toFixed(1)} per episode (random ${random.score.mean.toFixed(1)}) over episodes of ${learned.length.mean.toFixed(0)} steps on average` +
    (learned.capped > 0 ? ` (${learned.capped} of ${learned.episodes.length} reached the cap)` : '') +
    '.'
  );
}

export function paddleReport(a: {
  options: { command: string; steps: number; labels: number; segmentLength: number; seed: number; maxEpisodeSteps: number; notes: string | null };
  training: TrainingRecord;
  summary: RunSummary;
  learned: PaddleEvaluation;
  random: PaddleEvaluation;
  reference: PaddleEvaluation | null;
  referenceMadeBy: string;
  envId: string;
}): PaddleReport {
  const { options: o, training, summary } = a;
  const learned = measure('learned', `overseer prefs --teacher human (this run), ${summary.labels} labels from the scripted annotator`, a.learned);
  const random = measure('random', 'uniformly random actions', a.random);
  const reference = a.reference ? measure('true-reward PPO', a.referenceMadeBy, a.reference) : null;
  return {
    format: 'overseer.paddle/1',
    command: o.command,
    prefsCommand: training.prefsCommand,
    date: new Date().toISOString(),
    gitCommit: gitCommit(),
    machine: machine(),
    settings: {
      envId: a.envId,
      steps: o.steps,
      labelBudget: o.labels,
      segmentLength: o.segmentLength,
      rewardModel: 'minatar',
      maxEpisodeSteps: o.maxEpisodeSteps,
      seed: o.seed,
      evalSeeds: a.learned.episodes.map((e) => e.seed),
      undoSeconds: 0,
    },
    ...runRecord(training, summary),
    measureRule: MEASURE_RULE_TEXT(a.learned.episodes.length, a.learned.maxEpisodeSteps),
    annotatorRule: ANNOTATOR_RULE_TEXT,
    learned,
    random,
    reference,
    picture: { episode: 0, fromFrame: 0, frames: 0, caption: '', bytes: 0 },
    verdict: verdict(learned, random, reference),
    notes: o.notes,
  };
}

export function reportMarkdown(r: PaddleReport): string {
  const policies = [r.learned, r.random, ...(r.reference ? [r.reference] : [])];
  const row = (m: PolicyMeasure) => `| ${m.name} | ${pct(m.trackingPooled)} | ${pm({ ...m.trackingShare, mean: 100 * m.trackingShare.mean, std: 100 * m.trackingShare.std }, 0)}% | ${pm(m.score, 2)} | ${pm(m.length, 0)} | ${m.capped} of ${m.episodes.length} |`;
  const lines = [
    '# Keeping the paddle under the ball, taught by comparisons',
    '',
    `Generated by \`${r.command}\` (${r.date.slice(0, 10)}, commit ${r.gitCommit ?? 'unknown'}).`,
    '',
    `${r.settings.envId} trained by \`overseer prefs --teacher human\`, labelled through the labeling server's HTTP API by a scripted annotator that sees only the clips' frames and prefers the clip in which the paddle stays in the ball's column (src/demos/paddle). Breakout's score rewards breaking bricks, not tracking; no reward for tracking exists anywhere in the run.`,
    '',
    `**${r.verdict}**`,
    '',
    '| | |',
    '|---|---|',
    `| labels the run trained on | ${r.labels.used} (budget ${r.settings.labelBudget}) |`,
    ...(r.labels.answers ? [`| answers the annotator posted | ${r.labels.posted}: left ${r.labels.answers.left}, right ${r.labels.answers.right}, equal ${r.labels.answers.equal}, can't tell ${r.labels.answers.incomparable} (they include the repeated pairs the server mixes in to measure a person's consistency, which do not count toward the budget, and any that arrived after the run's last round) |`] : []),
    `| env steps | ${r.envSteps} |`,
    `| clips | ${r.settings.segmentLength} frames; reward model \`--rm network=${r.settings.rewardModel}\` (MINATAR_PREFS_SETTINGS), MinAtar PPO preset |`,
    `| episodes | training and evaluation cut at ${r.settings.maxEpisodeSteps} steps |`,
    `| seed | ${r.settings.seed}; evaluation episodes reset with seeds ${r.settings.evalSeeds[0]}-${r.settings.evalSeeds[r.settings.evalSeeds.length - 1]} |`,
    `| wall clock | ${(r.wallClock.totalSeconds / 60).toFixed(1)} min for the preference run, labelling included, from start to exit (its training loop ${(r.wallClock.trainSeconds / 60).toFixed(1)} min); the measuring comes on top |`,
    `| machine | ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}, Node ${r.machine.node} |`,
    '',
    `The run: \`${r.prefsCommand}\``,
    '',
    '## The measure, against the references',
    '',
    '| policy | paddle under the ball (all steps) | per episode | score (bricks) | episode length (steps) | at the cap |',
    '|---|---|---|---|---|---|',
    ...policies.map(row),
    '',
    ...policies.map((m) => `- ${m.name}: ${m.madeBy}`),
    '',
    r.measureRule,
    '',
    '## Per episode (learned policy)',
    '',
    '| episode | seed | steps | under the ball | score |',
    '|---|---|---|---|---|',
    ...r.learned.episodes.map((e, k) => `| ${k + 1} | ${e.seed} | ${e.length}${e.capped ? ' (cap)' : ''} | ${e.tracked} of ${e.visible} (${pct(e.trackingShare)}) | ${e.score} |`),
    '',
    `The picture (${(r.picture.bytes / 1024).toFixed(0)} kB): ${r.picture.caption}.`,
    '',
    '## How the annotator judges',
    '',
    r.annotatorRule,
    '',
    ...(r.notes ? ['## Notes', '', r.notes.trim(), ''] : []),
  ];
  return lines.join('\n');
}
