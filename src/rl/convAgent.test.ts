import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import { make } from '../envs/registry.js';
import { Box } from '../envs/spaces.js';
import { ConvNet } from '../nn/conv.js';
import { zeroGrad } from '../nn/params.js';
import { Rng } from '../utils/rng.js';
import { ActorCritic, type ActorCriticSpec } from './agent.js';
import { evaluatePolicy } from './evaluate.js';
import { ParallelGradient, SerialHalvesGradient } from './parallelGradient.js';
import { Ppo, type PpoConfigInput, type PpoMetrics } from './ppo.js';
import { GradientScratch, allocMinibatch, ppoMinibatchGradient, type LossCoefs, type Minibatch } from './ppoLoss.js';
import { ppoPreset } from './presets.js';

const BREAKOUT = 'MinAtar/Breakout-v1';

/** MinAtar Breakout's spaces: 10 x 10 x 4 observations, 3 actions. */
function breakoutSpec(network: ActorCriticSpec['network'] = 'minatar'): ActorCriticSpec {
  const env = make(BREAKOUT);
  try {
    return {
      observationSpace: env.observationSpace.toJSON(),
      actionSpace: env.actionSpace.toJSON(),
      network,
      hidden: [64, 64],
      activation: 'tanh',
      initLogStd: 0,
      normalizeObs: false,
      clipObs: 10,
    };
  } finally {
    env.close();
  }
}

/** Random 0/1 grids (a few cells on), random actions, and PPO targets. */
function fillMinibatch(mb: Minibatch, obsSize: number, actions: number, rows: number, rng: Rng): void {
  for (let i = 0; i < rows * obsSize; i++) mb.obs[i] = rng.random() < 0.1 ? 1 : 0;
  for (let i = 0; i < rows; i++) {
    mb.actions[i] = rng.integer(actions);
    mb.oldLogProb[i] = -1 + 0.3 * rng.normal();
    mb.advantages[i] = rng.normal();
    mb.returns[i] = rng.normal();
    mb.oldValues[i] = rng.normal();
  }
}

