/**
 * The clip pool of the reward-model weak-to-strong experiment: segments with their true rewards,
 * recorded over one true-reward PPO run, so the pool spans the policies of training (from the
 * random initial policy to the trained one), cached on disk as versioned JSON.
 *
 * The same PPO run is the true-reward reference for the downstream RL table (same PPO settings
 * and step count as the runs on learned rewards).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { makeVec } from '../../../envs/vector/make.js';
import type { VectorEnv, VectorStepResult } from '../../../envs/vector/types.js';
import { VectorWrapper } from '../../../envs/vector/wrapper.js';
import { modelActionSize } from '../../../prefs/learnedReward.js';
import { SegmentRecorder, defaultSegmentLength, segmentFromRecord, segmentToRecord, trueReturn, type Segment, type SegmentRecord, type SegmentTruth } from '../../../prefs/segments.js';
import { evaluatePolicy } from '../../../rl/evaluate.js';
import { Ppo } from '../../../rl/ppo.js';
import { make, registration } from '../../../envs/registry.js';
import { w2sRewardPpoConfig } from './rl.js';

/** One clip of the pool: what a reward model may see, its true return, and when in training it was recorded. */
export interface PoolSegment {
  segment: Segment;
  truth: SegmentTruth;
  /** Sum of the true rewards. */
  trueReturn: number;
}

export interface Pool {
  envId: string;
  /** Seed of the true-reward PPO run that recorded it. */
  seed: number;
  /** Env steps of that run. */
  steps: number;
  segmentLength: number;
  segments: PoolSegment[];
  /** Deterministic evaluation of the recording run's final policy (true reward): the RL table's reference. */
  reference: { meanReturn: number; returns: number[] };
  /** Wall-clock seconds the recording run took. */
  seconds: number;
}

export interface PoolOptions {
  envId: string;
  seed: number;
  /** Env steps of the recording PPO run. */
  steps: number;
  /** Segments kept, evenly spaced over the run's completed segments. */
  size: number;
  /** Deterministic evaluation episodes of the final policy. */
  evalEpisodes: number;
}

/** Passes the true reward through and cuts the steps into segments (recorded, not shown to anyone). */
export class VecRecordSegments extends VectorWrapper {
  private lastObs: Float32Array | null = null;
  globalStep = 0;

  constructor(
    env: VectorEnv,
    private readonly recorder: SegmentRecorder,
    private readonly onSegments: (s: { segment: Segment; truth: SegmentTruth }[]) => void,
  ) {
    super(env);
  }

  override reset(opts?: Parameters<VectorEnv['reset']>[0]) {
    const r = this.env.reset(opts);
    this.lastObs = r.obs;
    this.recorder.discardOpen();
    return r;
  }

  override step(actions: ArrayLike<number>): VectorStepResult {
    const obs = this.lastObs;
    if (obs === null) throw new Error('VecRecordSegments: step called before reset');
    const r = this.env.step(actions);
    const done = this.recorder.record(this.globalStep, obs, undefined, actions, r.rewards, r.terminated, r.truncated);
    if (done.length > 0) this.onSegments(done);
    this.globalStep += this.numEnvs;
    this.lastObs = r.obs;
    return r;
  }
}

/** `size` indices evenly spaced over [0, n) (all of them when n <= size). */
export function evenlySpaced(n: number, size: number): number[] {
  if (n <= size) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: size }, (_, i) => Math.floor(((i + 0.5) * n) / size));
}

/** The preference loop's segment length for the env: 1.5 s of simulated time (as `prefs/run.ts` picks it). */
export function poolSegmentLength(envId: string): number {
  const probe = make(envId);
  try {
    return defaultSegmentLength(probe.renderSpec()?.dt ?? 0.05, registration(envId).maxEpisodeSteps);
  } finally {
    probe.close();
  }
}

