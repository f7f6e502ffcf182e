/**
 * A run's labeling view: the limited overseer's view (src/oversight/views) that people label
 * the run's clips in, named by the run's `labelingView` option (`--labeling-view`), and the
 * assistant of its trial of assistance (`--labeling-assistant`), if any. The server only
 * applies what it is given (it sits below oversight), so the CLI hands it this lookup:
 * directly (`serve`), or as a module the server's thread imports (`prefs --teacher human`).
 */
import type { LabelingView } from '../server/app.js';
import type { RunRecord } from '../store/store.js';
import { make } from '../envs/registry.js';
import { defaultSegmentLength } from '../prefs/segments.js';
import { teacherParams } from '../prefs/teachers.js';
import { Rng } from '../utils/rng.js';
import { VIEWS_BY_ENV, viewFor } from '../oversight/views/registry.js';
import type { ClipView } from '../oversight/views/view.js';
import { RandomAssistant } from '../oversight/assist/assistants/random.js';
import { RRM_DEFAULTS, trainRrm, type RrmAssistant } from '../oversight/assist/assistants/rrm.js';
import { labelingAssistant, pairSeed } from '../oversight/assist/labeling.js';
import { trialPairs } from '../oversight/assist/trial.js';
import { FLAWS_BY_ENV } from '../oversight/assist/flaws.js';
import '../envs/builtins.js';
import { UsageError } from './io.js';
import { labelingViewName } from './serve.js';

/** This module, for the server's thread to import (its .ts source when run from source). */
export const LABELING_VIEWS_MODULE = import.meta.url;

/** The assistants people can be shown critiques from. */
export const LABELING_ASSISTANTS = ['random', 'rrm'] as const;

/**
 * The rrm critic people see is trained as in the trials (src/cli/assist.ts), on planted-flaw
 * and clean pairs of the env, from the *simulated* overseer of the same view (B-Pref's stoc
 * noise) answering the easier question: which reveal showed it more. It is not trained on the
 * person; its training pairs are not the run's.
 */
export const PEOPLE_RRM = { labels: 300, plantedPairs: 200, cleanPairs: 100, seed: 1, teacher: 'stoc' } as const;

interface Stored {
  prefs?: { labelingAssistant?: unknown; labelingReveals?: unknown; segmentLength?: unknown };
}

/** The run's labeling view with its assistant, or null: what the server sends people of each segment. */
export function labelingViewOf(run: RunRecord): LabelingView | null {
  const name = labelingViewName(run);
  if (name === null) return null;
  const view = viewFor(run.envId, name);
  const prefs = (run.config as Stored | null)?.prefs ?? {};
  const assistant = typeof prefs.labelingAssistant === 'string' ? prefs.labelingAssistant : null;
  if (assistant === null) return view;
  const reveals = typeof prefs.labelingReveals === 'number' ? prefs.labelingReveals : 3;
  const segmentLength = typeof prefs.segmentLength === 'number' ? prefs.segmentLength : null;
  return { ...view, assistant: assistantOf(run.id, run.envId, view, assistant, reveals, segmentLength) };
}

function assistantOf(runId: string, envId: string, view: ClipView, name: string, budget: number, segmentLength: number | null) {
  switch (name) {
    case 'random':
      // A pair's own stream: the same critique each time it is fetched.
      return labelingAssistant('random', view, budget, (pairId) => new RandomAssistant(pairSeed(runId, pairId)));
    case 'rrm': {
      // Trained once (a second or two; the server does it at start), then kept for the run. A
      // failure is kept too: every request says why rather than training again.
      let trained: RrmAssistant | Error | null = null;
      const model = (): RrmAssistant => {
        if (trained === null) {
          try {
            trained = trainPeopleRrm(envId, view, segmentLength);
          } catch (e) {
            trained = new Error(`run ${runId}: the rrm labeling assistant could not be trained: ${(e as Error).message}`);
          }
        }
        if (trained instanceof Error) throw trained;
        return trained;
      };
      return labelingAssistant('rrm', view, budget, model, () => void model());
    }
    default:
      throw new Error(`run ${runId}: unknown labeling assistant ${JSON.stringify(name)}; known: ${LABELING_ASSISTANTS.join(', ')}`);
  }
}

function trainPeopleRrm(envId: string, view: ClipView, segmentLength: number | null): RrmAssistant {
  const env = make(envId);
  try {
    const spec = env.renderSpec();
    if (!spec) throw new Error(`${envId} has no render spec`);
    const length = segmentLength ?? defaultSegmentLength(spec.dt, env.spec?.maxEpisodeSteps);
    const pairs = trialPairs(envId, PEOPLE_RRM.plantedPairs, PEOPLE_RRM.cleanPairs, PEOPLE_RRM.seed + 500_000, length);
    return trainRrm(view, spec, pairs, { ...RRM_DEFAULTS, labels: PEOPLE_RRM.labels, params: teacherParams(PEOPLE_RRM.teacher) }, new Rng(PEOPLE_RRM.seed + 1_000_000));
  } finally {
    env.close();
  }
}

/** Refuses a view the env does not have, naming the ones it does. */
export function checkLabelingView(envId: string, name: string): void {
  if (!VIEWS_BY_ENV[envId]) throw new UsageError(`--labeling-view: ${envId} has no limited views; envs with views: ${Object.keys(VIEWS_BY_ENV).join(', ')}`);
  try {
    viewFor(envId, name);
  } catch (e) {
    throw new UsageError(`--labeling-view: ${(e as Error).message}`);
  }
}

/** Refuses an assistant people cannot be shown, or one without a limited view to help. */
export function checkLabelingAssistant(envId: string, viewName: string | null, name: string): void {
  if (viewName === null) throw new UsageError('--labeling-assistant: needs --labeling-view (with the full clips there is nothing hidden for a critique to show)');
  if (!(LABELING_ASSISTANTS as readonly string[]).includes(name)) throw new UsageError(`--labeling-assistant: unknown ${JSON.stringify(name)}; people can be shown: ${LABELING_ASSISTANTS.join(', ')}`);
  const view = viewFor(envId, viewName);
  if (view.revealKinds.length === 0) throw new UsageError(`--labeling-assistant: the ${view.name} view sees everything; there is nothing to reveal to it`);
  if (name === 'rrm' && !FLAWS_BY_ENV[envId]) throw new UsageError(`--labeling-assistant rrm: trained on planted flaws, which ${envId} has none of; envs with them: ${Object.keys(FLAWS_BY_ENV).join(', ')}`);
}