describe('ActorCritic with MinAtar network', () => {
  it('builds separate conv actor and critic with the right shapes', () => {
    const agent = new ActorCritic(breakoutSpec()).init(new Rng(1));
    expect(agent.network).toBe('minatar');
    expect(agent.actor).toBeInstanceOf(ConvNet);
    expect(agent.critic).toBeInstanceOf(ConvNet);
    expect(agent.actor).not.toBe(agent.critic);
    // conv 16 3x3 over 4 channels (576 + 16), dense 1024 -> 128 (131072 + 128), then 3 logits / 1 value.
    expect(agent.actor.numParams).toBe(592 + 131_200 + 387);
    expect(agent.critic.numParams).toBe(592 + 131_200 + 129);
    expect(agent.obsSize).toBe(400);
    const rng = new Rng(2);
    const obs = Float32Array.from({ length: 5 * 400 }, () => (rng.random() < 0.1 ? 1 : 0));
    expect(agent.actor.forward(obs, 5)).toHaveLength(15);
    expect(agent.critic.forward(obs, 5)).toHaveLength(5);
    // The output layers start small (policy gain 0.01): near-uniform logits.
    const logits = Array.from(agent.actor.forward(obs, 5));
    expect(Math.max(...logits.map(Math.abs))).toBeLessThan(0.1);
    const a = agent.act(obs.subarray(0, 400), false, new Rng(3));
    expect([0, 1, 2]).toContain(a);
    // The MLP path is what it was: no network key means 'mlp'.
    const { network: _, ...mlpSpec } = breakoutSpec();
    const mlp = new ActorCritic(mlpSpec);
    expect(mlp.network).toBe('mlp');
    expect(mlp.actor.numParams).toBe(400 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3);
  });

  it("builds 'pixels' from the observation's height, width and channels", () => {
    const spec = { ...breakoutSpec('pixels'), observationSpace: new Box(0, 1, [40, 40, 3]).toJSON() };
    const agent = new ActorCritic(spec);
    expect((agent.actor as ConvNet).input).toEqual({ height: 40, width: 40, channels: 3 });
    expect(agent.actor.outputSize).toBe(3);
    expect(agent.critic.outputSize).toBe(1);
  });

  it("builds 'minatar-ac': MinAtar's layers with its AC(lambda)'s SiLU and dSiLU units, saved and loaded as such", () => {
    const agent = new ActorCritic(breakoutSpec('minatar-ac')).init(new Rng(1));
    for (const net of [agent.actor, agent.critic] as ConvNet[]) {
      expect([net.activation, net.denseActivation, net.outputActivation]).toEqual(['silu', 'dsilu', 'identity']);
      expect(net.numParams).toBe(592 + 131_200 + (net === agent.actor ? 387 : 129));
    }
    const back = ActorCritic.load(JSON.parse(JSON.stringify(agent.save({}))));
    expect(back.network).toBe('minatar-ac');
    const obs = Float32Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    expect(Array.from(back.actor.forward(obs, 1))).toEqual(Array.from(agent.actor.forward(obs, 1)));
    expect(() => new ActorCritic({ ...breakoutSpec('minatar-ac'), observationSpace: new Box(0, 1, [400]).toJSON() })).toThrow("network 'minatar-ac' needs a 10 x 10 x channels observation space, got shape [400]");
  });

  it('refuses observations the network cannot take', () => {
    const flat = { ...breakoutSpec(), observationSpace: new Box(0, 1, [400]).toJSON() };
    expect(() => new ActorCritic(flat)).toThrow("network 'minatar' needs a 10 x 10 x channels observation space, got shape [400]");
    expect(() => new ActorCritic({ ...breakoutSpec(), network: 'resnet' as never })).toThrow('unknown network "resnet"; allowed: mlp, minatar, minatar-ac, pixels');
  });

  it('PPO loss gradient through both conv networks matches finite differences', () => {
    const agent = new ActorCritic(breakoutSpec()).init(new Rng(4));
    // Biases start at 0, so a cell whose 3x3 patch is empty (most of a MinAtar frame) sits on
    // ReLU's kink; move every bias off it (by 0.05 to 0.15, either sign) so differences are smooth.
    const rngB = new Rng(7);
    for (const net of [agent.actor, agent.critic] as ConvNet[]) {
      for (let l = 0; l < net.numLayers; l++) {
        const b0 = net.offsets[l] + net.weightSizes[l];
        const b1 = l + 1 < net.numLayers ? net.offsets[l + 1] : net.numParams;
        for (let i = b0; i < b1; i++) net.params[i] = (rngB.random() < 0.5 ? -1 : 1) * (0.05 + 0.1 * rngB.random());
      }
    }
    // Larger policy outputs than the init's, so every term has a sizeable gradient.
    agent.actor.params.forEach((v, i) => (agent.actor.params[i] = v * 1.5));
    const B = 6;
    const mb = allocMinibatch(B, agent.obsSize, 1);
    fillMinibatch(mb, agent.obsSize, 3, B, new Rng(5));
    const scratch = new GradientScratch(B, 3);
    // Old log-probs and values placed so no row sits at a clipping kink.
    const logits = agent.actor.forward(mb.obs, B);
    const lp = new Float64Array(B);
    const ent = new Float64Array(B);
    agent.head.logProbEntropy(logits, B, mb.actions, lp, ent);
    const v = Float64Array.from(agent.critic.forward(mb.obs, B));
    const shifts = [0.05, -0.1, 0.4, -0.35, 0.0, 0.12];
    for (let i = 0; i < B; i++) {
      mb.oldLogProb[i] = lp[i] - shifts[i];
      mb.oldValues[i] = v[i] + (i % 2 ? 0.5 : -0.05);
    }
    const coefs: LossCoefs = { clipCoef: 0.2, valueClip: 0.2, entCoef: 0.01, vfCoef: 0.5 };
    const loss = () => {
      const s = ppoMinibatchGradient(agent, mb, 0, B, B, coefs, scratch);
      return s.policyLoss + coefs.vfCoef * s.valueLoss - coefs.entCoef * s.entropy;
    };
    zeroGrad(agent.paramGroups);
    loss();
    const grads = agent.paramGroups.map((g) => Float64Array.from(g.grads));
    let checked = 0;
    for (const [k, net] of [agent.actor, agent.critic].entries()) {
      const conv = net as ConvNet;
      const g = grads[k];
      // Per layer (conv W and b, dense W and b, output W and b): the 3 coordinates with the largest gradient.
      for (let l = 0; l < conv.numLayers; l++) {
        const wEnd = conv.offsets[l] + conv.weightSizes[l];
        const end = l + 1 < conv.numLayers ? conv.offsets[l + 1] : conv.numParams;
        for (const [from, to] of [[conv.offsets[l], wEnd], [wEnd, end]]) {
          const idx = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a]));
          for (const i of idx.slice(0, 3)) {
            const p = net.params;
            const orig = p[i];
            const eps = 1e-3;
            p[i] = orig + eps;
            const hi = p[i];
            const up = loss();
            p[i] = orig - eps;
            const lo = p[i];
            const down = loss();
            p[i] = orig;
            const numeric = (up - down) / (hi - lo);
            expect(Math.abs(g[i])).toBeGreaterThan(1e-4);
            // The convolution moves all 128 dense units of all rows, some across ReLU's kink (measured: up to 3%);
            // the dense layers' checks are float32 rounding only (up to 0.2%).
            expect(Math.abs(numeric - g[i]) / Math.abs(g[i])).toBeLessThan(l === 0 ? 5e-2 : 5e-3);
            checked += 1;
          }
        }
      }
    }
    // 3 layers x (W, b) x 3 coordinates in each network, but the value output has a single bias.
    expect(checked).toBe(2 * 3 * 2 * 3 - 2);
  });

  it('splits a minibatch over two threads with the one-thread result bit for bit (the worker rebuilds the conv agent)', () => {
    const agent = new ActorCritic(breakoutSpec()).init(new Rng(6));
    const B = 32;
    const parallel = new ParallelGradient(agent, B);
    const serial = new SerialHalvesGradient(agent, B);
    try {
      const coefs = { clipCoef: 0.2, valueClip: 0.2, entCoef: 0.01, vfCoef: 0.5 };
      for (let round = 0; round < 2; round++) {
        fillMinibatch(parallel.mb, agent.obsSize, 3, B, new Rng(10 + round));
        fillMinibatch(serial.mb, agent.obsSize, 3, B, new Rng(10 + round));
        zeroGrad(agent.paramGroups);
        const a = parallel.compute(B - 2 * round, coefs);
        const ga = agent.paramGroups.map((g) => Array.from(g.grads));
        zeroGrad(agent.paramGroups);
        const b = serial.compute(B - 2 * round, coefs);
        expect(agent.paramGroups.map((g) => Array.from(g.grads))).toEqual(ga);
        expect(b).toEqual(a);
        expect(ga[0].some((x) => x !== 0) && ga[1].some((x) => x !== 0)).toBe(true);
        // Parameters move between minibatches; the worker's replica must follow.
        agent.paramGroups.forEach((g, k) => g.params.forEach((p, i) => (g.params[i] = p - 0.01 * ga[k][i])));
      }
    } finally {
      parallel.close();
      serial.close();
    }
  });
});

