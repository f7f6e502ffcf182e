import { describe, expect, it } from 'vitest';
import { makeMinAtar } from '../envs/minatar/index.js';
import { ConvNet } from '../nn/conv.js';
import { maxRelativeError } from '../nn/gradcheck.js';
import { Rng } from '../utils/rng.js';
import { PrefsConfigSchema, minAtarPrefsConfig } from './config.js';
import { RewardModel, poisson1, type Comparison, type RewardModelJson } from './rewardModel.js';
import type { Segment } from './segments.js';

const FRAME = 40 * 40 * 3;

/** A segment of `n` steps of random H x W x 3 images in [0, 1] and random one-hot actions of `A`. */
function imageSegment(id: number, n: number, size: number, A: number, rng: Rng): Segment {
  const actions = new Float32Array(n * A);
  for (let t = 0; t < n; t++) actions[t * A + rng.integer(A)] = 1;
  return { id: `seg-${id}`, envId: 'Image', seed: 0, envIndex: 0, globalStep: 0, length: n, obsSize: size, actionSize: A, obs: Float32Array.from({ length: size * n }, () => rng.random()), actions, renderSize: 0, render: null, terminated: false };
}

/**
 * MinAtar/Breakout-v1 with obsType 'rgb' (40 x 40 x 3 frames; actions noop, left, right) cut
 * into clips of `length` steps, with their true returns. As in rewardModelConv.test.ts the policy
 * follows the ball with a skill drawn per episode, reading the ball from the grid (the render state).
 */
function breakoutFrames(count: number, length: number, seed: number): { segment: Segment; ret: number }[] {
  const env = makeMinAtar('breakout', { minimalActionSet: true, obsType: 'rgb' });
  const rng = new Rng(seed);
  let obs = env.reset({ seed }).obs;
  let skill = rng.random();
  const column = (channel: number, from: number) => {
    const grid = env.renderState();
    for (let i = from * 10; i < 100; i++) if (grid[i * 4 + channel] === 1) return i % 10;
    return -1;
  };
  const out: { segment: Segment; ret: number }[] = [];
  while (out.length < count) {
    const o = new Float32Array(length * FRAME);
    const a = new Float32Array(length * 3);
    let n = 0;
    let ret = 0;
    let terminated = false;
    while (n < length && !terminated) {
      const ball = column(1, 0);
      const paddle = column(0, 9);
      const action = rng.random() < skill && ball >= 0 ? (ball < paddle ? 1 : ball > paddle ? 2 : 0) : rng.integer(3);
      o.set(obs, n * FRAME);
      a[n * 3 + action] = 1;
      const r = env.step(action);
      ret += r.reward;
      terminated = r.terminated;
      n += 1;
      if (terminated) {
        obs = env.reset().obs;
        skill = rng.random();
      } else obs = r.obs;
    }
    const segment: Segment = { id: `seg-${out.length}`, envId: 'MinAtar/Breakout-v1', seed, envIndex: 0, globalStep: 0, length: n, obsSize: FRAME, actionSize: 3, obs: o.slice(0, n * FRAME), actions: a.slice(0, n * 3), renderSize: 0, render: null, terminated };
    out.push({ segment, ret });
  }
  return out;
}

const pixels = (over: object = {}) => ({ network: 'pixels' as const, ensembleSize: 1, ...over });

