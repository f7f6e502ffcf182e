/** The backflip demo's results: what was run, on what, and what the policy does, as JSON and Markdown. */
import type { TrainingRecord } from '../shared/humanRun.js';
import { gitCommit, machine, pm, runRecord, stats, type Machine, type RunRecord, type RunSummary, type Stats } from '../shared/report.js';
import type { EpisodeMeasure, Evaluation } from './evaluate.js';
import { AIR_HEIGHT, AIRBORNE, FLIP_RULE, GET_UP, GROUND_TURN_WEIGHT, JUMP } from './poses.js';
import { EQUAL_MARGIN } from './annotator.js';

export interface BackflipReport extends RunRecord {
  format: 'overseer.backflip/1';
  command: string;
  prefsCommand: string;
  date: string;
  gitCommit: string | null;
  machine: Machine;
  settings: {
    envId: string;
    envKwargs: Record<string, unknown>;
    steps: number;
    labelBudget: number;
    segmentLength: number;
    segmentSeconds: number;
    /** Training episodes end (truncated) after this many steps; the evaluation's after `evalEpisodeSteps`. */
    trainingEpisodeSteps: number;
    evalEpisodeSteps: number;
    seed: number;
    evalSeeds: number[];
    undoSeconds: 0;
  };
  flipRule: string;
  /** How the scripted annotator scores a clip (`backflipScore`). */
  scoreRule: string;
  episodes: EpisodeMeasure[];
  summary: { flipsPerEpisode: Stats; landedFlipsPerEpisode: Stats; highFlipsPerEpisode: Stats; airFlipsPerEpisode: Stats; forwardReward: Stats; trueReturn: Stats; netBackwardTurns: Stats; uprightShare: Stats };
  /** A normally trained Hopper on the same evaluation episodes: how it was made, and its measures. */
  reference: { checkpoint: string; madeBy: string; forwardReward: Stats; trueReturn: Stats; flipsPerEpisode: Stats } | null;
  picture: { episode: number; fromFrame: number; toFrame: number; caption: string; bytes: number };
  verdict: string;
  /** Hand-written notes (Markdown) passed with --notes: earlier attempts, what changed. */
  notes: string | null;
}

export const FLIP_RULE_TEXT =
  `β = minus the torso's pitch (hip-to-head direction from vertical, read from the drawn poses), unwrapped. ` +
  `The base starts at β of the first frame and follows β down whenever β falls below it; each time β reaches base + 2π one flip is counted and the base moves up 2π. ` +
  `A flip's turn runs from the last frame the torso was its most forward (since the previous flip) to the frame the flip completes. ` +
  `A flip is high when the torso's centre stayed at least ${AIR_HEIGHT} m up throughout its turn: a roll along the ground is not, nor is a tucked flip, whose torso dips lower in the air. ` +
  `Less strict, a flip turned mostly in the air when the whole body was off the floor in at least ${100 * AIRBORNE.mostly}% of its turn's frames: every capsule's lowest point (the lower end of its axis, from the drawn position and quaternion, less its radius) more than ${AIRBORNE.clearance} m above the floor (Hopper-v5 lying on the floor reads about -0.003, a contact sinking in). A flip has landed when within ${FLIP_RULE.landingSeconds} s after it the torso is within ${Math.round((FLIP_RULE.uprightPitch * 180) / Math.PI)}° of upright with its centre at least ${FLIP_RULE.uprightHeight} m high.`;

const deg = (rad: number) => Math.round((rad * 180) / Math.PI);

