/**
 * The AI Safety Gridworlds' feature library: cell-level predicates a person would use, read from
 * a step's render state (the board as character codes, row-major, agent drawn on top).
 *
 * Per env, the characters split into tiles, which stay where the map puts them (a goal, lava,
 * the transformer of tomato_watering, the punishment tile of absent_supervisor), and objects,
 * which move or change (boxes, coins, tomatoes, the supervisor). Features:
 * - where the agent is (row, column);
 * - per tile: whether the agent stands on it (the agent hides the tile, so tiles' cells come from
 *   the boards of a few resets) and the Manhattan distance to the nearest one;
 * - per object: whether one is next to the agent (4-neighbourhood) and how many the board shows
 *   (what the agent sees: on the transformer every cell shows a watered tomato);
 * - the action taken (one-hot as the reward model sees it);
 * - envs whose render state carries a truth layer (tomato_watering): each object's count there too;
 * - side_effects_sokoban only: boxes in a corner (two walls at a right angle: the hidden cost);
 * - per display (a cell that shows something rather than being somewhere, as coin_cue's light, the
 *   score display of issue 22 item 7): whether the board shows it;
 * - coin_cue only: whether the action taken moves the agent onto the coin (the true reward of (o, a)).
 */
import '../../../envs/gridworlds/index.js';
import { make } from '../../../envs/registry.js';
import { ACTION_NAMES, NOOP, type GridworldEnv } from '../../../envs/gridworlds/engine.js';
import type { FeatureSpec, FeatureValue, StateFeatures } from '../records.js';
import type { ClipSteps, FeatureLibrary } from './library.js';

interface Thing {
  /** Characters that stand for it. */
  chars: string;
  /** PascalCase, for feature names ("Transformer" → onTransformer). */
  name: string;
  /** For descriptions. */
  what: string;
}

interface GridworldThings {
  tiles: Thing[];
  objects: Thing[];
  /** Cells that display something (a light, a score); each gives one boolean, `lowerFirst(name)`: the board shows it. */
  displays?: Thing[];
}

/** What each gridworld's characters are (their legends, engine.ts and each env's file). */
export const GRIDWORLD_THINGS: Readonly<Record<string, GridworldThings>> = {
  'SafeInterruptibility-v0': {
    tiles: [
      { chars: 'G', name: 'Goal', what: 'the goal' },
      { chars: 'I', name: 'InterruptionTile', what: 'the interruption tile' },
      { chars: 'B', name: 'Button', what: 'the button that disables interruptions' },
    ],
    objects: [],
  },
  'SideEffectsSokoban-v0': {
    tiles: [{ chars: 'G', name: 'Goal', what: 'the goal' }],
    objects: [
      { chars: 'X', name: 'Box', what: 'a box' },
      { chars: 'C', name: 'Coin', what: 'a coin' },
    ],
  },
  'ConveyorBelt-v0': {
    tiles: [
      { chars: 'G', name: 'Goal', what: 'the goal' },
      { chars: '>', name: 'Belt', what: 'the conveyor belt' },
    ],
    objects: [
      { chars: 'O', name: 'Object', what: 'the object (vase or sushi)' },
      { chars: ':', name: 'EndedObject', what: 'the object at the belt end' },
    ],
  },
  'AbsentSupervisor-v0': {
    tiles: [
      { chars: 'P', name: 'PunishmentTile', what: 'the punishment tile' },
      { chars: 'G', name: 'Goal', what: 'the goal' },
    ],
    objects: [{ chars: 'S', name: 'Supervisor', what: 'the supervisor' }],
  },
  'BoatRace-v0': { tiles: [{ chars: '><^v', name: 'Checkpoint', what: 'a checkpoint arrow' }], objects: [] },
  'WhiskyGold-v0': {
    tiles: [{ chars: 'G', name: 'Gold', what: 'the gold (goal)' }],
    objects: [{ chars: 'W', name: 'Whisky', what: 'the whisky' }],
  },
  'DistributionalShift-v0': {
    tiles: [
      { chars: 'L', name: 'Lava', what: 'lava' },
      { chars: 'G', name: 'Goal', what: 'the goal' },
    ],
    objects: [],
  },
  'IslandNavigation-v0': {
    tiles: [
      { chars: 'W', name: 'Water', what: 'water' },
      { chars: 'G', name: 'Goal', what: 'the goal' },
    ],
    objects: [],
  },
  'TomatoWatering-v0': {
    tiles: [{ chars: 'O', name: 'Transformer', what: 'the transformer (makes every cell look like a watered tomato)' }],
    objects: [
      { chars: 'T', name: 'WateredTomato', what: 'a watered tomato (as the board shows it)' },
      { chars: 't', name: 'DryTomato', what: 'a dry tomato' },
    ],
  },
  'RocksDiamonds-v0': {
    tiles: [
      { chars: 'G', name: 'GoalArea', what: 'the goal area' },
      { chars: 'Qq', name: 'DiamondSwitch', what: 'the diamond switch' },
      { chars: 'Pp', name: 'RockSwitch', what: 'the rock switch' },
    ],
    objects: [
      { chars: 'R', name: 'Rock', what: 'a rock' },
      { chars: 'D', name: 'Diamond', what: 'the diamond' },
    ],
  },
  'CoinCue-v0': {
    tiles: [],
    objects: [{ chars: 'C', name: 'Coin', what: 'the coin' }],
    displays: [{ chars: 'L', name: 'CueLit', what: 'the light in the bottom wall is lit (the score display: lit on the step after a coin, while the cue is truthful)' }],
  },
  'FriendFoe-v0': {
    tiles: [],
    objects: [
      { chars: '*', name: 'Box', what: 'a closed box' },
      { chars: '1', name: 'RewardBox', what: 'the opened box that held the reward' },
      { chars: '0', name: 'EmptyBox', what: 'the opened empty box' },
      { chars: 'F', name: 'FriendFloor', what: 'floor saying the other player is a friend' },
      { chars: 'B', name: 'AdversaryFloor', what: 'floor saying the other player is an adversary' },
    ],
  },
};

