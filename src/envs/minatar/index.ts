import { register } from '../registry.js';
import { AsterixGame } from './asterix.js';
import { BreakoutGame } from './breakout.js';
import { MINATAR_OBS_TYPES, MinAtarEnv, minAtarDefaults, type MinAtarObsType, type MinAtarOptions } from './env.js';
import { FreewayGame } from './freeway.js';
import type { MinAtarGame, MinAtarGameOptions } from './game.js';
import { SeaquestGame } from './seaquest.js';
import { SpaceInvadersGame } from './spaceInvaders.js';

export { MINATAR_OBS_TYPES, MinAtarEnv, minAtarDefaults, type MinAtarObsType, type MinAtarOptions };
export { FRAME_CELL_PIXELS, rasterizeChannels } from './frame.js';
export { AsterixGame, BreakoutGame, FreewayGame, SeaquestGame, SpaceInvadersGame };

/** The five games by MinAtar's module name, with the name their env ids use. */
export const MINATAR_GAMES: Record<string, { id: string; make: (o: Partial<MinAtarGameOptions>) => MinAtarGame }> = {
  asterix: { id: 'Asterix', make: (o) => new AsterixGame(o) },
  breakout: { id: 'Breakout', make: (o) => new BreakoutGame(o) },
  freeway: { id: 'Freeway', make: (o) => new FreewayGame(o) },
  seaquest: { id: 'Seaquest', make: (o) => new SeaquestGame(o) },
  space_invaders: { id: 'SpaceInvaders', make: (o) => new SpaceInvadersGame(o) },
};

/** A MinAtar game as an env, with MinAtar's options. */
export function makeMinAtar(game: string, opts: Partial<MinAtarOptions> = {}): MinAtarEnv {
  const g = MINATAR_GAMES[game];
  if (!g) throw new Error(`no MinAtar game ${JSON.stringify(game)}; the games are ${Object.keys(MINATAR_GAMES).join(', ')}`);
  const o = { ...minAtarDefaults, ...opts };
  return new MinAtarEnv(g.make({ ramping: o.difficultyRamping }), o);
}

// As MinAtar registers them: -v0 with all six actions, -v1 with the game's minimal set; no time
// limit (the games end themselves).
for (const [game, { id }] of Object.entries(MINATAR_GAMES)) {
  const { stickyActionProb, difficultyRamping, obsType } = minAtarDefaults;
  register({ id: `MinAtar/${id}-v0`, entryPoint: (k) => makeMinAtar(game, { ...(k as Partial<MinAtarOptions>), minimalActionSet: false }), kwargs: { stickyActionProb, difficultyRamping, obsType } });
  register({ id: `MinAtar/${id}-v1`, entryPoint: (k) => makeMinAtar(game, { ...(k as Partial<MinAtarOptions>), minimalActionSet: true }), kwargs: { stickyActionProb, difficultyRamping, obsType } });
}
