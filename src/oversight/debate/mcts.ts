/**
 * The MCTS debater (the paper's agents: Monte Carlo tree search with PUCT, 10,000 rollouts per
 * move; Irving et al. 2018 §3.1). Before each of its reveals the mover searches from the current
 * position and plays the most-visited reveal.
 *
 * - State: the revealed pixels (and so whose turn it is); actions: unrevealed nonzero pixels.
 *   Search plays moves through `DebateGame.reveal`, so it obeys the same rules as the game.
 * - Selection, PUCT (AlphaZero's form): argmax_a Q(s,a) + c_puct · P(s,a) · √N(s) / (1 + N(s,a)),
 *   Q from the point of view of the player to move at s (the game is zero-sum, so a value v for
 *   the honest player is −v for the liar). Unvisited edges have Q = 0, the value of a coin flip.
 * - Priors P: `uniform`, or `margin`: a softmax over the one-step honest margins (the greedy
 *   debater's scores, signed for the mover, divided by a temperature), one judge batch per node,
 *   paid on the node's second visit so that leaves seen once stay cheap.
 * - Defaults (prior margin, leaf margin) are measured, not assumed: `debate play --design-images`
 *   plays each prior × leaf against greedy at an equal rollout budget (debate.md, "MCTS design").
 *   With the k=6 judge of `debate train-judge` (200 images, 64 rollouts per move) the margin prior
 *   won 80–82% as honest and 29–31% as liar, uniform 49–60% and 4–6%. It costs ~25 judge rows
 *   per rollout (~5k rollouts/s against ~80k), yet still wins at equal time: uniform with 1,024
 *   rollouts (the same search seconds) won 82–83% as honest but only 13–15% as liar. The leaf
 *   value matters less under the margin prior (margin leaf 82/30.5, rollout 80/29), more under
 *   uniform (60/5.5 against 49/3.5), so the default is the margin leaf.
 * - Leaf value: at a terminal state, the game's outcome (+1 honest wins, −1 liar wins, ties to the
 *   liar). Elsewhere either `rollout`, random reveals to k then the outcome, or `margin`, the
 *   judge's current honest margin squashed by tanh(margin / marginScale).
 * - Batching: `batch` simulations descend together, each leaving a virtual loss on its path so
 *   the next one spreads out; their leaves go to the judge in one call. Terminal values are cached.
 */
import { z } from 'zod';
import { Rng } from '../../utils/rng.js';
import { honestMargin, winnerOf, type DebateGame, type Debater } from './game.js';
import { marginsAfterReveal } from './greedy.js';
import type { Judge, Revealed } from './judge.js';

export const MctsOptionsSchema = z.object({
  /** Simulations (rollouts) per move; the paper used 10,000, which 2 CPU cores cannot afford on 1,000 images × 9 lies. */
  rollouts: z.number().int().positive().default(100),
  /** Exploration constant of PUCT. */
  cPuct: z.number().positive().default(1),
  /** Priors over reveals: uniform, or a softmax of one-step judge margins. */
  prior: z.enum(['uniform', 'margin']).default('margin'),
  /** Temperature of the margin prior's softmax (in logit units). */
  priorTemperature: z.number().positive().default(1),
  /** Value of a non-terminal leaf: a random rollout to k reveals, or the judge's current margin. */
  leaf: z.enum(['rollout', 'margin']).default('margin'),
  /** Scale s of the margin leaf value tanh(margin / s). */
  marginScale: z.number().positive().default(2),
  /** Simulations whose leaves are evaluated in one judge call. */
  batch: z.number().int().positive().default(16),
  /** Seed of the rollouts' random reveals. */
  seed: z.number().int().nonnegative().default(0),
});
export type MctsOptions = z.infer<typeof MctsOptionsSchema>;