describe("reward model network 'pixels' (pixelNet over a rendered frame, the action as planes)", () => {
  it('each member is pixelNet with leaky ReLU over H x W x (3 + actions), the one-hot action as constant planes; r̂ to RL at std 0.05', () => {
    const rng = new Rng(1);
    const m = new RewardModel([40, 40, 3], 3, pixels({ ensembleSize: 2 }), rng);
    const net = m.members[0] as ConvNet;
    expect(net.spec()).toMatchObject({ input: { height: 40, width: 40, channels: 6 }, conv: [{ channels: 8, kernel: 4, stride: 2 }, { channels: 16, kernel: 3, stride: 2 }], dense: [128, 1], activation: 'leaky_relu', outputActivation: 'identity' });
    // 8 * 16 * 6 + 8, 16 * 9 * 8 + 16, (9 * 9 * 16) * 128 + 128, 128 + 1.
    expect(net.numParams).toBe(776 + 1168 + 166_016 + 129);
    expect(m.inputSize).toBe(40 * 40 * 6);
    expect(m.rewardStd).toBe(0.05);
    const s = imageSegment(0, 2, FRAME, 3, rng);
    m.fitInputNormalization([s]);
    const rewards = m.memberRewards(s.obs, s.actions, s.length);
    for (let t = 0; t < 2; t++) {
      // Raw [0, 1] pixels (never standardised), then the action's one-hot at every pixel.
      const x = new Float32Array(40 * 40 * 6);
      for (let p = 0; p < 1600; p++) {
        for (let c = 0; c < 3; c++) x[p * 6 + c] = s.obs[t * FRAME + p * 3 + c];
        for (let j = 0; j < 3; j++) x[p * 6 + 3 + j] = s.actions[t * 3 + j];
      }
      expect(rewards[t]).toBeCloseTo(net.forward(x, 1)[0], 6);
      expect(rewards[2 + t]).toBeCloseTo((m.members[1] as ConvNet).forward(x, 1)[0], 6);
    }
  });

  it('rejects observations that are not images; network minatar on a frame names network pixels', () => {
    expect(() => new RewardModel(FRAME, 3, pixels())).toThrow(`reward model network 'pixels' needs a height x width x channels observation space, got shape [${FRAME}]`);
    expect(() => new RewardModel([40, 40, 3], 3, { network: 'minatar' })).toThrow("reward model network 'minatar' needs a 10 x 10 x channels observation space, got shape [40, 40, 3]; for image observations (MinAtar's obsType 'rgb') use network 'pixels'");
  });

  it("the gradient of a member's Bradley-Terry loss (with its L2 term over weights only) matches finite differences", () => {
    const rng = new Rng(7);
    const m = new RewardModel([40, 40, 3], 2, pixels({ l2: 0.01 }), rng, 'float64');
    const c: Comparison = { left: imageSegment(0, 2, FRAME, 2, rng), right: imageSegment(1, 1, FRAME, 2, rng), mu: 1, validation: false, counts: Uint8Array.of(1) };
    const net = m.members[0] as ConvNet;
    const loss = () => m.memberLoss(0, [c], false).loss + m.l2Penalty(0);
    net.zeroGrad();
    m.memberLoss(0, [c], true);
    const analytic = Float64Array.from(net.grads);
    // Every layer's weights and biases: conv 1 W [0, 640) (8 x 4 x 4 x 5) b [640, 648), conv 2 W [648, 1800) b [1800, 1816), dense W [1816, 167704) b [167704, 167832), output W [167832, 167960) b.
    expect(net.numParams).toBe(167_961);
    const idx = [0, 333, 639, 640, 647, 648, 1200, 1799, 1800, 1815, 1816, 90_000, 167_703, 167_704, 167_800, 167_832, 167_959, 167_960];
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
    expect(got.filter((g) => Math.abs(g) > 1e-8).length).toBeGreaterThan(idx.length - 3);
  });

  it('fits preferences of Breakout frames labelled by the true reward: held-out accuracy well above chance', () => {
    // Whole 15-step clips only; held-out pairs are of clips no training pair shows.
    const segs = breakoutFrames(500, 15, 11).filter((c) => c.segment.length === 15);
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
    draw(128, segs.filter((_, i) => i % 3 !== 0), false);
    draw(60, segs.filter((_, i) => i % 3 === 0), true);
    const m = new RewardModel([40, 40, 3], 3, pixels({ batchSize: 16 }), new Rng(2));
    const train = pairs.filter((c) => !c.validation);
    const held = pairs.filter((c) => c.validation);
    // Mean loss over the training pairs, 16 at a time (a frame row is 9,600 floats).
    const lossBefore = train.reduce((sum, _, i) => (i % 16 === 0 ? sum + m.memberLoss(0, train.slice(i, i + 16), false).loss * Math.min(16, train.length - i) : sum), 0) / train.length;
    const heldBefore = m.accuracy(held);
    const stats = m.fit(pairs, 3, new Rng(3));
    expect(stats.minibatches).toBe(3 * 8);
    // Chance is a loss of ln 2 = 0.693 (held-out accuracy starts by luck at 0.75 for this init: the 60 pairs share the few held-out clips that return 2).
    expect(lossBefore).toBeGreaterThan(0.6);
    expect(stats.trainLoss[0]).toBeLessThan(0.3);
    expect(stats.validationAccuracy).toBeGreaterThan(0.85);
    expect(stats.validationAccuracy).toBe(m.accuracy(held));
    console.log(`pixels fit on Breakout frames: train loss ${lossBefore.toFixed(3)} -> ${stats.trainLoss[0].toFixed(3)}, held-out accuracy ${heldBefore.toFixed(3)} -> ${stats.validationAccuracy.toFixed(3)} (${held.length} pairs; ${segs.length} whole clips, returns ${JSON.stringify(Object.fromEntries([1, 2].map((r) => [r, segs.filter((x) => x.ret === r).length])))})`);
  }, 60_000);

  it('saves and loads exactly, with the frame shape; a fit after loading continues as the original', () => {
    const rng = new Rng(4);
    const cmp = (i: number): Comparison => ({ left: imageSegment(2 * i, 2, FRAME, 3, rng), right: imageSegment(2 * i + 1, 2, FRAME, 3, rng), mu: i % 2 === 0 ? 1 : 0, validation: i % 4 === 3, counts: Uint8Array.from({ length: 2 }, () => poisson1(rng)) });
    const comparisons = Array.from({ length: 8 }, (_, i) => cmp(i));
    const m = new RewardModel([40, 40, 3], 3, pixels({ ensembleSize: 2 }), new Rng(1));
    m.fit(comparisons, 1, new Rng(2));
    m.fitOutputNormalization(comparisons.map((c) => c.left));
    const json = JSON.parse(JSON.stringify(m.save())) as RewardModelJson;
    expect(json.obsShape).toEqual([40, 40, 3]);
    expect(json.config.network).toBe('pixels');
    const back = RewardModel.load(json);
    expect(back.network).toBe('pixels');
    const s = comparisons[0].left;
    expect([...back.reward(s.obs, s.actions, s.length)]).toEqual([...m.reward(s.obs, s.actions, s.length)]);
    m.fit(comparisons, 1, new Rng(9));
    back.fit(comparisons, 1, new Rng(9));
    expect(JSON.stringify(back.save())).toBe(JSON.stringify(m.save()));
    expect(() => RewardModel.load({ ...json, obsShape: undefined })).toThrow("network 'pixels' saved without its observation shape");
    expect(() => RewardModel.load({ ...json, obsShape: [10, 10, 4] })).toThrow(/reward model member 0: saved architecture 40x40x6 .* does not match the network's 10x10x7/);
  });

  it("minAtarPrefsConfig takes network 'pixels' when the env kwargs say obsType 'rgb'; options given win", () => {
    const rgb = PrefsConfigSchema.parse(minAtarPrefsConfig({ envId: 'MinAtar/Breakout-v1', envKwargs: { obsType: 'rgb' } }));
    expect(rgb.rewardModel.network).toBe('pixels');
    expect(rgb.segmentLength).toBe(25);
    expect(PrefsConfigSchema.parse(minAtarPrefsConfig({ envId: 'MinAtar/Breakout-v1', envKwargs: { obsType: 'grid' } })).rewardModel.network).toBe('minatar');
    expect(PrefsConfigSchema.parse(minAtarPrefsConfig({ envId: 'MinAtar/Breakout-v1', envKwargs: { obsType: 'rgb' }, rewardModel: { network: 'mlp' } })).rewardModel.network).toBe('mlp');
  });
});
