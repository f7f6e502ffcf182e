import { describe, expect, it } from 'vitest';
import { Box, Discrete } from '../envs/spaces.js';
import { zeroGrad } from '../nn/params.js';
import { Rng } from '../utils/rng.js';
import { ActorCritic } from './agent.js';
import { ParallelGradient, SerialHalvesGradient } from './parallelGradient.js';
import { GradientScratch, allocMinibatch, ppoMinibatchGradient, type Minibatch } from './ppoLoss.js';

function agentFor(action: Box | Discrete): ActorCritic {
  return new ActorCritic({
    observationSpace: new Box(-Infinity, Infinity, [11]).toJSON(),
    actionSpace: action.toJSON(),
    hidden: [64, 64],
    activation: 'tanh',
    initLogStd: -0.3,
    normalizeObs: false,
    clipObs: 10,
  }).init(new Rng(0));
}

function fillMinibatch(mb: Minibatch, discrete: boolean, rng: Rng): void {
  mb.obs.forEach((_, i) => (mb.obs[i] = rng.normal()));
  mb.actions.forEach((_, i) => (mb.actions[i] = discrete ? rng.integer(3) : rng.normal()));
  mb.oldLogProb.forEach((_, i) => (mb.oldLogProb[i] = -1 + 0.3 * rng.normal()));
  mb.advantages.forEach((_, i) => (mb.advantages[i] = rng.normal()));
  mb.returns.forEach((_, i) => (mb.returns[i] = rng.normal()));
  mb.oldValues.forEach((_, i) => (mb.oldValues[i] = rng.normal()));
}

describe('ParallelGradient', () => {
  for (const action of [new Box(-1, 1, [3]), new Discrete(3)]) {
    it(`splits a minibatch across two threads with the serial result (${action})`, () => {
      const agent = agentFor(action);
      const B = 64;
      const parallel = new ParallelGradient(agent, B);
      try {
        fillMinibatch(parallel.mb, action instanceof Discrete, new Rng(1));
        const coefs = { clipCoef: 0.2, valueClip: 0.2, entCoef: 0.01, vfCoef: 0.5 };
        zeroGrad(agent.paramGroups);
        const serialStats = ppoMinibatchGradient(agent, parallel.mb, 0, B, B, coefs, new GradientScratch(B, agent.head.inputSize));
        const serial = agent.paramGroups.map((g) => Float64Array.from(g.grads));
        zeroGrad(agent.paramGroups);
        const parallelStats = parallel.compute(B, coefs);
        agent.paramGroups.forEach((g, k) => {
          let scale = 0;
          let worst = 0;
          serial[k].forEach((v, i) => {
            scale = Math.max(scale, Math.abs(v));
            worst = Math.max(worst, Math.abs(v - g.grads[i]));
          });
          expect(worst / scale).toBeLessThan(1e-5);
        });
        for (const key of Object.keys(serialStats) as (keyof typeof serialStats)[]) {
          expect(parallelStats[key]).toBeCloseTo(serialStats[key], 6);
        }
        // The worker sees parameter changes made between calls.
        agent.actor.params[0] += 0.5;
        zeroGrad(agent.paramGroups);
        const before = Float64Array.from(agent.actor.grads);
        parallel.compute(B, coefs);
        expect(Array.from(agent.actor.grads)).not.toEqual(Array.from(before));
      } finally {
        parallel.close();
      }
    });
  }

  for (const action of [new Box(-1, 1, [3]), new Discrete(3)]) {
    it(`gives the two-thread result bit for bit on one thread (${action})`, () => {
      const agent = agentFor(action);
      const B = 64;
      const parallel = new ParallelGradient(agent, B);
      const serial = new SerialHalvesGradient(agent, B);
      try {
        const coefs = { clipCoef: 0.2, valueClip: 0.2, entCoef: 0.01, vfCoef: 0.5 };
        for (let round = 0; round < 3; round++) {
          fillMinibatch(parallel.mb, action instanceof Discrete, new Rng(10 + round));
          fillMinibatch(serial.mb, action instanceof Discrete, new Rng(10 + round));
          zeroGrad(agent.paramGroups);
          const a = parallel.compute(B - 2 * round, coefs);
          const ga = agent.paramGroups.map((g) => Array.from(g.grads));
          zeroGrad(agent.paramGroups);
          const b = serial.compute(B - 2 * round, coefs);
          expect(agent.paramGroups.map((g) => Array.from(g.grads))).toEqual(ga);
          expect(b).toEqual(a);
          // Parameters move between minibatches; the replica must follow.
          agent.paramGroups.forEach((g) => g.params.forEach((v, i) => (g.params[i] = v - 0.01 * ga[0][i % ga[0].length])));
        }
        expect(() => serial.compute(B + 2, coefs)).toThrow(/minibatch of 66 rows does not fit 64/);
      } finally {
        parallel.close();
        serial.close();
      }
    });
  }

  it('refuses a minibatch larger than its buffers', () => {
    const agent = agentFor(new Box(-1, 1, [3]));
    const parallel = new ParallelGradient(agent, 16);
    try {
      expect(() => parallel.compute(32, { clipCoef: 0.2, valueClip: null, entCoef: 0, vfCoef: 0.5 })).toThrow(/minibatch of 32 rows does not fit 16/);
    } finally {
      parallel.close();
    }
    expect(() => parallel.compute(8, { clipCoef: 0.2, valueClip: null, entCoef: 0, vfCoef: 0.5 })).toThrow(/closed/);
  });

  it('serial minibatch gradients of disjoint row ranges add up to the whole', () => {
    const agent = agentFor(new Box(-1, 1, [3]));
    const mb = allocMinibatch(40, 11, 3);
    fillMinibatch(mb, false, new Rng(2));
    const coefs = { clipCoef: 0.2, valueClip: null, entCoef: 0.01, vfCoef: 0.5 };
    const scratch = new GradientScratch(40, 3);
    zeroGrad(agent.paramGroups);
    ppoMinibatchGradient(agent, mb, 0, 40, 40, coefs, scratch);
    const whole = Float64Array.from(agent.critic.grads);
    zeroGrad(agent.paramGroups);
    ppoMinibatchGradient(agent, mb, 0, 13, 40, coefs, scratch);
    ppoMinibatchGradient(agent, mb, 13, 40, 40, coefs, scratch);
    agent.critic.grads.forEach((g, i) => expect(g).toBeCloseTo(whole[i], 5));
  });
});