describe('PPO with MinAtar network', () => {
  const small: PpoConfigInput = { ...ppoPreset(BREAKOUT), envId: BREAKOUT, seed: 3, numEnvs: 2, numSteps: 32, numMinibatches: 2, updateEpochs: 2, totalTimesteps: 256 };
  const learning = (m: PpoMetrics) => ({ ...m, sps: 0, rolloutSeconds: 0, updateSeconds: 0 });
  const params = (p: Ppo) => JSON.stringify({ ...p.agent.save(), meta: {} });
  const run = async (p: Ppo, steps?: number) => {
    const out: PpoMetrics[] = [];
    await p.learn(steps, { onUpdate: (m) => out.push(learning(m)) });
    return out;
  };

  it('the preset names the MinAtar network for every MinAtar id', () => {
    for (const game of ['Asterix', 'Breakout', 'Freeway', 'Seaquest', 'SpaceInvaders']) {
      for (const v of ['v0', 'v1']) expect(ppoPreset(`MinAtar/${game}-${v}`).network).toBe('minatar');
    }
    expect(ppoPreset('CartPole-v1').network).toBeUndefined();
  });

  it("takes network 'pixels' for MinAtar's rendered frames (obsType 'rgb') from the preset, and one update runs", async () => {
    const rgb = { obsType: 'rgb' };
    expect(ppoPreset(BREAKOUT, rgb).network).toBe('pixels');
    expect(ppoPreset(BREAKOUT, { obsType: 'grid' }).network).toBe('minatar');
    expect(ppoPreset('CartPole-v1', rgb).network).toBeUndefined();
    const ppo = new Ppo({ ...small, ...ppoPreset(BREAKOUT, rgb), envKwargs: rgb, totalTimesteps: 64 });
    try {
      expect(ppo.agent.network).toBe('pixels');
      expect((ppo.agent.actor as ConvNet).input).toEqual({ height: 40, width: 40, channels: 3 });
      expect(ppo.agent.obsSize).toBe(4800);
      const rows = await run(ppo);
      expect(rows).toHaveLength(1);
      expect(Number.isFinite(rows[0].policyLoss) && Number.isFinite(rows[0].valueLoss)).toBe(true);
    } finally {
      ppo.close();
    }
  });

  it("refuses MinAtar's network on rendered frames, naming network 'pixels'", () => {
    expect(() => new Ppo({ ...small, envKwargs: { obsType: 'rgb' } })).toThrow("network 'minatar' needs a 10 x 10 x channels observation space, got shape [40, 40, 3]; for image observations (MinAtar's obsType 'rgb') use network 'pixels'");
  });

  it('gives identical runs with a gradient worker and on one thread (OVERSEER_THREADS=1)', async () => {
    const threaded = new Ppo(small);
    const threadedRows = await run(threaded);
    const before = process.env.OVERSEER_THREADS;
    process.env.OVERSEER_THREADS = '1';
    let single: Ppo;
    try {
      single = new Ppo(small);
    } finally {
      if (before === undefined) delete process.env.OVERSEER_THREADS;
      else process.env.OVERSEER_THREADS = before;
    }
    const singleRows = await run(single);
    expect(threadedRows).toHaveLength(4);
    expect(singleRows).toEqual(threadedRows);
    expect(params(single)).toBe(params(threaded));
    expect(threaded.agent.network).toBe('minatar');
    threaded.close();
    single.close();
  });

  it('checkpoints round-trip: agent save/load acts the same, state() -> load() continues bit-identically', async () => {
    const whole = new Ppo(small);
    const wholeRows = await run(whole);
    const first = new Ppo(small);
    const parts = await run(first, 2 * first.batchSize);
    const state = JSON.parse(JSON.stringify(first.state()));
    first.close();
    expect(state.agent.actor.format).toBe('overseer.convnet');
    expect(state.agent.spec.network).toBe('minatar');
    const second = Ppo.load(state);
    parts.push(...(await run(second)));
    expect(parts).toEqual(wholeRows);
    expect(params(second)).toBe(params(whole));

    const saved = JSON.parse(JSON.stringify(whole.agent.save({ envId: BREAKOUT })));
    const back = ActorCritic.load(saved, 'ckpt');
    expect(Array.from(back.actor.params)).toEqual(Array.from(whole.agent.actor.params));
    expect(Array.from(back.critic.params)).toEqual(Array.from(whole.agent.critic.params));
    const a = evaluatePolicy(whole.agent, BREAKOUT, { episodes: 2, seed: 7, deterministic: false });
    const b = evaluatePolicy(back, BREAKOUT, { episodes: 2, seed: 7, deterministic: false });
    expect(b.returns).toEqual(a.returns);
    whole.close();
    second.close();
  });

  it('refuses a checkpoint or an agent whose network does not match', () => {
    const conv = new ActorCritic(breakoutSpec()).init(new Rng(1));
    const mlp = new ActorCritic(breakoutSpec('mlp')).init(new Rng(1));
    const convSaved = conv.save();
    const mlpSaved = mlp.save();
    expect(() => ActorCritic.load({ ...convSaved, spec: mlpSaved.spec }, 'ckpt')).toThrow("ckpt actor: the checkpoint's spec names network 'mlp' but the network is saved as a ConvNet");
    expect(() => ActorCritic.load({ ...mlpSaved, spec: convSaved.spec }, 'ckpt')).toThrow("ckpt actor: the checkpoint's spec names network 'minatar' but the network is saved as an MLP");
    // A MinAtar game with another channel count: the saved conv layer does not fit.
    const seaquest = make('MinAtar/Seaquest-v1');
    const spec = { ...convSaved.spec, observationSpace: seaquest.observationSpace.toJSON() };
    seaquest.close();
    expect(() => ActorCritic.load({ ...convSaved, spec }, 'ckpt')).toThrow(/ckpt actor: saved architecture 10x10x4 -> conv 16 3x3\/1 valid -> dense 128, 3 does not match the network's 10x10x10/);
    // PPO configured for one network, handed an agent of another (e.g. a resumed state edited by hand).
    expect(() => new Ppo({ ...small, network: 'mlp' }, { agent: conv })).toThrow("the agent's network 'minatar' does not match the config's network 'mlp'");
    expect(() => new Ppo({ envId: BREAKOUT }, { agent: conv })).toThrow("the agent's network 'minatar' does not match the config's network 'mlp'");
  });

  // A random policy scores about 0.5 a game. Measured (seed 1, 16,384 steps, lr 1e-3, 8 envs in
  // minibatches of 256, 3 epochs): 3.0 over 20 deterministic games (seeds 2 and 3 at 20,480 steps:
  // 3.35, 3.05). The preset's 64 envs would make these steps 2 updates, too few to learn from.
  it('learns MinAtar Breakout: deterministic evaluation return well above random (0.5) and the untrained policy', { timeout: 120_000 }, async () => {
    const ppo = new Ppo({ ...ppoPreset(BREAKOUT), envId: BREAKOUT, seed: 1, totalTimesteps: 16_384, numEnvs: 8, numMinibatches: 4, updateEpochs: 3, learningRate: 1e-3 });
    try {
      await ppo.learn();
      expect(ppo.globalStep).toBe(16_384);
      const untrained = new ActorCritic(ppo.agent.spec).init(new Rng(1));
      const opts = { episodes: 20, seed: 100, deterministic: true };
      const before = evaluatePolicy(untrained, BREAKOUT, opts);
      const after = evaluatePolicy(ppo.agent, BREAKOUT, opts);
      expect(before.mean).toBeLessThan(1);
      expect(after.mean).toBeGreaterThan(2);
    } finally {
      ppo.close();
    }
  });
});

