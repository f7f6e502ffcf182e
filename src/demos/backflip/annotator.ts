/**
 * A scripted annotator for `overseer prefs --teacher human`: it labels through the labeling
 * server's HTTP API exactly as the labeling page does (src/demos/shared/labelingClient.ts), and
 * judges each pair only from what the page draws: the clips' render states, the hopper's poses. Asked "which is closer to a backflip?", it prefers
 * the clip whose torso turns further backwards and lands upright (`backflipScore`).
 *
 * It reads nothing a browser could not: no store, no rewards, no simulator. Its imports are the
 * API's types, the shared HTTP client and the pose arithmetic beside it (`annotator.test.ts`
 * checks both).
 */
import type { AnswerJson, QueryJson, SegmentJson } from '../../server/api.js';
import { decodeRender, labelOverHttp, type AnnotatorResult, type LabelingClientOptions } from '../shared/labelingClient.js';
import { backflipScore, hopperGeoms, torsoPoses, type HopperGeoms } from './poses.js';

/**
 * GET /api/runs/:run/scene, the fields read here: the run's render spec (src/envs/render.ts
 * MujocoRenderSpec, which the page draws from).
 */
export interface SceneJson {
  envId: string;
  spec: { kind: string; dt: number; geoms?: { name: string; size: number[] }[] } | null;
}

export interface AnnotatorOptions extends LabelingClientOptions {
  /** Scores closer than this (radians of rotation) are about the same: answer equal. */
  equalMargin?: number;
}

/** Default for `equalMargin`: about 6 degrees. */
export const EQUAL_MARGIN = 0.1;

/** A clip's backflip score from its drawn poses (null when the server sent no render states). */
export function clipScore(clip: SegmentJson, geoms: HopperGeoms, dt: number): number | null {
  if (clip.render === null) return null;
  return backflipScore(torsoPoses(decodeRender(clip.render), clip.renderSize, geoms), dt);
}

/** The answer to one pair, with both scores. */
export function judgePair(pair: QueryJson, scene: SceneJson, equalMargin = EQUAL_MARGIN): { answer: AnswerJson; left: number | null; right: number | null } {
  const spec = scene.spec;
  if (!spec || spec.kind !== 'mujoco' || !spec.geoms) throw new Error(`run's scene is not a MuJoCo scene (env ${scene.envId})`);
  const geoms = hopperGeoms(spec.geoms);
  const left = clipScore(pair.left, geoms, spec.dt);
  const right = clipScore(pair.right, geoms, spec.dt);
  // A clip the page could not draw cannot be judged: "can't tell", as a person would say.
  if (left === null || right === null || !Number.isFinite(left) || !Number.isFinite(right)) return { answer: 'incomparable', left, right };
  const answer: AnswerJson = Math.abs(left - right) < equalMargin ? 'equal' : left > right ? 'left' : 'right';
  return { answer, left, right };
}

/** Labels the run's pairs until it finishes (or `maxLabels`, or the signal). */
export function runAnnotator(opts: AnnotatorOptions): Promise<AnnotatorResult> {
  return labelOverHttp<SceneJson>({ ...opts, judge: (pair, scene) => judgePair(pair, scene, opts.equalMargin).answer });
}
