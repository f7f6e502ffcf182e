export * from './confidence.js';
export * from './splits.js';
export * from './models.js';
export * from './train.js';
export * from './pgr.js';
export * from './grid.js';
export * from './report.js';
export * from './easyHard.js';
