import type { Env, ResetOptions, ResetResult, StepResult } from '../core.js';
import type { Action } from '../spaces.js';
import { Wrapper } from './wrapper.js';

/** Episode summary added to `info.episode` on the step that ends an episode. */
export interface EpisodeStatistics {
  /** Undiscounted return. */
  r: number;
  /** Length in steps. */
  l: number;
  /** Wall-clock seconds since the episode started. */
  t: number;
}

/** Tracks each episode's return and length, and keeps the last `bufferLength` of each. */
export class RecordEpisodeStatistics extends Wrapper {
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStart = 0;
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];

  constructor(
    env: Env,
    readonly bufferLength = 100,
  ) {
    super(env);
  }

  override reset(opts?: ResetOptions): ResetResult {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.episodeStart = performance.now();
    return this.env.reset(opts);
  }

  override step(action: Action): StepResult {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength += 1;
    if (r.terminated || r.truncated) {
      const episode: EpisodeStatistics = {
        r: this.episodeReturn,
        l: this.episodeLength,
        t: (performance.now() - this.episodeStart) / 1000,
      };
      r.info = { ...r.info, episode };
      pushBounded(this.returnQueue, episode.r, this.bufferLength);
      pushBounded(this.lengthQueue, episode.l, this.bufferLength);
    }
    return r;
  }
}

function pushBounded(q: number[], v: number, max: number): void {
  q.push(v);
  if (q.length > max) q.shift();
}
