import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MinAtarEnv } from './env.js';
import { GRID, type MinAtarGame } from './game.js';

/** One recorded frame: the -v1 action index, reward, terminal flag, and the observation's set cells. */
export interface TraceStep {
  a: number;
  r: number;
  t: boolean;
  /** Flat indices (row * 10 + column) * channels + channel of the cells that are 1. */
  on: number[];
}

/** A run of MinAtar itself (scripts/minatar/record_traces.py): seeded once, later resets unseeded. */
export interface Trace {
  game: string;
  seed: number;
  channels: number;
  minimalActionSet: number[];
  episodesStarted: number;
  steps: TraceStep[];
}

/** The recorded traces of one game (MinAtar's module name, e.g. 'space_invaders'). */
export function loadTraces(game: string): Trace[] {
  const file = join(import.meta.dirname, 'traces', `${game}.json.gz`);
  return (JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { traces: Trace[] }).traces;
}

/** The set cells of an observation, as the traces list them. */
export function setCells(obs: Float32Array): number[] {
  const on: number[] = [];
  for (let i = 0; i < obs.length; i++) if (obs[i] !== 0) on.push(i);
  return on;
}

/** Names a flat index as (row, column, channel name). */
function cellName(i: number, channels: readonly string[]): string {
  const n = channels.length;
  const ch = i % n;
  const cell = (i - ch) / n;
  return `(${Math.floor(cell / GRID)},${cell % GRID},${channels[ch]})`;
}

/**
 * Plays a trace's actions through a MinAtarEnv over the game (seeded as the trace was, reset
 * unseeded after each terminal frame) and returns where it first departs from the recording,
 * or null if every reward, terminal flag and observation matches.
 */
export function replayTrace(game: MinAtarGame, trace: Trace): string | null {
  const env = new MinAtarEnv(game);
  if (JSON.stringify(env.actionSet) !== JSON.stringify(trace.minimalActionSet)) return `minimal action set ${JSON.stringify(env.actionSet)}, recorded ${JSON.stringify(trace.minimalActionSet)}`;
  if (game.channels.length !== trace.channels) return `${game.channels.length} channels, recorded ${trace.channels}`;
  env.reset({ seed: trace.seed });
  let episode = 1;
  for (const [i, s] of trace.steps.entries()) {
    const { obs, reward, terminated } = env.step(s.a);
    const on = setCells(obs);
    const where = `seed ${trace.seed}, step ${i} (episode ${episode}), action ${s.a}`;
    if (reward !== s.r) return `${where}: reward ${reward}, recorded ${s.r}`;
    if (terminated !== s.t) return `${where}: terminal ${terminated}, recorded ${s.t}`;
    if (on.join() !== s.on.join()) {
      const extra = on.filter((c) => !s.on.includes(c)).map((c) => cellName(c, game.channels));
      const missing = s.on.filter((c) => !on.includes(c)).map((c) => cellName(c, game.channels));
      return `${where}: observation differs: set here but not recorded ${extra.join(' ') || '-'}; recorded but not set here ${missing.join(' ') || '-'}`;
    }
    if (terminated) {
      env.reset();
      episode += 1;
    }
  }
  if (episode !== trace.episodesStarted) return `seed ${trace.seed}: ${episode} episodes started, recorded ${trace.episodesStarted}`;
  return null;
}