/** Runs true-reward PPO, recording every completed segment, and keeps `size` of them spread over the run. */
export async function collectPool(o: PoolOptions, log: (line: string) => void = () => {}): Promise<Pool> {
  const t0 = performance.now();
  const segmentLength = poolSegmentLength(o.envId);
  const all: { segment: Segment; truth: SegmentTruth }[] = [];
  const cfg = w2sRewardPpoConfig(o.envId, o.seed, o.steps);
  const ppo = new Ppo(cfg, {
    makeEnv: (c) => {
      const raw = makeVec(c.envId, { numEnvs: c.numEnvs, mode: c.vectorization, makeOptions: { kwargs: c.envKwargs }, infoKeys: ['episode'] });
      const recorder = new SegmentRecorder({ envId: c.envId, seed: c.seed, numEnvs: raw.numEnvs, obsSize: raw.obsSize, actionSize: modelActionSize(raw), renderSize: 0, segmentLength });
      return new VecRecordSegments(raw, recorder, (s) => all.push(...s));
    },
  });
  try {
    await ppo.learn(Number.POSITIVE_INFINITY, {
      onUpdate: (m) => {
        if (m.update % 20 === 0) log(`pool ${o.envId} seed ${o.seed}: ${m.globalStep} steps, return ${m.episodicReturn?.toFixed(1) ?? '-'}, ${all.length} segments`);
      },
    });
    const ev = evaluatePolicy(ppo.agent, o.envId, { episodes: o.evalEpisodes, seed: 1_000_000 + o.seed, deterministic: true });
    const segments = evenlySpaced(all.length, o.size).map((i) => ({ ...all[i], trueReturn: trueReturn(all[i].truth) }));
    return { envId: o.envId, seed: o.seed, steps: o.steps, segmentLength, segments, reference: { meanReturn: ev.mean, returns: ev.returns }, seconds: (performance.now() - t0) / 1000 };
  } finally {
    ppo.close();
  }
}

// ---------------------------------------------------------------------------------------
// On disk
// ---------------------------------------------------------------------------------------

const PoolFileSchema = z.object({
  format: z.literal('overseer.w2s-reward-pool'),
  version: z.literal(1),
  envId: z.string(),
  seed: z.number().int(),
  steps: z.number().int(),
  segmentLength: z.number().int().positive(),
  reference: z.object({ meanReturn: z.number(), returns: z.array(z.number()) }),
  seconds: z.number(),
  segments: z.array(z.record(z.string(), z.unknown())),
});

export function savePool(path: string, pool: Pool): void {
  mkdirSync(dirname(path), { recursive: true });
  const { segments, ...rest } = pool;
  const json = { format: 'overseer.w2s-reward-pool', version: 1, ...rest, segments: segments.map((s) => segmentToRecord(s)) };
  writeFileSync(`${path}.tmp`, JSON.stringify(json));
  renameSync(`${path}.tmp`, path);
}

/** Reads a saved pool; a file of another format, or a segment without its true rewards, is an error naming the file. */
export function loadPool(path: string): Pool {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not a readable JSON pool (${(e as Error).message})`);
  }
  const parsed = PoolFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: not a w2s reward pool (format overseer.w2s-reward-pool, version 1): ${parsed.error.issues[0]?.message}`);
  const { segments, ...rest } = parsed.data;
  return {
    ...rest,
    segments: segments.map((rec, i) => {
      const { segment, truth } = segmentFromRecord(rec as unknown as SegmentRecord, `${path} segment ${i}`);
      if (!truth) throw new Error(`${path} segment ${i}: no true rewards`);
      return { segment, truth, trueReturn: trueReturn(truth) };
    }),
  };
}

/** The cached pool at `path`, or a new one recorded and saved there. */
export async function cachedPool(path: string, o: PoolOptions, log: (line: string) => void = () => {}): Promise<Pool> {
  if (existsSync(path)) return loadPool(path);
  const pool = await collectPool(o, log);
  savePool(path, pool);
  return pool;
}
