/** Feature libraries per env family (issue 22 item 2): the symbolic explainer's vocabulary. */
export * from './library.js';
export * from './mujoco.js';
export * from './hopper.js';
export * from './walker2d.js';
export * from './halfCheetah.js';
export * from './reacher.js';
export * from './swimmer.js';
export * from './ant.js';
export * from './invertedPendulum.js';
export * from './gridworlds.js';
export * from './forEnv.js';
