/** Issue 22's interpretability core: sparse autoencoders (Bricken et al. 2023) and explain → simulate → score (Bills et al. 2023). */
export * from './sae.js';
export * from './planted.js';
export * from './records.js';
export * from './explain.js';
export * from './simulate.js';
export * from './score.js';
export * from './pipeline.js';
export * from './groundTruth.js';
export * from './clips.js';
export * from './activations.js';
export * from './layerStudy.js';
export * from './features/index.js';
export * from './epic.js';