/** A searched position. Edge statistics are from the view of the player to move here. */
export interface MctsNode {
  honestToMove: boolean;
  moves: number[];
  /** Set on the node's second visit (see `priors`). */
  prior: Float64Array | null;
  n: Float64Array;
  w: Float64Array;
  children: (MctsNode | null)[];
  visits: number;
  /** The outcome for the honest player once a terminal node has been judged. */
  terminal: number | null;
}

/** Running totals, for rollouts per second and judge rows per move. */
export interface MctsStats {
  moves: number;
  simulations: number;
  judgeRows: number;
  judgeCalls: number;
  seconds: number;
}

export class MctsDebater implements Debater {
  readonly name = 'mcts';
  readonly opts: MctsOptions;
  readonly stats: MctsStats = { moves: 0, simulations: 0, judgeRows: 0, judgeCalls: 0, seconds: 0 };
  private readonly rng: Rng;

  constructor(opts: Partial<MctsOptions> = {}) {
    this.opts = MctsOptionsSchema.parse(opts);
    this.rng = new Rng(this.opts.seed);
  }

  choose(game: DebateGame, judge: Judge): number {
    const t0 = performance.now();
    const root = this.search(game, judge);
    this.stats.moves++;
    this.stats.seconds += (performance.now() - t0) / 1000;
    return bestMove(root);
  }

  /** Runs the simulations from `game`'s position and returns the root (exported for tests via `searchRoot`). */
  search(game: DebateGame, judge: Judge): MctsNode {
    const { rollouts, batch } = this.opts;
    const root = this.newNode(game);
    if (root.moves.length === 1) return root;
    for (let done = 0; done < rollouts; ) {
      const size = Math.min(batch, rollouts - done);
      this.simulateBatch(root, game, judge, size);
      done += size;
    }
    return root;
  }

  private judgeLogits(judge: Judge, batch: readonly Revealed[]): Float32Array {
    this.stats.judgeCalls++;
    this.stats.judgeRows += batch.length;
    return judge.logits(batch);
  }

  private newNode(game: DebateGame): MctsNode {
    const moves = game.over ? [] : game.legal();
    const honestToMove = !game.over && game.mover() === 'honest';
    return { honestToMove, moves, prior: null, n: new Float64Array(moves.length), w: new Float64Array(moves.length), children: new Array<MctsNode | null>(moves.length).fill(null), visits: 0, terminal: null };
  }

  /**
   * Priors are set when a node is first searched from, i.e. on its second visit: a leaf seen once
   * costs one judge row, not a batch of ~150 for the margin prior.
   */
  private priors(node: MctsNode, game: DebateGame, judge: Judge): Float64Array {
    if (node.prior) return node.prior;
    const prior = new Float64Array(node.moves.length);
    if (this.opts.prior === 'margin') {
      this.stats.judgeCalls++;
      this.stats.judgeRows += node.moves.length;
      const m = marginsAfterReveal(game, judge, node.moves);
      const sign = node.honestToMove ? 1 : -1;
      const t = this.opts.priorTemperature;
      let max = -Infinity;
      for (let i = 0; i < m.length; i++) max = Math.max(max, (sign * m[i]) / t);
      let sum = 0;
      for (let i = 0; i < m.length; i++) sum += prior[i] = Math.exp((sign * m[i]) / t - max);
      for (let i = 0; i < m.length; i++) prior[i] /= sum;
    } else {
      prior.fill(1 / node.moves.length);
    }
    node.prior = prior;
    return prior;
  }