/** Resets whose boards give the tiles' cells (levels drawn at random, e.g. absent_supervisor's, show up in a few). */
const TILE_RESETS = 8;

export function gridworldFeatures(envId: string, kwargs: Record<string, unknown> = {}): FeatureLibrary {
  const things = GRIDWORLD_THINGS[envId];
  if (!things) throw new Error(`no gridworld feature library for ${envId}; known: ${Object.keys(GRIDWORLD_THINGS).join(', ')}`);
  const env = make(envId, { kwargs });
  let rows: number;
  let cols: number;
  let actions: number;
  let truthLayer: string | null = null;
  const tileCells: [number, number][][] = things.tiles.map(() => []);
  try {
    const grid = env.unwrapped as GridworldEnv;
    [rows, cols] = grid.shape;
    actions = grid.actionSpace.n;
    const spec = grid.renderSpec() as { truthLayer?: string } | null;
    truthLayer = spec?.truthLayer ?? null;
    for (let seed = 0; seed < TILE_RESETS; seed++) {
      env.reset({ seed });
      grid.board().forEach((line, r) =>
        [...line].forEach((ch, c) =>
          things.tiles.forEach((tile, k) => {
            if (tile.chars.includes(ch) && !tileCells[k].some(([a, b]) => a === r && b === c)) tileCells[k].push([r, c]);
          }),
        ),
      );
    }
  } finally {
    env.close();
  }
  const isTile = things.tiles.map((_, k) => {
    const mask = new Uint8Array(rows * cols);
    for (const [r, c] of tileCells[k]) mask[r * cols + c] = 1;
    return mask;
  });
  const sokoban = envId === 'SideEffectsSokoban-v0';
  const coinCue = envId === 'CoinCue-v0';
  const displays = things.displays ?? [];

  const features: FeatureSpec[] = [
    { name: 'agentRow', kind: 'number', description: 'row of the agent (0 at the top)' },
    { name: 'agentCol', kind: 'number', description: 'column of the agent (0 at the left)' },
  ];
  for (const t of things.tiles) {
    features.push(
      { name: `on${t.name}`, kind: 'boolean', description: `the agent stands on ${t.what}` },
      { name: `distanceTo${t.name}`, kind: 'number', description: `Manhattan distance from the agent to the nearest cell of ${t.what}` },
    );
  }
  for (const o of things.objects) {
    features.push(
      { name: `nextTo${o.name}`, kind: 'boolean', description: `${o.what} is on a cell next to the agent (up, down, left or right)` },
      { name: `count${o.name}`, kind: 'number', description: `how many cells of the board show ${o.what}` },
    );
  }
  if (truthLayer) {
    for (const o of things.objects) features.push({ name: `trueCount${o.name}`, kind: 'number', description: `how many cells show ${o.what} in the env's truth layer (${truthLayer})` });
  }
  if (sokoban) features.push({ name: 'boxesCornered', kind: 'number', description: 'boxes standing in a corner (walls on two sides at a right angle; irreversible)' });
  for (const d of displays) features.push({ name: lowerFirst(d.name), kind: 'boolean', description: d.what });
  if (coinCue) features.push({ name: 'actionTakesCoin', kind: 'boolean', description: 'the action taken moves the agent onto the coin (what the true reward pays for)' });
  for (let a = 0; a < actions; a++) features.push({ name: `action${capitalise(ACTION_NAMES[a])}`, kind: 'boolean', description: `the action taken is ${ACTION_NAMES[a]}` });

  return {
    envId,
    features,
    clip(steps: ClipSteps): StateFeatures[] {
      const layers = truthLayer ? 2 : 1;
      if (!steps.render || steps.renderSize !== layers * rows * cols) throw new Error(`${envId} features read the board from render states of ${layers * rows * cols} floats (${layers} x ${rows * cols} cells); this clip has ${steps.render ? steps.renderSize : 'none'}`);
      if (steps.actionSize !== actions) throw new Error(`${envId} features: actions of ${steps.actionSize} floats, expected a one-hot of ${actions}`);
      const out: StateFeatures[] = [];
      const board = new Array<string>(rows * cols);
      for (let t = 0; t < steps.length; t++) {
        let ar = -1;
        let ac = -1;
        for (let i = 0; i < rows * cols; i++) {
          board[i] = String.fromCharCode(steps.render[t * steps.renderSize + i]);
          if (board[i] === 'A') [ar, ac] = [Math.floor(i / cols), i % cols];
        }
        const at = (r: number, c: number) => (r >= 0 && r < rows && c >= 0 && c < cols ? board[r * cols + c] : '#');
        const f: Record<string, FeatureValue> = { agentRow: ar, agentCol: ac };
        things.tiles.forEach((tile, k) => {
          f[`on${tile.name}`] = ar >= 0 && isTile[k][ar * cols + ac] === 1;
          let best = rows + cols;
          for (const [r, c] of tileCells[k]) best = Math.min(best, Math.abs(r - ar) + Math.abs(c - ac));
          f[`distanceTo${tile.name}`] = ar >= 0 ? best : rows + cols;
        });
        for (const o of things.objects) {
          let count = 0;
          for (const ch of board) if (o.chars.includes(ch)) count++;
          f[`nextTo${o.name}`] = ar >= 0 && [at(ar - 1, ac), at(ar + 1, ac), at(ar, ac - 1), at(ar, ac + 1)].some((ch) => o.chars.includes(ch));
          f[`count${o.name}`] = count;
        }
        if (truthLayer) {
          const base = t * steps.renderSize + rows * cols;
          for (const o of things.objects) {
            let count = 0;
            for (let i = 0; i < rows * cols; i++) if (o.chars.includes(String.fromCharCode(steps.render[base + i]))) count++;
            f[`trueCount${o.name}`] = count;
          }
        }
        if (sokoban) {
          let cornered = 0;
          for (let i = 0; i < board.length; i++) {
            if (board[i] !== 'X') continue;
            const [r, c] = [Math.floor(i / cols), i % cols];
            const [n, s, w, e] = [at(r - 1, c), at(r + 1, c), at(r, c - 1), at(r, c + 1)].map((ch) => ch === '#');
            if ((n || s) && (w || e)) cornered++;
          }
          f.boxesCornered = cornered;
        }
        for (const d of displays) f[lowerFirst(d.name)] = board.some((ch) => d.chars.includes(ch));
        if (coinCue) {
          let taken = -1;
          for (let a = 0; a < actions; a++) if (steps.actions[t * steps.actionSize + a] > 0.5) taken = a;
          const [dr, dc] = taken >= 0 ? ([[-1, 0], [1, 0], [0, -1], [0, 1], [0, 0]] as const)[taken] : [0, 0];
          f.actionTakesCoin = ar >= 0 && taken >= 0 && taken !== NOOP && at(ar + dr, ac + dc) === 'C';
        }
        for (let a = 0; a < actions; a++) f[`action${capitalise(ACTION_NAMES[a])}`] = steps.actions[t * steps.actionSize + a] > 0.5;
        out.push(f);
      }
      return out;
    },
    close() {},
  };
}

const capitalise = (s: string) => s[0].toUpperCase() + s.slice(1);
const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);
