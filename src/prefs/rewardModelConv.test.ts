import { describe, expect, it } from 'vitest';
import { makeMinAtar } from '../envs/minatar/index.js';
import { ConvNet } from '../nn/conv.js';
import { maxRelativeError } from '../nn/gradcheck.js';
import { Rng } from '../utils/rng.js';
import { MINATAR_PREFS_SETTINGS, PrefsConfigSchema, minAtarPrefsConfig } from './config.js';
import { MINATAR_REWARD_STD, RewardModel, poisson1, type Comparison, type RewardModelJson } from './rewardModel.js';
import type { Segment } from './segments.js';

/** A segment of `n` steps of random 0/1 grids (10 x 10 x C) and random one-hot actions of `A`. */
function gridSegment(id: number, n: number, C: number, A: number, rng: Rng): Segment {
  const actions = new Float32Array(n * A);
  for (let t = 0; t < n; t++) actions[t * A + rng.integer(A)] = 1;
  return {
    id: `seg-${id}`,
    envId: 'Grid',
    seed: 0,
    envIndex: 0,
    globalStep: 0,
    length: n,
    obsSize: 100 * C,
    actionSize: A,
    obs: Float32Array.from({ length: 100 * C * n }, () => (rng.random() < 0.2 ? 1 : 0)),
    actions,
    renderSize: 0,
    render: null,
    terminated: false,
  };
}

/**
 * MinAtar/Breakout-v1 (channels paddle, ball, trail, brick; actions noop, left, right) cut into
 * clips of up to 25 steps, with their true returns. A random policy loses the ball within ~10
 * steps, every clip alike, so the policy follows the ball's column with a probability drawn per
 * episode (else acts at random): clips then keep the ball in play and break 0 to 3 bricks.
 */
function breakoutSegments(count: number, seed: number): { segment: Segment; ret: number }[] {
  const env = makeMinAtar('breakout', { minimalActionSet: true });
  const rng = new Rng(seed);
  let obs = env.reset({ seed }).obs;
  let skill = rng.random();
  const column = (channel: number, from: number) => {
    for (let i = from * 10; i < 100; i++) if (obs[i * 4 + channel] === 1) return i % 10;
    return -1;
  };
  const out: { segment: Segment; ret: number }[] = [];
  while (out.length < count) {
    const o = new Float32Array(25 * 400);
    const a = new Float32Array(25 * 3);
    let length = 0;
    let ret = 0;
    let terminated = false;
    while (length < 25 && !terminated) {
      const ball = column(1, 0);
      const paddle = column(0, 9);
      const action = rng.random() < skill && ball >= 0 ? (ball < paddle ? 1 : ball > paddle ? 2 : 0) : rng.integer(3);
      o.set(obs, length * 400);
      a[length * 3 + action] = 1;
      const r = env.step(action);
      ret += r.reward;
      terminated = r.terminated;
      length += 1;
      if (terminated) {
        obs = env.reset().obs;
        skill = rng.random();
      } else obs = r.obs;
    }
    const segment: Segment = { id: `seg-${out.length}`, envId: 'MinAtar/Breakout-v1', seed, envIndex: 0, globalStep: 0, length, obsSize: 400, actionSize: 3, obs: o.slice(0, length * 400), actions: a.slice(0, length * 3), renderSize: 0, render: null, terminated };
    out.push({ segment, ret });
  }
  return out;
}

const conv = (over: object = {}) => ({ network: 'minatar' as const, ensembleSize: 1, ...over });

