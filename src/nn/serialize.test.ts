import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import { Mlp } from './mlp.js';
import { loadMlp, loadMlpInto, saveMlp } from './serialize.js';
import { encodeFloats } from '../utils/floats.js';

describe('MLP save/load', () => {
  it('round-trips parameters exactly through JSON', () => {
    const net = new Mlp({ sizes: [4, 8, 2], activation: 'relu' }).init(new Rng(1), { scheme: 'orthogonal', gain: 1 });
    const json = JSON.parse(JSON.stringify(saveMlp(net)));
    const back = loadMlp(json);
    expect(Array.from(back.params)).toEqual(Array.from(net.params));
    expect(back.spec()).toEqual(net.spec());
    expect(back.predict([1, 2, 3, 4])[1]).toBe(net.predict([1, 2, 3, 4])[1]);
  });

  it('refuses a file whose shapes do not match, naming both', () => {
    const saved = saveMlp(new Mlp({ sizes: [4, 8, 2], activation: 'tanh' }));
    const other = new Mlp({ sizes: [4, 16, 2], activation: 'tanh' });
    expect(() => loadMlpInto(other, saved, 'actor')).toThrow('actor: saved layer sizes [4, 8, 2] do not match the network\'s [4, 16, 2]');
    const relu = new Mlp({ sizes: [4, 8, 2], activation: 'relu' });
    expect(() => loadMlpInto(relu, saved, 'actor')).toThrow(/activations tanh\/identity do not match/);
  });

  it('refuses corrupt or foreign data', () => {
    const saved = saveMlp(new Mlp({ sizes: [2, 2], activation: 'tanh' }));
    const short = encodeFloats(new Float32Array(3));
    expect(() => loadMlp({ ...saved, params: short })).toThrow('MLP: saved parameter count 3 does not match the network\'s 6');
    expect(() => loadMlp({ ...saved, params: 'AAAAAAAA' })).toThrow(/not a multiple of 4/);
    expect(() => loadMlp({ hello: 1 })).toThrow(/not a saved MLP/);
    expect(() => loadMlp({ ...saved, version: 7 })).toThrow(/unsupported MLP format version 7/);
  });
});
