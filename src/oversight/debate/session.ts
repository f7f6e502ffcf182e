/**
 * A debate session (issue 23, deliverable 5): a run with env id MNIST-debate whose config holds
 * the game people play in it. People judge live debates between model debaters, or debate as the
 * honest player against the model liar before the model judge; every game is stored with the run.
 */
import { z } from 'zod';
import { DEBATE_ENV_ID } from '../../server/api.js';
import type { RunRecord } from '../../store/store.js';
import { MNIST_PIXELS } from './judge.js';
import { DEBATER_KINDS } from './play.js';

export { DEBATE_ENV_ID };

/**
 * The most MCTS rollouts per move a session may ask for. The model debaters' search runs
 * synchronously inside the server's requests (judge/next plays all k moves, a debater reveal the
 * liar's reply), and Node answers nothing else meanwhile. MCTS with the margin prior runs ~5,000
 * rollouts a second against the k = 6 judge of `debate train-judge` (mcts.ts), so 1,000 rollouts
 * are ~0.2 s a move, ~1.2 s to deal a k = 6 debate; the paper's 10,000 would stall the server
 * ~12 s a debate, for everyone.
 */
export const MAX_SESSION_ROLLOUTS = 1000;

export const DebateSessionSchema = z.object({
  /** Pixels revealed per debate (the paper: 4 or 6). */
  k: z.number().int().min(1).max(MNIST_PIXELS),
  /** The judge checkpoint (`debate train-judge`, or the tiny demo judge), trained for k. */
  judge: z.string().min(1),
  /** The model debaters: both sides when people judge, the liar when a person debates. */
  debater: z.enum(DEBATER_KINDS).default('mcts'),
  /** MCTS rollouts per move (ignored by greedy), at most `MAX_SESSION_ROLLOUTS`. */
  rollouts: z
    .number()
    .int()
    .positive()
    .max(
      MAX_SESSION_ROLLOUTS,
      `at most ${MAX_SESSION_ROLLOUTS}: the model debaters search inside the server's requests, holding up every other request meanwhile (~0.2 s a move at ${MAX_SESSION_ROLLOUTS} with the trained judge, so a judged debate at k = 6 takes ~1 s; the paper's 10,000 would take ~12 s)`,
    )
    .default(200),
  /** Both claims are named before the first reveal: a person judging has to see two claims up front. */
  precommit: z.literal(true).default(true),
});
export type DebateSession = z.infer<typeof DebateSessionSchema>;

/** The session's settings from its run, or an error saying what is wrong with them. */
export function debateSessionOf(run: Pick<RunRecord, 'id' | 'envId' | 'config'>): DebateSession {
  if (run.envId !== DEBATE_ENV_ID) throw new Error(`run ${run.id} is not a debate session (its env is ${run.envId}, not ${DEBATE_ENV_ID})`);
  const parsed = DebateSessionSchema.safeParse((run.config as { debate?: unknown } | null)?.debate);
  if (!parsed.success) throw new Error(`run ${run.id}: its debate settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'debate'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