describe("reward model network 'minatar' (a ConvNet over the grid, the action as planes)", () => {
  it('rejects observations that are not 10 x 10 x C, naming the shape', () => {
    expect(() => new RewardModel([11], 3, conv())).toThrow("reward model network 'minatar' needs a 10 x 10 x channels observation space, got shape [11]");
    expect(() => new RewardModel([10, 10], 3, conv())).toThrow('got shape [10, 10]');
    expect(() => new RewardModel([8, 8, 4], 3, conv())).toThrow('got shape [8, 8, 4]');
    expect(() => new RewardModel(400, 3, conv())).toThrow('got shape [400]');
  });

  it('each member is conv 16 3x3 -> dense 128 -> 1 with leaky ReLU over 10 x 10 x (C + actions): the one-hot action as constant planes', () => {
    const rng = new Rng(1);
    const m = new RewardModel([10, 10, 4], 3, conv({ ensembleSize: 2 }), rng);
    expect(m.members).toHaveLength(2);
    const net = m.members[0] as ConvNet;
    expect(net).toBeInstanceOf(ConvNet);
    expect(net.spec()).toMatchObject({ input: { height: 10, width: 10, channels: 7 }, conv: [{ channels: 16, kernel: 3, stride: 1, padding: 'valid' }], dense: [128, 1], activation: 'leaky_relu', outputActivation: 'identity' });
    // 16 * 9 * 7 + 16, then 1024 * 128 + 128, then 128 + 1.
    expect(net.numParams).toBe(1024 + 131200 + 129);
    expect(m.inputSize).toBe(700);
    // r̂ of a step is the member on the grid with the action's plane set everywhere (raw 0/1 inputs, see `network`).
    const s = gridSegment(0, 3, 4, 3, rng);
    m.fitInputNormalization([s]);
    const rewards = m.memberRewards(s.obs, s.actions, s.length);
    for (let t = 0; t < 3; t++) {
      const x = new Float32Array(700);
      for (let cell = 0; cell < 100; cell++) {
        for (let c = 0; c < 4; c++) x[cell * 7 + c] = s.obs[t * 400 + cell * 4 + c];
        for (let j = 0; j < 3; j++) x[cell * 7 + 4 + j] = s.actions[t * 3 + j];
      }
      expect(rewards[t]).toBeCloseTo(net.forward(x, 1)[0], 6);
      expect(rewards[3 + t]).toBeCloseTo((m.members[1] as ConvNet).forward(x, 1)[0], 6);
    }
    // The same grid under another action gets another reward.
    const other = Float32Array.from(s.actions.subarray(0, 3), (v) => 1 - v).map((v, j, a) => (j === a.indexOf(1) ? 1 : 0));
    expect(m.memberRewards(s.obs.subarray(0, 400), other, 1)[0]).not.toBeCloseTo(rewards[0], 6);
  });

  it("the gradient of a member's Bradley-Terry loss (with its L2 term over weights only) matches finite differences", () => {
    const rng = new Rng(7);
    // float64 members, so the differences are exact enough; inputs are 0/1, exact in the float32 rows.
    const m = new RewardModel([10, 10, 2], 3, conv({ l2: 0.01 }), rng, 'float64');
    const c: Comparison = { left: gridSegment(0, 3, 2, 3, rng), right: gridSegment(1, 2, 2, 3, rng), mu: 1, validation: false, counts: Uint8Array.of(1) };
    const net = m.members[0];
    const loss = () => m.memberLoss(0, [c], false).loss + m.l2Penalty(0);
    net.zeroGrad();
    m.memberLoss(0, [c], true);
    const analytic = Float64Array.from(net.grads);
    // Indices in every layer's weights and biases: conv W [0, 720) (16 x 3 x 3 x 5), b [720, 736), dense W [736, 131808), b, output W [131936, 132064), b.
    const idx = [0, 5, 100, 719, 720, 728, 735, 736, 1000, 50_000, 131_807, 131_808, 131_900, 131_935, 131_936, 132_000, 132_063, 132_064];
    expect(net.numParams).toBe(132_065);
    const p = net.params;
    const h = 1e-5;
    const numeric = idx.map((i) => {
      const orig = p[i];
      p[i] = orig + h;
      const up = loss();
      p[i] = orig - h;
      const down = loss();
      p[i] = orig;
      return (up - down) / (2 * h);
    });
    const got = idx.map((i) => analytic[i]);
    expect(maxRelativeError(got, numeric)).toBeLessThan(1e-5);
    // The L2 term reached the weights and not the biases: λ = 0.01 adds 2 λ w to a weight's gradient.
    expect(got.some((g) => Math.abs(g) > 1e-6)).toBe(true);
  });

  it('fits preferences of Breakout clips labelled by the true reward: the loss falls and held-out accuracy is well above chance', () => {
    // Whole clips only (a clip cut short by the ball's loss is short, and length alone would rank
    // those); the held-out pairs are of clips no training pair shows.
    const segs = breakoutSegments(900, 11).filter((c) => c.segment.length === 25);
    const rng = new Rng(5);
    const pairs: Comparison[] = [];
    const draw = (n: number, clips: typeof segs, validation: boolean) => {
      for (let made = 0; made < n; ) {
        const a = clips[rng.integer(clips.length)];
        const b = clips[rng.integer(clips.length)];
        if (a.ret === b.ret) continue;
        pairs.push({ left: a.segment, right: b.segment, mu: a.ret > b.ret ? 1 : 0, validation, counts: Uint8Array.of(1) });
        made += 1;
      }
    };
    draw(160, segs.filter((_, i) => i % 3 !== 0), false);
    draw(60, segs.filter((_, i) => i % 3 === 0), true);
    const m = new RewardModel([10, 10, 4], 3, conv({ learningRate: 1e-3 }), new Rng(2));
    m.fitInputNormalization(pairs.flatMap((c) => [c.left, c.right]));
    const train = pairs.filter((c) => !c.validation);
    const held = pairs.filter((c) => c.validation);
    const before = m.memberLoss(0, train, false).loss;
    const heldBefore = m.accuracy(held);
    const stats = m.fit(pairs, 6, new Rng(3));
    expect(stats.minibatches).toBe(6 * 3);
    expect(held).toHaveLength(60);
    // Chance is a loss of ln 2 = 0.693 and accuracy 0.5.
    expect(before).toBeGreaterThan(0.6);
    expect(stats.trainLoss[0]).toBeLessThan(0.5);
    expect(stats.trainLoss[0]).toBeLessThan(before - 0.15);
    expect(stats.validationAccuracy).toBeGreaterThan(0.75);
    expect(stats.validationAccuracy).toBeGreaterThan(heldBefore + 0.1);
    expect(stats.validationAccuracy).toBe(m.accuracy(held));
    console.log(`conv fit on Breakout: train loss ${before.toFixed(3)} -> ${stats.trainLoss[0].toFixed(3)}, held-out accuracy ${heldBefore.toFixed(3)} -> ${stats.validationAccuracy.toFixed(3)} (${held.length} pairs; ${segs.length} whole clips, returns ${JSON.stringify(Object.fromEntries([0, 1, 2, 3, 4].map((r) => [r, segs.filter((x) => x.ret === r).length])))})`);
  }, 120_000);

  it("gives r̂ to RL at std 0.05 by default (the paper's Atari setting), or at rewardStd; MLP models keep std 1", () => {
    const rng = new Rng(3);
    const segs = Array.from({ length: 6 }, (_, i) => gridSegment(i, 10, 4, 3, rng));
    const stdOf = (m: RewardModel) => {
      m.fitOutputNormalization(segs);
      const r = segs.flatMap((s) => [...m.reward(s.obs, s.actions, s.length)]);
      const mu = r.reduce((a, b) => a + b, 0) / r.length;
      return Math.sqrt(r.reduce((a, b) => a + (b - mu) ** 2, 0) / r.length);
    };
    expect(MINATAR_REWARD_STD).toBe(0.05);
    expect(stdOf(new RewardModel([10, 10, 4], 3, conv({ normalization: 'meanstd' }), new Rng(1)))).toBeCloseTo(0.05, 6);
    expect(stdOf(new RewardModel([10, 10, 4], 3, conv({ normalization: 'meanstd', rewardStd: 0.5 }), new Rng(1)))).toBeCloseTo(0.5, 6);
    expect(stdOf(new RewardModel(400, 3, { ensembleSize: 1, normalization: 'meanstd' }, new Rng(1)))).toBeCloseTo(1, 6);
    // RUNE's spread comes at the same scale.
    const m = new RewardModel([10, 10, 4], 3, conv({ ensembleSize: 3, normalization: 'meanstd' }), new Rng(1));
    m.fitOutputNormalization(segs);
    const wide = new RewardModel([10, 10, 4], 3, conv({ ensembleSize: 3, normalization: 'meanstd', rewardStd: 1 }), new Rng(1));
    wide.fitOutputNormalization(segs);
    const s = segs[0];
    const [std, stdWide] = [new Float64Array(10), new Float64Array(10)];
    const r = m.rewardWithStd(s.obs, s.actions, 10, std);
    const rWide = wide.rewardWithStd(s.obs, s.actions, 10, stdWide);
    for (let t = 0; t < 10; t++) {
      expect(r[t]).toBeCloseTo(0.05 * rWide[t], 9);
      expect(std[t]).toBeCloseTo(0.05 * stdWide[t], 9);
    }
  });

  it('saves and loads exactly (members, Adam state, statistics), so a fit after loading continues as the original', () => {
    const rng = new Rng(4);
    const cmp = (i: number): Comparison => ({ left: gridSegment(2 * i, 5, 4, 3, rng), right: gridSegment(2 * i + 1, 5, 4, 3, rng), mu: i % 2 === 0 ? 1 : 0, validation: i % 4 === 3, counts: Uint8Array.from({ length: 2 }, () => poisson1(rng)) });
    const comparisons = Array.from({ length: 12 }, (_, i) => cmp(i));
    const m = new RewardModel([10, 10, 4], 3, conv({ ensembleSize: 2 }), new Rng(1));
    m.fit(comparisons, 2, new Rng(2));
    m.fitOutputNormalization(comparisons.map((c) => c.left));
    const json = JSON.parse(JSON.stringify(m.save())) as RewardModelJson;
    expect(json.obsShape).toEqual([10, 10, 4]);
    expect(json.config.network).toBe('minatar');
    expect(json.members.map((j) => j.format)).toEqual(['overseer.convnet', 'overseer.convnet']);
    const back = RewardModel.load(json);
    expect(back.network).toBe('minatar');
    const s = comparisons[0].left;
    expect([...back.reward(s.obs, s.actions, s.length)]).toEqual([...m.reward(s.obs, s.actions, s.length)]);
    expect(back.l2).toEqual(m.l2);
    m.fit(comparisons, 1, new Rng(9));
    back.fit(comparisons, 1, new Rng(9));
    expect([...back.members[1].params]).toEqual([...m.members[1].params]);
    expect(JSON.stringify(back.save())).toBe(JSON.stringify(m.save()));
  });

  it('loading a member saved as the other network is an error naming both', () => {
    const conv1 = new RewardModel([10, 10, 4], 3, conv(), new Rng(1)).save();
    const mlp1 = new RewardModel(400, 3, { ensembleSize: 1 }, new Rng(1)).save();
    expect(() => RewardModel.load({ ...conv1, config: { ...conv1.config, network: undefined } })).toThrow("reward model member 0: the saved config names network 'mlp' but the member is saved as a ConvNet");
    expect(() => RewardModel.load({ ...mlp1, obsShape: [10, 10, 4], config: { ...mlp1.config, network: 'minatar' } })).toThrow("reward model member 0: the saved config names network 'minatar' but the member is saved as an MLP");
    expect(() => RewardModel.load({ ...conv1, obsShape: undefined })).toThrow("network 'minatar' saved without its observation shape");
    // MLP models save as before: no network, shape or reward std.
    expect(Object.keys(mlp1)).not.toContain('obsShape');
    expect(Object.keys(mlp1.config)).not.toContain('network');
    expect(Object.keys(mlp1.config)).not.toContain('rewardStd');
  });

  it("MINATAR_PREFS_SETTINGS: the paper's Atari clips (25 steps) and the conv reward model, under the run's own options", () => {
    const cfg = PrefsConfigSchema.parse(minAtarPrefsConfig({ envId: 'MinAtar/Breakout-v1', rewardModel: { ensembleSize: 2 } }));
    expect(cfg.segmentLength).toBe(25);
    expect(cfg.rewardModel).toMatchObject({ network: 'minatar', ensembleSize: 2 });
    expect(MINATAR_PREFS_SETTINGS.rewardModel.network).toBe('minatar');
    // Not a default anywhere: a MuJoCo config is as before.
    const mujoco = PrefsConfigSchema.parse({ envId: 'Hopper-v5' });
    expect(mujoco.segmentLength).toBeNull();
    expect(mujoco.rewardModel.network).toBeUndefined();
    expect(mujoco.rewardModel.rewardStd).toBeUndefined();
  });
});
