/**
 * Deep RL from human preferences (Christiano, Leike et al. 2017), as the paper's algorithm:
 *
 *   1. the initial policy acts; its segments fill the pool;
 *   2. a quarter of the label budget is asked about random pairs of them;
 *   3. the reward model r̂ is pretrained on those answers;
 *   4. then, round after round: PPO trains one rollout on r̂; the labels due on the schedule
 *      are asked, choosing pairs by ensemble disagreement; the answers that have arrived are
 *      stored; and r̂ is refitted every `fitEvery` env steps once new labels are in.
 *
 * "Asynchronous in spirit": the policy never waits for the teacher. Queries are handed over,
 * answers are polled between rounds. True rewards reach only a simulated teacher and the logs.
 * The run's state and its named steps are in `run.ts`; teachers, query selection and the
 * store are strategies passed in (`RunParts`).
 *
 * Label efficiency after 2017, each an option off by default (`config.ts`): PEBBLE's
 * pre-training is a step 0 here (PPO on state entropy before the initial policy acts); SURF's
 * pseudo-labels and QPA's sub-clips live in the fit (`run.fit`, `RewardModel.fit`), QPA's
 * policy-aligned queries in the selector, RUNE's bonus in the reward PPO is paid (`learnedReward.ts`).
 */
import type { PrefsConfigInput, PrefsMetrics } from './config.js';
import { PrefsConfigSchema } from './config.js';
import { PreferenceRun, type PreferenceRunState, type RunParts } from './run.js';
import type { ActorCritic } from '../rl/agent.js';
import type { PreferenceModel } from './rewardModel.js';

export { PREFS_PPO_SETTINGS, PrefsConfigSchema, prefsPpoConfig, type PrefsConfig, type PrefsConfigInput, type PrefsMetrics } from './config.js';
export { normalizationSegments, toComparison, targetOf, PreferenceRun, type PreferenceRunState } from './run.js';

export interface PrefsHooks extends RunParts {
  /** Continue from this state (a run's `state()`), instead of starting a new run. */
  resumeFrom?: PreferenceRunState;
  /** Once the run is built (before anything is asked): e.g. to save its first checkpoint. */
  onStart?: (run: PreferenceRun) => void;
  /** After every round, with its metrics; `run.state()` is a checkpoint of the run at this point. */
  onRound?: (m: PrefsMetrics, run: PreferenceRun) => void;
  /** Checked between rounds; once aborted the loop stops and returns. */
  signal?: AbortSignal;
  /** While RL waits for labels (the initial ones, or pacing): how many it waits for, polled every `waitPollMs`; 0 once a wait is over. */
  onWait?: (waitingFor: number, run: PreferenceRun) => void;
  /** How often a waiting run polls the teacher (default 250 ms). */
  waitPollMs?: number;
}

/** What a finished (or interrupted) run leaves: the policy and reward model, and a light checkpoint of both. */
export interface PrefsResult {
  agent: ActorCritic;
  rewardModel: PreferenceModel;
  envSteps: number;
  labels: number;
  interrupted: boolean;
  checkpoint: PrefsCheckpoint;
  /** When interrupted, the run's state to resume from. */
  state: PreferenceRunState | null;
}

/** A policy with its reward model, for evaluation and inspection (resume uses the run's full state). */
export interface PrefsCheckpoint {
  format: 'overseer.prefs';
  version: 2;
  agent: ReturnType<ActorCritic['save']>;
  /** The reward model's `save({ optimizer: false })` (the default ensemble: a `RewardModelJson` without Adam's moments). */
  rewardModel: unknown;
}

export async function trainFromPreferences(input: PrefsConfigInput, hooks: PrefsHooks): Promise<PrefsResult> {
  const cfg = PrefsConfigSchema.parse(input);
  const run = hooks.resumeFrom ? PreferenceRun.resume(cfg, hooks.resumeFrom, hooks) : PreferenceRun.start(cfg, hooks);
  try {
    hooks.onStart?.(run);
    let interrupted = false;
    while (run.phase === 'initial' && run.unsupervisedDue) {
      // 0. (option) PEBBLE: first the policy learns to visit varied states, paid their entropy
      if (hooks.signal?.aborted) {
        interrupted = true;
        break;
      }
      hooks.onRound?.(run.metrics(run.pretrainPolicy()), run);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (run.phase === 'initial' && !interrupted) {
      run.endUnsupervised();
      run.collectSegments(run.initialSteps); // 1. the initial policy's segments
      run.ask(run.schedule.initial - run.asked); // 2. its share of the labels, on random pairs
      run.beginPretraining();
    }
    if (run.phase === 'pretraining' && !interrupted) {
      // People answer when they answer: RL starts once they have (the paper pretrains first).
      interrupted = !(await waitForLabels(run, cfg.waitForInitialLabels ? 0 : Number.POSITIVE_INFINITY, hooks));
      if (!interrupted) {
        run.fit(cfg.initialEpochs); // 3. pretrain r̂
        run.beginRL();
      }
    }
    while (!run.done && !interrupted) {
      if (hooks.signal?.aborted) {
        interrupted = true;
        break;
      }
      // People set the pace: RL waits while too many of their answers are outstanding.
      if (cfg.maxPendingLabels !== null && !(await waitForLabels(run, cfg.maxPendingLabels, hooks))) {
        interrupted = true;
        break;
      }
      run.collectScaledSegments(); //    (option) the policy's clips at other action scales, for queries only
      if (run.done) break;
      const ppo = run.trainPolicy(); // 4. a round of RL on r̂
      run.askDue(); //    labels due by now, chosen by the selector
      run.collectAnswers(); //    whatever has been answered (never waits)
      if (run.fitDue) run.fit(cfg.epochsPerFit); //    refit r̂
      const metrics = run.metrics(ppo); // (also when nobody listens: it drains the round's episode returns)
      hooks.onRound?.(metrics, run);
      // Yield to the event loop between rounds: signals such as Ctrl-C are delivered there.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const state = interrupted ? run.state() : null;
    return { agent: run.ppo.agent, rewardModel: run.model, envSteps: run.envSteps, labels: run.labels, interrupted, checkpoint: prefsCheckpoint(run), state };
  } finally {
    run.close();
  }
}

/**
 * Polls the teacher until at most `pending` queries are unanswered; false if aborted first.
 * Answers are stored as they come, as in a round.
 */
async function waitForLabels(run: PreferenceRun, pending: number, hooks: PrefsHooks): Promise<boolean> {
  run.collectAnswers();
  let waited = false;
  while (run.pending > pending) {
    if (hooks.signal?.aborted) return false;
    hooks.onWait?.(run.pending - pending, run);
    waited = true;
    await new Promise<void>((resolve) => setTimeout(resolve, hooks.waitPollMs ?? 250));
    run.collectAnswers();
  }
  // The wait is over: said once, so whoever shows it stops.
  if (waited) hooks.onWait?.(0, run);
  return true;
}

export function prefsCheckpoint(run: PreferenceRun): PrefsCheckpoint {
  return { format: 'overseer.prefs', version: 2, agent: run.ppo.agent.save(run.agentMeta()), rewardModel: run.model.save({ optimizer: false }) };
}
