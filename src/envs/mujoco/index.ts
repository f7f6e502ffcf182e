import { register } from '../registry.js';
import { AntEnv, antDefaults } from './ant.js';
import { HalfCheetahEnv, halfCheetahDefaults } from './halfCheetah.js';
import { HopperEnv, hopperDefaults } from './hopper.js';
import { InvertedDoublePendulumEnv, invertedDoublePendulumDefaults } from './invertedDoublePendulum.js';
import { InvertedPendulumEnv, invertedPendulumDefaults } from './invertedPendulum.js';
import { ReacherEnv, reacherDefaults } from './reacher.js';
import { SwimmerEnv, swimmerDefaults } from './swimmer.js';
import { Walker2dEnv, walker2dDefaults } from './walker2d.js';

export { AntEnv, HalfCheetahEnv, HopperEnv, InvertedDoublePendulumEnv, InvertedPendulumEnv, ReacherEnv, SwimmerEnv, Walker2dEnv };
export { MujocoEnv } from './mujocoEnv.js';

// Ids, time limits and reward thresholds as registered by Gymnasium.
register({ id: 'Hopper-v5', entryPoint: (k) => new HopperEnv(k), kwargs: hopperDefaults, maxEpisodeSteps: 1000, rewardThreshold: 3800 });
register({ id: 'Walker2d-v5', entryPoint: (k) => new Walker2dEnv(k), kwargs: walker2dDefaults, maxEpisodeSteps: 1000 });
register({ id: 'HalfCheetah-v5', entryPoint: (k) => new HalfCheetahEnv(k), kwargs: halfCheetahDefaults, maxEpisodeSteps: 1000, rewardThreshold: 4800 });
register({ id: 'Swimmer-v5', entryPoint: (k) => new SwimmerEnv(k), kwargs: swimmerDefaults, maxEpisodeSteps: 1000, rewardThreshold: 360 });
register({ id: 'Ant-v5', entryPoint: (k) => new AntEnv(k), kwargs: antDefaults, maxEpisodeSteps: 1000, rewardThreshold: 6000 });
register({ id: 'Reacher-v5', entryPoint: (k) => new ReacherEnv(k), kwargs: reacherDefaults, maxEpisodeSteps: 50, rewardThreshold: -3.75 });
register({
  id: 'InvertedPendulum-v5',
  entryPoint: (k) => new InvertedPendulumEnv(k),
  kwargs: invertedPendulumDefaults,
  maxEpisodeSteps: 1000,
  rewardThreshold: 950,
});
register({
  id: 'InvertedDoublePendulum-v5',
  entryPoint: (k) => new InvertedDoublePendulumEnv(k),
  kwargs: invertedDoublePendulumDefaults,
  maxEpisodeSteps: 1000,
  rewardThreshold: 9100,
});