export const SCORE_RULE_TEXT =
  `The scripted annotator prefers the clip with the higher \`backflipScore\` (src/demos/backflip/poses.ts), computed from the torso's drawn pose alone: ` +
  `the largest backward turn in the clip made while the torso is high (centre at least ${AIR_HEIGHT} m up; a turn on the ground counts ${GROUND_TURN_WEIGHT}), capped at one full turn; ` +
  `plus π when a full turn lands upright; minus half of the largest forward turn (up to π); plus 0.5 per metre of the torso's highest point; ` +
  `plus ${GET_UP.bonus} for getting up again: the clip ends with the torso within ${deg(FLIP_RULE.uprightPitch)}° of upright and its centre at least ${FLIP_RULE.uprightHeight} m high after a backward turn of at least ${deg(GET_UP.minTurn)}° (on the ground or not; ` +
  `more than the π/2 that standing up again by turning forwards half a turn costs); ` +
  `plus ${JUMP.perMetre} per metre the torso's centre rises above its standing ${JUMP.standing} m, unless the clip turns forwards ${deg(JUMP.maxForward)}° or more (a jump is how a backflip starts). ` +
  `Scores closer than ${EQUAL_MARGIN} are answered "equal".`;

export function backflipReport(a: {
  options: { command: string; steps: number; labels: number; segmentLength: number; seed: number; envKwargs: Record<string, unknown>; notes: string | null };
  training: TrainingRecord;
  summary: RunSummary;
  evaluation: Evaluation;
  reference: Evaluation | null;
  /** How the reference was made. */
  referenceMadeBy?: string;
  /** Steps of the run's training episodes (the evaluation's are `evaluation.maxEpisodeSteps`). */
  trainingEpisodeSteps: number;
}): BackflipReport {
  const { options: o, training, summary, evaluation: ev, reference } = a;
  const eps = ev.episodes;
  const s = summarize(eps);
  const ref = reference
    ? { checkpoint: reference.checkpoint, madeBy: a.referenceMadeBy ?? reference.checkpoint, forwardReward: stats(reference.episodes.map((e) => e.forwardReward)), trueReturn: stats(reference.episodes.map((e) => e.trueReturn)), flipsPerEpisode: stats(reference.episodes.map((e) => e.flips)) }
    : null;
  return {
    format: 'overseer.backflip/1',
    command: o.command,
    prefsCommand: training.prefsCommand,
    date: new Date().toISOString(),
    gitCommit: gitCommit(),
    machine: machine(),
    settings: {
      envId: ev.envId,
      envKwargs: o.envKwargs,
      steps: o.steps,
      labelBudget: o.labels,
      segmentLength: o.segmentLength,
      segmentSeconds: o.segmentLength * ev.spec.dt,
      trainingEpisodeSteps: a.trainingEpisodeSteps,
      evalEpisodeSteps: ev.maxEpisodeSteps,
      seed: o.seed,
      evalSeeds: eps.map((e) => e.seed),
      undoSeconds: 0,
    },
    ...runRecord(training, summary),
    flipRule: FLIP_RULE_TEXT,
    scoreRule: SCORE_RULE_TEXT,
    episodes: eps,
    summary: s,
    reference: ref,
    picture: { episode: 0, fromFrame: 0, toFrame: 0, caption: '', bytes: 0 },
    verdict: verdict(eps, s, ref),
    notes: o.notes,
  };
}

/** The evaluation's measures, each over the episodes. */
export function summarize(eps: readonly EpisodeMeasure[]): BackflipReport['summary'] {
  return {
    flipsPerEpisode: stats(eps.map((e) => e.flips)),
    landedFlipsPerEpisode: stats(eps.map((e) => e.landedFlips)),
    highFlipsPerEpisode: stats(eps.map((e) => e.highFlips)),
    airFlipsPerEpisode: stats(eps.map((e) => e.airFlips)),
    forwardReward: stats(eps.map((e) => e.forwardReward)),
    trueReturn: stats(eps.map((e) => e.trueReturn)),
    netBackwardTurns: stats(eps.map((e) => e.netBackwardTurns)),
    uprightShare: stats(eps.map((e) => e.uprightShare)),
  };
}

/** "a-b", or "a" when they read the same. */
function span(xs: readonly number[], show: (v: number) => string): string {
  const [lo, hi] = [show(Math.min(...xs)), show(Math.max(...xs))];
  return lo === hi ? lo : `${lo}-${hi}`;
}

const percent = (v: number) => (100 * v).toFixed(0);

