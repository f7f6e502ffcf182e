import type { PpoConfigInput } from './ppo.js';

/**
 * Per-env PPO hyper-parameters that were checked to solve the task (see bench/results).
 * Envs without a preset use the schema defaults (CleanRL's ppo.py).
 */
export const ppoPresets: Record<string, Partial<PpoConfigInput>> = {
  // rl-baselines3-zoo's CartPole settings. (With 10 epochs instead of 20, 1 seed in 10 stayed below 475.)
  'CartPole-v1': {
    totalTimesteps: 100_000,
    numEnvs: 8,
    numSteps: 32,
    numMinibatches: 1,
    updateEpochs: 20,
    learningRate: 1e-3,
    annealLr: true,
    annealClip: true,
    gamma: 0.98,
    gaeLambda: 0.8,
    entCoef: 0,
    clipVloss: false,
  },
  // rl-baselines3-zoo's Acrobot settings (16 envs x 256 steps, 4 epochs, normalised observations),
  // but minibatches of 256 and lr 1e-3 annealed to 0: the zoo's minibatch 64 at a constant 3e-4
  // left 1 of 5 seeds short of -100; this reached -100 in 10 of 10 seeds (seeds 1-10).
  'Acrobot-v1': {
    totalTimesteps: 300_000,
    numEnvs: 16,
    numSteps: 256,
    numMinibatches: 16,
    updateEpochs: 4,
    learningRate: 1e-3,
    annealLr: true,
    gamma: 0.99,
    gaeLambda: 0.94,
    entCoef: 0,
    clipVloss: false,
    normalizeObs: true,
  },
};

/**
 * CleanRL's ppo_continuous_action.py settings (2048 transitions per rollout, 32 minibatches,
 * 10 epochs, lr 3e-4 annealed, observation and reward normalisation, 64x64 tanh), with the
 * 2048 transitions gathered as 2 envs x 1024 steps, one per core, instead of 1 env x 2048.
 * (8 envs x 256 steps was faster but learned far worse on Hopper: 1483 against 3465 at 1M steps, seed 1.)
 */
const mujocoPpo: Partial<PpoConfigInput> = {
  totalTimesteps: 1_000_000,
  numEnvs: 2,
  numSteps: 1024,
  vectorization: 'workers',
  learningRate: 3e-4,
  annealLr: true,
  gamma: 0.99,
  gaeLambda: 0.95,
  numMinibatches: 32,
  updateEpochs: 10,
  clipCoef: 0.2,
  clipVloss: true,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  normalizeObs: true,
  normalizeReward: true,
};

for (const id of ['Hopper-v5', 'Walker2d-v5', 'HalfCheetah-v5', 'Swimmer-v5', 'Ant-v5', 'Reacher-v5', 'InvertedPendulum-v5', 'InvertedDoublePendulum-v5']) {
  ppoPresets[id] = { ...mujocoPpo };
}

/**
 * The MinAtar games with MinAtar's network (Young & Tian 2019: conv 16 3x3, dense 128, ReLU;
 * separate actor and critic networks). Hyper-parameters from gymnax-blines' MinAtar PPO
 * (github.com/RobertTLange/gymnax-blines agents/<Game>-MinAtar/ppo.yaml, the runs behind
 * gymnax's printed MinAtar returns): 64 envs x 128 steps, 8 minibatches of 1,024, 4 epochs,
 * lr 5e-4 constant, GAE lambda 0.95, clip 0.2, entropy 0.01, value 0.5, gradient norm 0.5.
 * Kept from PureJaxRL/Pgx: gamma 0.99 (gymnax-blines has 0.999) and the clipped value loss;
 * gymnax-blines' 5% learning-rate warm-up is left out.
 *
 * Why these and not Pgx's scaled down (8 envs, minibatches of 256, 3 epochs, lr 3e-4, the
 * preset until 2026-12): that one took 12 gradient steps per 1,024 frames, 3x gymnax's rate and
 * 16x Pgx's, and on Breakout its policy's entropy fell from 1.10 to 0.33 nats in 52k frames while
 * the return sat at ~5 from 100k to 1M frames. Here, same seed, at 480k frames: entropy 0.33,
 * return 6.2 and still rising (bench/minatar-notes.md).
 */
const minAtarPpo: Partial<PpoConfigInput> = {
  network: 'minatar',
  totalTimesteps: 5_000_000,
  numEnvs: 64,
  numSteps: 128,
  numMinibatches: 8,
  updateEpochs: 4,
  learningRate: 5e-4,
  annealLr: false,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipCoef: 0.2,
  clipVloss: true,
  entCoef: 0.01,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
};

/** Names the MinAtar preset in bench cells' directories, so that runs under an earlier one are never mixed in. */
export const MINATAR_PPO_PRESET = 'gymnax64';

for (const game of ['Asterix', 'Breakout', 'Freeway', 'Seaquest', 'SpaceInvaders']) {
  for (const version of ['v0', 'v1']) ppoPresets[`MinAtar/${game}-${version}`] = { ...minAtarPpo };
}

/**
 * The env's preset for these env kwargs: a MinAtar env observing rendered frames (`obsType:
 * 'rgb'`) gets `pixelNet` (network 'pixels') in place of MinAtar's network, which takes only the
 * 10 x 10 grid.
 */
export function ppoPreset(envId: string, envKwargs: Record<string, unknown> = {}): Partial<PpoConfigInput> {
  const preset = ppoPresets[envId] ?? {};
  return preset.network === 'minatar' && envKwargs.obsType === 'rgb' ? { ...preset, network: 'pixels' } : preset;
}

/**
 * A2C (Mnih et al. 2016, synchronous: the algorithm Christiano et al. 2017 ran on Atari, with 16
 * workers) as the special case of PPO it is (Huang et al. 2022, "A2C is a special case of PPO"):
 * one pass over each rollout as one batch, so the probability ratio is exactly 1 and the clip
 * never acts; n-step returns (GAE lambda 1) without advantage normalisation or value clipping.
 * Settings of OpenAI Baselines' a2c: 16 envs x 5 steps, lr 7e-4 decayed linearly, entropy 0.01,
 * value 0.5, gradient norm 0.5. One departure: Adam (eps 1e-5) where Baselines has RMSprop.
 */
export const a2cSettings: Partial<PpoConfigInput> = {
  numEnvs: 16,
  numSteps: 5,
  numMinibatches: 1,
  updateEpochs: 1,
  learningRate: 7e-4,
  annealLr: true,
  gaeLambda: 1,
  normAdv: false,
  clipVloss: false,
  annealClip: false,
  targetKl: null,
  entCoef: 0.01,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
};

/** The settings `overseer train --algo` starts from: the env's PPO preset, with A2C's on top for 'a2c'. */
export function trainPreset(algo: 'ppo' | 'a2c', envId: string, envKwargs: Record<string, unknown> = {}): Partial<PpoConfigInput> {
  return algo === 'a2c' ? { ...ppoPreset(envId, envKwargs), ...a2cSettings } : ppoPreset(envId, envKwargs);
}
