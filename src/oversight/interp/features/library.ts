/**
 * A feature library: the named, documented quantities a person would use to describe what an
 * agent is doing in one env (issue 22 item 2). It is the symbolic explainer's vocabulary
 * (explain.ts): every explanation is a sentence over these names.
 *
 * A library reads a clip as a reward model sees it — observations and actions as the env took
 * them, plus the render state when the env records one — and returns one `StateFeatures` per
 * step. Libraries that need a simulator (MuJoCo contacts) hold one; `close` frees it.
 */
import type { Segment } from '../../../prefs/segments.js';
import type { FeatureSpec, StateFeatures } from '../records.js';

/** The steps of a clip: a stored `Segment`'s, or a recorded rollout's (actions as the reward model sees them). */
export type ClipSteps = Pick<Segment, 'length' | 'obsSize' | 'actionSize' | 'obs' | 'actions' | 'renderSize' | 'render'>;

export interface FeatureLibrary {
  readonly envId: string;
  /** Every feature the library computes, with its kind and a one-line description. */
  readonly features: readonly FeatureSpec[];
  /** The features of each step of a clip, in order. */
  clip(steps: ClipSteps): StateFeatures[];
  /** Frees what the library holds (a MuJoCo model and its data). */
  close(): void;
}

/** Checks that every state carries exactly the library's features, each of its kind and finite. */
export function assertFeatures(lib: Pick<FeatureLibrary, 'envId' | 'features'>, states: readonly StateFeatures[]): void {
  for (const [t, s] of states.entries()) {
    for (const spec of lib.features) {
      const v = s[spec.name];
      const ok = spec.kind === 'boolean' ? typeof v === 'boolean' : typeof v === 'number' && Number.isFinite(v);
      if (!ok) throw new Error(`${lib.envId} features, step ${t}: ${spec.name} should be a ${spec.kind === 'boolean' ? 'boolean' : 'finite number'}, got ${String(v)}`);
    }
    if (Object.keys(s).length !== lib.features.length) throw new Error(`${lib.envId} features, step ${t}: ${Object.keys(s).length} values for ${lib.features.length} features`);
  }
}
