/** Which views apply to which env, by name (`keyframes:K` takes its K after a colon). */
import { projectionView } from './projection.js';
import { fullView } from './full.js';
import { keyframesView } from './keyframes.js';
import { sensorBlindView } from './sensorBlind.js';
import { observedBoardView, watchedOnlyView } from './gridworld.js';
import { INTENTS } from './intent.js';
import type { ClipView } from './view.js';

/** The views each env supports (names without parameters). */
export const VIEWS_BY_ENV: Readonly<Record<string, readonly string[]>> = {
  'Reacher-v5': ['full', 'projection', 'keyframes', 'sensor-blind'],
  'TomatoWatering-v0': ['full', 'observed-board', 'keyframes'],
  'AbsentSupervisor-v0': ['full', 'watched-only'],
};

/** The view `viewName` (e.g. 'projection', 'keyframes:3') of `envId`; refuses one that does not apply. */
export function viewFor(envId: string, viewName: string): ClipView {
  const allowed = VIEWS_BY_ENV[envId];
  if (!allowed) throw new Error(`no limited-overseer views for ${envId}; envs with views: ${Object.keys(VIEWS_BY_ENV).join(', ')}`);
  const [base, arg, ...rest] = viewName.split(':');
  if (!allowed.includes(base) || rest.length > 0 || (arg !== undefined && base !== 'keyframes')) {
    throw new Error(`view ${JSON.stringify(viewName)} does not apply to ${envId}; allowed: ${allowed.map((v) => (v === 'keyframes' ? 'keyframes[:K]' : v)).join(', ')}`);
  }
  const intent = INTENTS[envId]();
  switch (base) {
    case 'full':
      return fullView(intent);
    case 'projection':
      return projectionView();
    case 'keyframes': {
      const k = arg === undefined ? 2 : Number(arg);
      return keyframesView(intent, k);
    }
    case 'sensor-blind':
      return sensorBlindView(intent);
    case 'observed-board':
      return observedBoardView();
    case 'watched-only':
      return watchedOnlyView();
    default:
      throw new Error(`view ${base} is listed for ${envId} but not built`);
  }
}