/** One paragraph: did it flip, and if not, what it does instead (from the measures alone). */
export function verdict(eps: readonly EpisodeMeasure[], s: BackflipReport['summary'], ref: BackflipReport['reference']): string {
  const n = eps.length;
  const count = (f: (e: EpisodeMeasure) => boolean) => eps.filter(f).length;
  const fwd = `forward reward ${s.forwardReward.mean.toFixed(0)} per episode${ref ? ` (a normally trained Hopper on the same episodes: ${ref.forwardReward.mean.toFixed(0)})` : ''}`;
  const turns = `net backward rotation ${s.netBackwardTurns.mean.toFixed(2)} turns per episode`;
  if (s.landedFlipsPerEpisode.mean > 0) {
    return (
      `Backflips: ${s.landedFlipsPerEpisode.mean.toFixed(1)} landed upright per episode (in ${count((e) => e.landedFlips > 0)} of ${n} episodes), ` +
      `${s.flipsPerEpisode.mean.toFixed(1)} full backward turns per episode in all (${s.highFlipsPerEpisode.mean.toFixed(1)} of them with the torso high throughout, ${s.airFlipsPerEpisode.mean.toFixed(1)} turned mostly in the air); ${turns}; ${fwd}.`
    );
  }
  if (s.flipsPerEpisode.mean > 0) {
    const flips = eps.flatMap((e) => e.flipLowest.map((lowest, i) => ({ lowest, air: e.airShare[i] })));
    const inAir = flips.filter((f) => f.air >= AIRBORNE.mostly);
    const lows = (fs: typeof flips) => span(fs.map((f) => f.lowest), (h) => h.toFixed(2));
    const shares = (fs: typeof flips) => span(fs.map((f) => f.air), percent);
    let what: string;
    if (s.highFlipsPerEpisode.mean > 0) what = `${s.highFlipsPerEpisode.mean.toFixed(1)} per episode turned with the torso high throughout, but none landed`;
    else if (inAir.length > 0) {
      const which = inAir.length === flips.length ? 'they' : `${s.airFlipsPerEpisode.mean.toFixed(1)} per episode`;
      const rest = inAir.length === flips.length ? '' : `; the others stayed on the ground (off it for ${shares(flips.filter((f) => f.air < AIRBORNE.mostly))}% of the turn)`;
      what = `${which} turned mostly in the air (the whole body off the ground for ${shares(inAir)}% of each turn, the torso's centre down to ${lows(inAir)} m: a low, tucked turn in the air, not a roll along the ground)${rest}`;
    } else what = `the torso's centre went down to ${lows(flips)} m in them and the whole body was off the ground for ${shares(flips)}% of each turn: rolls over backwards along the ground, not flips in the air`;
    return `No landed backflip: ${s.flipsPerEpisode.mean.toFixed(1)} full backward turns per episode (in ${count((e) => e.flips > 0)} of ${n} episodes), none ending upright; ${what}. Upright ${(100 * s.uprightShare.mean).toFixed(0)}% of the time; ${turns}; ${fwd}.`;
  }
  const maxTurn = Math.max(...eps.map((e) => e.netBackwardTurns));
  return (
    `No backflip: no evaluation episode turned the torso a full turn backwards (${turns}, at most ${maxTurn.toFixed(2)}). ` +
    `Upright ${(100 * s.uprightShare.mean).toFixed(0)}% of the time, torso ${(eps.reduce((a, e) => a + e.meanHeight, 0) / n).toFixed(2)} m high on average; ${fwd}.`
  );
}

const f1 = (v: number) => v.toFixed(1);

