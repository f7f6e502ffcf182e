import { describe, expect, it } from 'vitest';
import { Rng } from '../../utils/rng.js';
import { downsample, knnVotes, parseStrong, pretrainDae } from './models.js';

describe('w2s models', () => {
  it('average-pools images', () => {
    const img = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(downsample({ n: 1, d: 16, data: img }, 4, 2).data)).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('kNN votes are smoothed shares of the k nearest labels', () => {
    const ref = { n: 4, d: 1, data: Float32Array.from([0, 1, 10, 11]) };
    const v = knnVotes(ref, [0, 0, 1, 1], 3, { n: 1, d: 1, data: Float32Array.from([0.4]) }, 2);
    expect(v.data[0]).toBeCloseTo(0.05 + 0.6, 6);
    expect(v.data[1]).toBeCloseTo(0.05 + 0.3, 6);
  });

  it('names strong students by family and width', () => {
    expect(parseStrong('dae-256')).toEqual({ family: 'dae', width: 256 });
    expect(() => parseStrong('vit-8')).toThrow(/dae-<width> or rf-<width>/);
  });

  it('pretraining returns a ReLU encoder of the asked width', () => {
    const rng = new Rng(1);
    const images = { n: 64, d: 16, data: Float32Array.from({ length: 64 * 16 }, () => rng.random()) };
    const enc = pretrainDae(images, { width: 8, epochs: 1, maskNoise: 0.3, lr: 1e-3, batch: 16 }, new Rng(2));
    expect(enc.sizes).toEqual([16, 8]);
    expect(enc.outputActivation).toBe('relu');
  });
});
