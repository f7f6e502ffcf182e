/**
 * Lists the CLI's help text and option checks show, kept here so that building the CLI loads no
 * command: the env registry's built-in ids would otherwise need every env registered (MuJoCo's
 * WebAssembly runtime starts when its envs are imported), and the algorithms `train.ts`.
 * choices.test.ts keeps both equal to the real lists.
 */

/** Every env id `src/envs/builtins.ts` registers, sorted as `registeredIds()` gives them. */
export const BUILTIN_ENV_IDS = [
  'AbsentSupervisor-v0',
  'Acrobot-v1',
  'Ant-v5',
  'BoatRace-v0',
  'CartPole-v1',
  'CoinCue-v0',
  'ConveyorBelt-v0',
  'DistributionalShift-v0',
  'FriendFoe-v0',
  'HalfCheetah-v5',
  'Hopper-v5',
  'InvertedDoublePendulum-v5',
  'InvertedPendulum-v5',
  'IslandNavigation-v0',
  'MinAtar/Asterix-v0',
  'MinAtar/Asterix-v1',
  'MinAtar/Breakout-v0',
  'MinAtar/Breakout-v1',
  'MinAtar/Freeway-v0',
  'MinAtar/Freeway-v1',
  'MinAtar/Seaquest-v0',
  'MinAtar/Seaquest-v1',
  'MinAtar/SpaceInvaders-v0',
  'MinAtar/SpaceInvaders-v1',
  'MountainCar-v0',
  'MountainCarContinuous-v0',
  'Pendulum-v1',
  'Reacher-v5',
  'RocksDiamonds-v0',
  'SafeInterruptibility-v0',
  'SideEffectsSokoban-v0',
  'Swimmer-v5',
  'TomatoWatering-v0',
  'Walker2d-v5',
  'WhiskyGold-v0',
] as const;

/** `overseer train --algo`: as `ALGOS` in train.ts. */
export const ALGOS = ['ppo', 'a2c'] as const;
