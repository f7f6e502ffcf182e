/**
 * The paddle demo's scripted annotator for `overseer prefs --teacher human` on
 * MinAtar/Breakout-v1: it labels through the labeling server's HTTP API as the labeling page
 * does (src/demos/shared/labelingClient.ts) and judges each pair only from what the page draws,
 * the clips' channel grids. Asked "in which clip does the paddle stay under the ball?", it
 * prefers the clip with more frames showing the paddle in the ball's column (frames without a
 * visible ball do not count); equal counts are "about the same".
 *
 * It reads nothing a browser could not: no store, no rewards, no game. Its imports are the API's
 * types, the shared HTTP client and the frame arithmetic beside it (`annotator.test.ts` checks).
 */
import type { AnswerJson, QueryJson, SegmentJson } from '../../server/api.js';
import { decodeRender, labelOverHttp, type AnnotatorResult, type LabelingClientOptions } from '../shared/labelingClient.js';
import { breakoutLayout, tracking, type BreakoutLayout, type Tracking } from './frames.js';

/** GET /api/runs/:run/scene, the fields read here: the run's render spec (src/envs/render.ts ChannelsRenderSpec). */
export interface SceneJson {
  envId: string;
  spec: { kind: string; rows?: number; cols?: number; channels?: string[] } | null;
}

/** A clip's tracking from its drawn frames (null when the server sent no render states). */
export function clipTracking(clip: SegmentJson, g: BreakoutLayout): Tracking | null {
  if (clip.render === null) return null;
  const render = decodeRender(clip.render);
  if (clip.renderSize !== g.rows * g.cols * g.channels || render.length !== clip.length * clip.renderSize) return null;
  return tracking(render, g);
}

/** The answer to one pair, with both clips' tracking. */
export function judgePair(pair: QueryJson, scene: SceneJson): { answer: AnswerJson; left: Tracking | null; right: Tracking | null } {
  if (!scene.spec) throw new Error(`run's scene has no render spec (env ${scene.envId})`);
  const g = breakoutLayout(scene.spec);
  const left = clipTracking(pair.left, g);
  const right = clipTracking(pair.right, g);
  // A clip the page could not draw cannot be judged: "can't tell", as a person would say.
  if (left === null || right === null) return { answer: 'incomparable', left, right };
  const answer: AnswerJson = left.tracked === right.tracked ? 'equal' : left.tracked > right.tracked ? 'left' : 'right';
  return { answer, left, right };
}

/** Labels the run's pairs until it finishes (or `maxLabels`, or the signal). */
export function runAnnotator(opts: LabelingClientOptions): Promise<AnnotatorResult> {
  return labelOverHttp<SceneJson>({ ...opts, judge: (pair, scene) => judgePair(pair, scene).answer });
}
