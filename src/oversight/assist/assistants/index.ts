/** The assistants a trial can use, by name. */
import type { RenderSpec } from '../../../envs/render.js';
import type { Segment } from '../../../prefs/segments.js';
import type { SimulatedTeacherParams } from '../../../prefs/teachers.js';
import type { Rng } from '../../../utils/rng.js';
import type { ClipView } from '../../views/view.js';
import type { Assistant } from '../critique.js';
import { RandomAssistant } from './random.js';
import { RRM_DEFAULTS, trainRrm } from './rrm.js';
import { trainDisagreement } from './disagreement.js';
import { trainSupervised } from './supervised.js';

export const ASSISTANT_NAMES = ['random', 'disagreement', 'supervised', 'rrm'] as const;
export type AssistantName = (typeof ASSISTANT_NAMES)[number];

export interface AssistantContext {
  rng: Rng;
  view: ClipView;
  spec: RenderSpec;
  /** The overseer's B-Pref noise (a trained assistant learns from its judgments). */
  params: SimulatedTeacherParams;
  /** Pairs to train on, drawn apart from the trial's. */
  trainingPairs: () => { id: string; left: Segment; right: Segment }[];
  /** Labels a trained assistant gets (from the overseer; for `supervised`, the audit sample's size). */
  labels: number;
  /** The full view, whose answers make the audit sample (`supervised` only). */
  auditor: ClipView;
}

export function assistantFor(name: string, ctx: AssistantContext): Assistant {
  switch (name) {
    case 'random':
      return new RandomAssistant(ctx.rng);
    case 'disagreement':
      return trainDisagreement(ctx.view, ctx.spec, ctx.trainingPairs(), ctx.labels, ctx.params, ctx.rng);
    case 'supervised':
      return trainSupervised(ctx.auditor, ctx.spec, ctx.trainingPairs(), ctx.labels, ctx.params, ctx.rng);
    case 'rrm':
      return trainRrm(ctx.view, ctx.spec, ctx.trainingPairs(), { ...RRM_DEFAULTS, labels: ctx.labels, params: ctx.params }, ctx.rng);
    default:
      throw new Error(`unknown assistant ${JSON.stringify(name)}; known: ${ASSISTANT_NAMES.join(', ')}`);
  }
}

/** Whether an assistant is trained (and so has a label budget worth recording). */
export const isTrained = (name: string) => name !== 'random';
