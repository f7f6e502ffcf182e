/**
 * Which views apply to which env, by name (`keyframes:K` takes its K after a colon,
 * `hidden-channels:a+b` the channels it hides).
 */
import { projectionView } from './projection.js';
import { fullView } from './full.js';
import { keyframesView } from './keyframes.js';
import { sensorBlindView } from './sensorBlind.js';
import { observedBoardView, watchedOnlyView } from './gridworld.js';
import { INTENTS } from './intent.js';
import { hiddenChannels, hiddenChannelsView } from './minatar.js';
import { SeaquestGame } from '../../envs/minatar/seaquest.js';
import type { ClipView } from './view.js';

/** The views each env supports (names without parameters). */
export const VIEWS_BY_ENV: Readonly<Record<string, readonly string[]>> = {
  'Reacher-v5': ['full', 'projection', 'keyframes', 'sensor-blind'],
  'TomatoWatering-v0': ['full', 'observed-board', 'keyframes'],
  'AbsentSupervisor-v0': ['full', 'watched-only'],
  // Seaquest only: the other games have no score reader (intent) yet.
  'MinAtar/Seaquest-v0': ['full', 'hidden-channels'],
  'MinAtar/Seaquest-v1': ['full', 'hidden-channels'],
};

/** Views named with an argument after a colon, and how it is written in an error. */
const WITH_ARG: Readonly<Record<string, string>> = { keyframes: 'keyframes[:K]', 'hidden-channels': 'hidden-channels[:<channel>+<channel>...]' };

/**
 * The channels of a channel-grid env as its game names them, and what `hidden-channels` hides
 * when not told: the env's blind spot (see minatar.ts for why the oxygen gauge).
 */
const CHANNELS: Readonly<Record<string, { names: () => readonly string[]; blindSpot: string }>> = {
  'MinAtar/Seaquest-v0': { names: () => new SeaquestGame().channels, blindSpot: 'oxygen_guage' },
  'MinAtar/Seaquest-v1': { names: () => new SeaquestGame().channels, blindSpot: 'oxygen_guage' },
};

/** The view `viewName` (e.g. 'projection', 'keyframes:3') of `envId`; refuses one that does not apply. */
export function viewFor(envId: string, viewName: string): ClipView {
  const allowed = VIEWS_BY_ENV[envId];
  if (!allowed) throw new Error(`no limited-overseer views for ${envId}; envs with views: ${Object.keys(VIEWS_BY_ENV).join(', ')}`);
  const [base, arg, ...rest] = viewName.split(':');
  if (!allowed.includes(base) || rest.length > 0 || (arg !== undefined && !WITH_ARG[base])) {
    throw new Error(`view ${JSON.stringify(viewName)} does not apply to ${envId}; allowed: ${allowed.map((v) => WITH_ARG[v] ?? v).join(', ')}`);
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
    case 'hidden-channels': {
      const { names, blindSpot } = CHANNELS[envId];
      return hiddenChannelsView(intent, names(), hiddenChannels(envId, names(), arg ?? blindSpot));
    }
    default:
      throw new Error(`view ${base} is listed for ${envId} but not built`);
  }
}