  private simulateBatch(root: MctsNode, rootGame: DebateGame, judge: Judge, size: number): void {
    const paths: { node: MctsNode; a: number }[][] = [];
    const pending: { path: number; leaf: MctsNode; kind: 'terminal' | 'rollout' | 'margin' }[] = [];
    const shown: Revealed[] = [];
    const values = new Float64Array(size);
    for (let s = 0; s < size; s++) {
      const game = rootGame.clone();
      const path: { node: MctsNode; a: number }[] = [];
      let node = root;
      for (;;) {
        if (node.terminal !== null) {
          values[s] = node.terminal;
          break;
        }
        if (game.over) {
          pending.push({ path: s, leaf: node, kind: 'terminal' });
          shown.push(game.revealed());
          break;
        }
        const a = selectPuct({ prior: this.priors(node, game, judge), n: node.n, w: node.w, visits: node.visits }, this.opts.cPuct);
        // Virtual loss: count the visit now and score it a loss for the mover until backed up.
        node.n[a] += 1;
        node.w[a] -= 1;
        node.visits += 1;
        path.push({ node, a });
        game.reveal(node.moves[a]);
        const child = node.children[a];
        if (child === null) {
          const leaf = this.newNode(game);
          node.children[a] = leaf;
          if (game.over) {
            pending.push({ path: s, leaf, kind: 'terminal' });
            shown.push(game.revealed());
          } else if (this.opts.leaf === 'rollout') {
            this.rollout(game);
            pending.push({ path: s, leaf, kind: 'rollout' });
            shown.push(game.revealed());
          } else {
            pending.push({ path: s, leaf, kind: 'margin' });
            shown.push(game.revealed());
          }
          break;
        }
        node = child;
      }
      paths.push(path);
    }
    if (shown.length > 0) {
      const logits = this.judgeLogits(judge, shown);
      pending.forEach((p, i) => {
        const margin = honestMargin(logits, i, rootGame.truth, rootGame.lie);
        const v = p.kind === 'margin' ? Math.tanh(margin / this.opts.marginScale) : winnerOf(margin) === 'honest' ? 1 : -1;
        if (p.kind === 'terminal') p.leaf.terminal = v;
        values[p.path] = v;
      });
    }
    for (let s = 0; s < size; s++) {
      const v = values[s];
      for (const { node, a } of paths[s]) node.w[a] += 1 + (node.honestToMove ? v : -v);
    }
    this.stats.simulations += size;
  }

  /** Random reveals (uniform over the legal pixels) until k are shown. */
  private rollout(game: DebateGame): void {
    const nz = game.nonzero;
    while (!game.over) {
      // Rejection keeps this O(1): at most k of the image's pixels are shown.
      let p = nz[this.rng.integer(nz.length)];
      while (game.isShown(p)) p = nz[this.rng.integer(nz.length)];
      game.reveal(p);
    }
  }
}

/** PUCT's choice at `node` (ties: the lower index, i.e. the lower pixel). */
export function selectPuct(node: { prior: ArrayLike<number>; n: ArrayLike<number>; w: ArrayLike<number>; visits: number }, cPuct: number): number {
  const sqrtN = Math.sqrt(Math.max(1, node.visits));
  let best = 0;
  let bestScore = -Infinity;
  for (let a = 0; a < node.prior.length; a++) {
    const q = node.n[a] > 0 ? node.w[a] / node.n[a] : 0;
    const score = q + (cPuct * node.prior[a] * sqrtN) / (1 + node.n[a]);
    if (score > bestScore) {
      bestScore = score;
      best = a;
    }
  }
  return best;
}

/** The root's most-visited reveal; ties go to the higher mean value, then the lower pixel. */
function bestMove(root: MctsNode): number {
  let best = 0;
  for (let a = 1; a < root.moves.length; a++) {
    const qa = root.n[a] > 0 ? root.w[a] / root.n[a] : -Infinity;
    const qb = root.n[best] > 0 ? root.w[best] / root.n[best] : -Infinity;
    if (root.n[a] > root.n[best] || (root.n[a] === root.n[best] && qa > qb)) best = a;
  }
  return root.moves[best];
}

/** The root's visit counts and mean values per reveal, for tests and inspection. */
export function searchRoot(debater: MctsDebater, game: DebateGame, judge: Judge): { moves: number[]; visits: number[]; q: number[]; best: number } {
  const root = debater.search(game, judge);
  return {
    moves: root.moves,
    visits: Array.from(root.n),
    q: Array.from(root.n, (n, a) => (n > 0 ? root.w[a] / n : 0)),
    best: bestMove(root),
  };
}
