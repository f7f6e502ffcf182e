import { register } from '../registry.js';
import { AcrobotEnv, acrobotDefaults } from './acrobot.js';
import { CartPoleEnv, cartPoleDefaults } from './cartpole.js';
import { MountainCarEnv, mountainCarDefaults } from './mountainCar.js';
import { MountainCarContinuousEnv, mountainCarContinuousDefaults } from './mountainCarContinuous.js';
import { PendulumEnv, pendulumDefaults } from './pendulum.js';

export { AcrobotEnv, CartPoleEnv, MountainCarContinuousEnv, MountainCarEnv, PendulumEnv };

// Ids, time limits and reward thresholds as registered by Gymnasium.
register({ id: 'CartPole-v1', entryPoint: (k) => new CartPoleEnv(k), kwargs: cartPoleDefaults, maxEpisodeSteps: 500, rewardThreshold: 475 });
register({ id: 'Acrobot-v1', entryPoint: (k) => new AcrobotEnv(k), kwargs: acrobotDefaults, maxEpisodeSteps: 500, rewardThreshold: -100 });
register({ id: 'MountainCar-v0', entryPoint: (k) => new MountainCarEnv(k), kwargs: mountainCarDefaults, maxEpisodeSteps: 200, rewardThreshold: -110 });
register({
  id: 'MountainCarContinuous-v0',
  entryPoint: (k) => new MountainCarContinuousEnv(k),
  kwargs: mountainCarContinuousDefaults,
  maxEpisodeSteps: 999,
  rewardThreshold: 90,
});
register({ id: 'Pendulum-v1', entryPoint: (k) => new PendulumEnv(k), kwargs: pendulumDefaults, maxEpisodeSteps: 200 });
