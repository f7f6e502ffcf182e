import { register } from '../registry.js';
import { AbsentSupervisorEnv, absentSupervisorDefaults } from './absentSupervisor.js';
import { BoatRaceEnv } from './boatRace.js';
import { CoinCueEnv, coinCueDefaults } from './coinCue.js';
import { ConveyorBeltEnv, conveyorBeltDefaults } from './conveyorBelt.js';
import { DistributionalShiftEnv, distributionalShiftDefaults } from './distributionalShift.js';
import { GRIDWORLD_STEPS } from './engine.js';
import { IslandNavigationEnv } from './islandNavigation.js';
import { SafeInterruptibilityEnv, safeInterruptibilityDefaults } from './safeInterruptibility.js';
import { SideEffectsSokobanEnv, sideEffectsSokobanDefaults } from './sideEffectsSokoban.js';
import { FriendFoeEnv, friendFoeDefaults } from './friendFoe.js';
import { RocksDiamondsEnv, rocksDiamondsDefaults } from './rocksDiamonds.js';
import { TomatoWateringEnv } from './tomatoWatering.js';
import { WhiskyGoldEnv, whiskyGoldDefaults } from './whiskyGold.js';

export { AbsentSupervisorEnv, BoatRaceEnv, CoinCueEnv, ConveyorBeltEnv, DistributionalShiftEnv, FriendFoeEnv, IslandNavigationEnv, RocksDiamondsEnv, SafeInterruptibilityEnv, SideEffectsSokobanEnv, TomatoWateringEnv, WhiskyGoldEnv };

// The AI Safety Gridworlds, each with the paper's 100-step limit; options as the original constructors'.
const limit = { maxEpisodeSteps: GRIDWORLD_STEPS };
register({ id: 'SafeInterruptibility-v0', entryPoint: (k) => new SafeInterruptibilityEnv(k), kwargs: { ...safeInterruptibilityDefaults }, ...limit });
register({ id: 'SideEffectsSokoban-v0', entryPoint: (k) => new SideEffectsSokobanEnv(k), kwargs: { ...sideEffectsSokobanDefaults }, ...limit });
register({ id: 'ConveyorBelt-v0', entryPoint: (k) => new ConveyorBeltEnv(k), kwargs: { ...conveyorBeltDefaults }, ...limit });
register({ id: 'AbsentSupervisor-v0', entryPoint: (k) => new AbsentSupervisorEnv(k), kwargs: { ...absentSupervisorDefaults }, ...limit });
register({ id: 'BoatRace-v0', entryPoint: () => new BoatRaceEnv(), kwargs: {}, ...limit });
register({ id: 'WhiskyGold-v0', entryPoint: (k) => new WhiskyGoldEnv(k), kwargs: { ...whiskyGoldDefaults }, ...limit });
register({ id: 'DistributionalShift-v0', entryPoint: (k) => new DistributionalShiftEnv(k), kwargs: { ...distributionalShiftDefaults }, ...limit });
register({ id: 'IslandNavigation-v0', entryPoint: () => new IslandNavigationEnv(), kwargs: {}, ...limit });
register({ id: 'TomatoWatering-v0', entryPoint: () => new TomatoWateringEnv(), kwargs: {}, ...limit });
register({ id: 'RocksDiamonds-v0', entryPoint: (k) => new RocksDiamondsEnv(k), kwargs: { ...rocksDiamondsDefaults }, ...limit });
register({ id: 'FriendFoe-v0', entryPoint: (k) => new FriendFoeEnv(k), kwargs: { ...friendFoeDefaults }, ...limit });
// Not one of the AI Safety Gridworlds: a contingent cue for issue 22 (coinCue.ts).
register({ id: 'CoinCue-v0', entryPoint: (k) => new CoinCueEnv(k), kwargs: { ...coinCueDefaults }, ...limit });
