import type { PpoConfigInput } from './ppo.js';

/**
 * Per-env PPO hyper-parameters that were checked to solve the task (see bench/results).
 * Envs without a preset use the schema defaults (CleanRL's ppo.py).
 */
export const ppoPresets: Record<string, Partial<PpoConfigInput>> = {
  // rl-baselines3-zoo's CartPole settings with 10 epochs instead of 20: same result, half the time.
  'CartPole-v1': {
    totalTimesteps: 100_000,
    numEnvs: 8,
    numSteps: 32,
    numMinibatches: 1,
    updateEpochs: 10,
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

export function ppoPreset(envId: string): Partial<PpoConfigInput> {
  return ppoPresets[envId] ?? {};
}
