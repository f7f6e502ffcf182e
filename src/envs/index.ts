import './builtins.js';

export * from './core.js';
export * from './spaces.js';
export * from './registry.js';
export * from './checkEnv.js';
export * from './fakeEnv.js';
export * from './wrappers/wrapper.js';
export * from './wrappers/timeLimit.js';
export * from './wrappers/orderEnforcing.js';
export * from './wrappers/recordEpisodeStatistics.js';
export * from './wrappers/normalizeObservation.js';
export * from './vector/types.js';
export * from './vector/sync.js';
export * from './vector/workers.js';
export * from './vector/make.js';
export * from './vector/normalizeObservation.js';
export * from './vector/normalizeReward.js';
export * from './classic/index.js';