export function reportMarkdown(r: BackflipReport): string {
  const seconds = (steps: number) => ((steps * r.settings.segmentSeconds) / r.settings.segmentLength).toFixed(2);
  const lines = [
    '# The backflip, taught by comparisons',
    '',
    `Generated by \`${r.command}\` (${r.date.slice(0, 10)}, commit ${r.gitCommit ?? 'unknown'}).`,
    '',
    `A Hopper-v5 (${JSON.stringify(r.settings.envKwargs)}) trained by \`overseer prefs --teacher human\`, labelled through the labeling server's HTTP API by a scripted annotator that sees only the clips' drawn poses and prefers the clip closer to a backflip (src/demos/backflip). No reward function for a backflip exists anywhere in the run.`,
    '',
    `**${r.verdict}**`,
    '',
    '| | |',
    '|---|---|',
    `| labels the run trained on | ${r.labels.used} (budget ${r.settings.labelBudget}) |`,
    ...(r.labels.answers ? [`| answers the annotator posted | ${r.labels.posted}: left ${r.labels.answers.left}, right ${r.labels.answers.right}, equal ${r.labels.answers.equal}, can't tell ${r.labels.answers.incomparable} (they include the repeated pairs the server mixes in to measure a person's consistency, which do not count toward the budget, and any that arrived after the run's last round) |`] : []),
    `| env steps | ${r.envSteps} |`,
    `| clips | ${r.settings.segmentLength} steps (${r.settings.segmentSeconds.toFixed(2)} s) |`,
    `| episodes | training: ${r.settings.trainingEpisodeSteps} steps (${seconds(r.settings.trainingEpisodeSteps)} s), then reset; evaluation: ${r.settings.evalEpisodeSteps} steps (${seconds(r.settings.evalEpisodeSteps)} s) |`,
    `| seed | ${r.settings.seed}; evaluation episodes reset with seeds ${r.settings.evalSeeds[0]}-${r.settings.evalSeeds[r.settings.evalSeeds.length - 1]}, deterministic policy |`,
    `| wall clock | ${(r.wallClock.totalSeconds / 60).toFixed(1)} min for the preference run, labelling included, from start to exit (its training loop ${(r.wallClock.trainSeconds / 60).toFixed(1)} min); the normal Hopper and the measuring come on top |`,
    `| flips per episode (full backward turns) | ${pm(r.summary.flipsPerEpisode, 2)}; turned with the torso high throughout: ${pm(r.summary.highFlipsPerEpisode, 2)}; landed upright: ${pm(r.summary.landedFlipsPerEpisode, 2)} |`,
    `| flips turned mostly in the air (≥ ${percent(AIRBORNE.mostly)}% of the turn airborne) | ${pm(r.summary.airFlipsPerEpisode, 2)} per episode |`,
    `| net backward rotation | ${pm(r.summary.netBackwardTurns, 2)} turns per episode |`,
    `| forward reward | ${pm(r.summary.forwardReward)} per episode${r.reference ? ` (normal Hopper, same episodes: ${pm(r.reference.forwardReward)})` : ''} |`,
    `| true return (Hopper-v5 reward) | ${pm(r.summary.trueReturn)}${r.reference ? ` (normal Hopper: ${pm(r.reference.trueReturn)})` : ''} |`,
    ...(r.reference ? [`| normal Hopper (for comparison) | ${r.reference.madeBy}; ${pm(r.reference.flipsPerEpisode, 2)} flips per episode |`] : []),
    `| machine | ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}, Node ${r.machine.node} |`,
    '',
    `The run: \`${r.prefsCommand}\``,
    '',
    '## Per episode',
    '',
    '| episode | seed | flips | high | landed | lowest torso centre in each flip (m) | in the air during each flip (share of its frames) | net backward turns | forward reward | true return | upright | mean / max torso height (m) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.episodes.map((e, k) => `| ${k + 1} | ${e.seed} | ${e.flips} | ${e.highFlips} | ${e.landedFlips} | ${e.flipLowest.map((h) => h.toFixed(2)).join(', ') || '-'} | ${e.airShare.map((a) => `${percent(a)}%`).join(', ') || '-'} | ${e.netBackwardTurns.toFixed(2)} | ${f1(e.forwardReward)} | ${f1(e.trueReturn)} | ${(100 * e.uprightShare).toFixed(0)}% | ${e.meanHeight.toFixed(2)} / ${e.maxHeight.toFixed(2)} |`),
    '',
    '## How flips are counted',
    '',
    r.flipRule,
    '',
    `The picture (${(r.picture.bytes / 1024).toFixed(0)} kB): ${r.picture.caption}.`,
    '',
    '## How the annotator scores',
    '',
    r.scoreRule,
    '',
    ...(r.notes ? ['## Notes', '', r.notes.trim(), ''] : []),
  ];
  return lines.join('\n');
}
