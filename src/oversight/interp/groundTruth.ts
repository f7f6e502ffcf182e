/**
 * Issue 22's ground-truth checks (item 5) as functions, so the tests and a later report run the same
 * thing with the same settings:
 *
 * - `saeRecoveryCheck`: train the SAE (sae.ts) on a planted sparse layer (planted.ts) and measure
 *   the mean max cosine between planted directions and decoder columns, beside the same figure for
 *   the untrained dictionary (chance: about 0.4 for 64 random unit vectors in d = 32).
 * - `resamplingCheck`: the same layer, with half the features killed at initialisation (encoder bias
 *   −10, so they never fire and get no gradient), trained with and without Bricken et al.'s resampling.
 * - `plantedUnitCheck`: explain → simulate → score (Bills et al. 2023) on a network with a planted unit,
 *   and the mean held-out score of random explanations for the same unit.
 *
 * The settings are toy-sized (d = 32, a few thousand steps) so that each check runs in seconds; the
 * paper-scale schedule (resampling at 25k…100k steps) is the default of `trainSae`, not used here.
 */
import { Rng } from '../../utils/rng.js';
import { randomExplanation, type Explanation } from './explain.js';
import { PLANTED_FEATURES, meanMaxCosine, plantedSparseLayer, plantedUnitDefaults, plantedUnitNetwork, type PlantedLayerOptions, type PlantedUnitOptions } from './planted.js';
import { explainAndScore, type ScoredExplanation } from './pipeline.js';
import { splitRecords } from './records.js';
import { evaluateSae, trainSae, type SaeOptionsInput } from './sae.js';
import { scoreExplanation } from './score.js';

export const plantedLayerDefaults = { dim: 32, features: 64, activeProb: 0.05, rows: 8192, seed: 1 } satisfies PlantedLayerOptions;

/** Toy-scale SAE settings: as many features as planted directions, resampling at ¼, ½, ¾ of training. */
export const toySaeOptions = {
  dictSize: 64,
  steps: 1500,
  batchSize: 128,
  lr: 5e-3,
  l1Coefficient: 0.1,
  deadWindow: 187,
  resampleAt: [375, 750, 1125],
  seed: 2,
} satisfies SaeOptionsInput;

export interface SaeRecovery {
  meanMaxCosine: number;
  /** The same figure for the dictionary before training. */
  initMeanMaxCosine: number;
  /** Planted directions whose best decoder column has cosine ≥ 0.9. */
  recovered: number;
  fvu: number;
  l0: number;
  /** Mean planted features active per input (what L0 should approach). */
  plantedL0: number;
  dead: number;
}

export function saeRecoveryCheck(layerOpts: Partial<PlantedLayerOptions> = {}, saeOpts: Partial<SaeOptionsInput> = {}): SaeRecovery {
  const layer = plantedSparseLayer({ ...plantedLayerDefaults, ...layerOpts });
  let initMeanMaxCosine = Number.NaN;
  const { sae } = trainSae(layer.x, { ...toySaeOptions, ...saeOpts }, { afterInit: (s) => (initMeanMaxCosine = meanMaxCosine(layer.directions, s).mean) });
  const mmcs = meanMaxCosine(layer.directions, sae);
  const m = evaluateSae(sae, layer.x);
  return {
    meanMaxCosine: mmcs.mean,
    initMeanMaxCosine,
    recovered: mmcs.perFeature.filter((c) => c >= 0.9).length,
    fvu: m.fvu,
    l0: m.l0,
    plantedL0: layer.meanActive,
    dead: m.dead,
  };
}

export interface ResamplingComparison {
  dictSize: number;
  /** Features killed at initialisation. */
  killed: number;
  without: { alive: number; meanMaxCosine: number; fvu: number };
  with: { alive: number; meanMaxCosine: number; fvu: number; resampled: number[] };
}

export function resamplingCheck(layerOpts: Partial<PlantedLayerOptions> = {}, saeOpts: Partial<SaeOptionsInput> = {}): ResamplingComparison {
  const layer = plantedSparseLayer({ ...plantedLayerDefaults, ...layerOpts });
  const options = { ...toySaeOptions, steps: 1000, deadWindow: 125, resampleAt: [250, 500, 750], ...saeOpts };
  let killed = 0;
  const run = (resample: boolean) => {
    const result = trainSae(layer.x, { ...options, resample }, {
      afterInit: (sae) => {
        killed = 0;
        for (let j = 0; j < sae.n; j += 2, killed++) sae.be[j] = -10;
      },
    });
    const m = evaluateSae(result.sae, layer.x);
    return { alive: result.sae.n - m.dead, meanMaxCosine: meanMaxCosine(layer.directions, result.sae).mean, fvu: m.fvu, resampled: result.resamples.map((e) => e.resampled.length) };
  };
  const without = run(false);
  const withResampling = run(true);
  return {
    dictSize: options.dictSize,
    killed,
    without: { alive: without.alive, meanMaxCosine: without.meanMaxCosine, fvu: without.fvu },
    with: withResampling,
  };
}

export interface PlantedUnitResult {
  /** The explainer's first choice for the planted unit, and its held-out scores. */
  best: ScoredExplanation;
  /** Held-out scores of random explanations (random feature, side, threshold). */
  randomScores: number[];
  randomMean: number;
  /** The truth written as a step explanation ("fires when forwardVelocity is above <threshold>"), scored the same way. */
  truthStepScore: number;
}

export function plantedUnitCheck(unitOpts: Partial<PlantedUnitOptions> = {}, randomCount = 200, seed = 0): PlantedUnitResult {
  const { records } = plantedUnitNetwork(unitOpts);
  const unit = records[0];
  const result = explainAndScore(unit, PLANTED_FEATURES);
  const split = splitRecords(unit);
  const rng = new Rng(seed);
  const view = { records: split.explain, features: PLANTED_FEATURES };
  const randomScores = Array.from({ length: randomCount }, () => scoreExplanation(randomExplanation(view, rng), split).score);
  const { threshold } = { ...plantedUnitDefaults, ...unitOpts };
  const truth: Explanation = { sentence: `fires when forwardVelocity is above ${threshold}`, conditions: [{ kind: 'above', feature: 'forwardVelocity', threshold }], shape: 'step' };
  return {
    best: result.best,
    randomScores,
    randomMean: randomScores.reduce((a, b) => a + b, 0) / randomScores.length,
    truthStepScore: scoreExplanation(truth, split).score,
  };
}
