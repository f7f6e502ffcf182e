import { describe, expect, it } from 'vitest';
import { AIR_HEIGHT, AIRBORNE, GET_UP, JUMP, airShare, backflipScore, backwardRotation, clearance, clearances, countFlips, hopperGeoms, torsoPoses, wrap } from './poses.js';
import { HOPPER_DT, HOPPER_GEOMS, hopperClip, ramp } from './testing.js';

const g = hopperGeoms(HOPPER_GEOMS);
const TAU = 2 * Math.PI;
const poses = (pitch: number[], height: number[], o = {}) => {
  const c = hopperClip(pitch, height, o);
  return torsoPoses(c.render, c.frameSize, g);
};
const flat = (n: number, v: number) => Array.from({ length: n }, () => v);

/** Stands 20 frames, turns `turns` (+ backwards) over 100 frames in the air, then stands 60 frames. */
function somersault(turns: number, airHeight = 2, landHeight = 1.25) {
  const pitch = [...flat(20, 0), ...ramp(0, -turns * TAU, 100), ...flat(60, wrap(-turns * TAU))];
  const height = [...flat(20, 1.25), ...ramp(1.25, airHeight, 50), ...ramp(airHeight, landHeight, 50), ...flat(60, landHeight)];
  return poses(pitch, height);
}

describe('torso pose', () => {
  it('reads pitch (+ forward), height and x from the drawn geoms, whichever way a capsule axis points', () => {
    for (const flipAxis of [false, true]) {
      const p = poses([0, 0.5, -1, 3], [1.25, 1.1, 0.9, 0.3], { flipAxis, x: [0, 1, 2, 3] });
      expect(p.map((q) => q.pitch)).toEqual([0, 0.5, -1, 3].map((v) => expect.closeTo(v, 5)));
      expect(p.map((q) => q.height)).toEqual([1.25, 1.1, 0.9, 0.3].map((v) => expect.closeTo(v, 5)));
      expect(p.map((q) => q.x)).toEqual([0, 1, 2, 3].map((v) => expect.closeTo(v, 5)));
    }
  });

  it('unwraps across ±π: backward rotation keeps growing through a full turn', () => {
    const pitch = ramp(0, -1.5 * TAU, 200).map(wrap);
    const beta = backwardRotation(pitch);
    expect(beta.at(-1)).toBeCloseTo(1.5 * TAU, 6);
    for (let t = 1; t < beta.length; t++) expect(beta[t]).toBeGreaterThan(beta[t - 1]);
  });
});

describe('flip counter', () => {
  it('one backward flip in the air, landed upright: 1 flip, 1 landed', () => {
    const c = countFlips(somersault(1), HOPPER_DT);
    expect(c).toMatchObject({ flips: 1, landed: 1 });
    // The turn begins as the torso leaves upright (frame 20), not when it first stood there.
    expect(c.from).toEqual([20]);
    expect(c.at).toEqual([119]);
    expect(c.netBackward).toBeCloseTo(TAU, 6);
  });

  it('a forward flip: 0', () => {
    expect(countFlips(somersault(-1), HOPPER_DT)).toMatchObject({ flips: 0, landed: 0 });
  });

  it('rocking back and forth by a radian, ten times: 0', () => {
    const n = 1000;
    const pitch = Array.from({ length: n }, (_, t) => Math.sin((t / n) * 10 * TAU));
    const c = countFlips(poses(pitch, flat(n, 1.25)), HOPPER_DT);
    expect(c.flips).toBe(0);
    expect(c.partial).toBeCloseTo(2, 2);
  });

  it('two flips in a row: 2; a turn that ends on the ground: 1 flip, not landed', () => {
    expect(countFlips(somersault(2), HOPPER_DT)).toMatchObject({ flips: 2, landed: 2 });
    expect(countFlips(somersault(1, 2, 0.15), HOPPER_DT)).toMatchObject({ flips: 1, landed: 0 });
    // A roll along the ground: a flip by the rule, with the torso low all the way round.
    const roll = countFlips(poses(ramp(0, -TAU, 100).map(wrap), flat(100, 0.2)), HOPPER_DT);
    expect(roll).toMatchObject({ flips: 1, landed: 0 });
    expect(roll.lowest[0]).toBeCloseTo(0.2, 5);
    expect(countFlips(somersault(1), HOPPER_DT).lowest[0]).toBeCloseTo(1.25, 5);
  });

  it('three quarters back, three quarters forward, three quarters back: no flip (forward turning undoes progress)', () => {
    const q = 0.75 * TAU;
    const pitch = [...ramp(0, -q, 50), ...ramp(-q, 0, 50), ...ramp(0, -q, 50)].map(wrap);
    expect(countFlips(poses(pitch, flat(150, 1.25)), HOPPER_DT).flips).toBe(0);
  });
});

/** Hopper-v5's first frame after reset as drawn (the fifth full run's evaluation episode 1): floor, torso, thigh, leg, foot. */
const RESET_FRAME = [
  0, 0, 0, 1, 0, 0, 0, -0.00494, 0, 1.25038, 1, 0, -0.00076, 0, -0.00404, 0, 0.82538, 1, 0, -0.00134, 0, -0.00386, 0, 0.35038, 1, 0, 0.00084, 0, 0.06072, 0, 0.10017, 0.70827, 0, -0.70594, 0,
];

describe('clearance above the floor', () => {
  it("reads the floor and the body's capsules from the render spec's geoms", () => {
    expect(g.floor).toBe(0);
    expect(g.capsules).toEqual([
      { index: 1, radius: 0.05, half: 0.2 },
      { index: 2, radius: 0.05, half: 0.225 },
      { index: 3, radius: 0.04, half: 0.25 },
      { index: 4, radius: 0.06, half: 0.195 },
    ]);
    // The labeling API's scene may send names and sizes only.
    expect(hopperGeoms(HOPPER_GEOMS.map(({ name, size }) => ({ name, size })))).toEqual(g);
  });

  it("Hopper-v5's reset pose holds the foot (lying across) 0.04 m up; hopperClip draws that pose", () => {
    expect(clearance(RESET_FRAME, 35, 0, g)).toBeCloseTo(0.0395, 4);
    const c = hopperClip([0], [1.25]);
    expect(Array.from(c.render)).toEqual(RESET_FRAME.map((v) => expect.closeTo(v, 2)));
    expect(clearance(c.render, c.frameSize, 0, g)).toBeCloseTo(0.04, 5);
  });

  it('standing with the foot on the floor: 0; lifted 0.3 m: 0.3; measured from the floor, whichever way the capsule axes point', () => {
    for (const flipAxis of [false, true]) {
      const c = hopperClip([0, 0], [1.21, 1.51], { flipAxis });
      expect(clearances(c.render, c.frameSize, g)).toEqual([expect.closeTo(0, 5), expect.closeTo(0.3, 5)]);
      c.render[2] = 0.3;
      expect(clearance(c.render, c.frameSize, 0, g)).toBeCloseTo(-0.3, 5);
    }
    // Lying on its back, the torso's centre 0.05 m up: its underside in the floor (as a contact sinks in).
    const lying = hopperClip([-Math.PI / 2], [0.05]);
    expect(clearance(lying.render, lying.frameSize, 0, g)).toBeLessThan(0);
  });
});

describe('in the air during a flip', () => {
  /** Stands 20 frames, turns back a full turn over 100 frames with the torso's centre from `top` down to `bottom`, then stands 60 frames. */
  function jump(top: number, bottom: number, tucked: boolean) {
    const pitch = [...flat(20, 0), ...ramp(0, -TAU, 100), ...flat(60, 0)].map(wrap);
    const height = [...flat(20, 1.21), ...ramp(top, bottom, 100), ...flat(60, 1.21)];
    const c = hopperClip(pitch, height, { tucked: pitch.map((_, t) => tucked && t >= 20 && t < 120) });
    const f = countFlips(torsoPoses(c.render, c.frameSize, g), HOPPER_DT);
    const clear = clearances(c.render, c.frameSize, g);
    return { ...f, air: f.from.map((from, i) => airShare(clear, from, f.at[i])), clear };
  }

  it("a tucked somersault: the torso's centre dips to 0.62 m, not high, yet the whole body is off the floor all the turn", () => {
    const tuck = jump(1.6, 0.62, true);
    expect(tuck).toMatchObject({ flips: 1, landed: 1, from: [20], at: [119] });
    expect(tuck.lowest[0]).toBeCloseTo(0.62, 5);
    expect(tuck.lowest[0]).toBeLessThan(AIR_HEIGHT);
    expect(tuck.air).toEqual([1]);
    // Folded up, nothing reaches more than 0.45 m from the torso's centre.
    expect(Math.min(...tuck.clear.slice(20, 120))).toBeGreaterThan(0.62 - 0.45);
    // Standing before and after: on the floor.
    expect(Math.max(...tuck.clear.slice(0, 20), ...tuck.clear.slice(120))).toBeCloseTo(0, 5);
  });

  it('the same turn drawn straight is in the air only while its leg clears the floor; a roll along the ground never is', () => {
    const straight = jump(1.6, 0.62, false);
    expect(straight).toMatchObject({ flips: 1, from: [20], at: [119] });
    expect(straight.air).toEqual([0.82]);
    // Rolling over with the torso's centre 0.05 m up, its radius: lying on the floor. (Drawn stiff and straight with the centre at 0.15 m, the body would float 0.1 m over the floor while level.)
    const pitch = ramp(0, -TAU, 100).map(wrap);
    const roll = countFlips(poses(pitch, flat(100, 0.05)), HOPPER_DT);
    const c = hopperClip(pitch, flat(100, 0.05));
    expect(roll).toMatchObject({ flips: 1, from: [0], at: [99] });
    expect(roll.lowest[0]).toBeCloseTo(0.05, 5);
    expect(airShare(clearances(c.render, c.frameSize, g), roll.from[0], roll.at[0])).toBe(0);
    expect(AIRBORNE).toEqual({ clearance: 0.01, mostly: 0.5 });
  });
});

describe('backflip score', () => {
  it('orders: landed flip > flip ending on the ground > half turn back > standing > forward turn; turning on the ground counts for nothing', () => {
    const landed = backflipScore(somersault(1), HOPPER_DT);
    const onGround = backflipScore(somersault(1, 2, 0.15), HOPPER_DT);
    const half = backflipScore(somersault(0.5), HOPPER_DT);
    const standing = backflipScore(poses(flat(180, 0), flat(180, 1.25)), HOPPER_DT);
    const forward = backflipScore(somersault(-1, 1.25), HOPPER_DT);
    // It ends the clip upright after turning back, so it has got up again too (GET_UP.bonus, 2).
    // The jump (JUMP: 3 per metre above 1.25 m) adds 3 x 0.75 to each that peaks at 2 m.
    expect(landed).toBeCloseTo(TAU + Math.PI + 0.5 * 2 + 2 + 3 * 0.75, 6);
    // Its last part turns below AIR_HEIGHT, which does not count.
    expect(onGround).toBeGreaterThan(0.5 * TAU + 1 + 2.25);
    expect(onGround).toBeLessThan(TAU + 1 + 2.25);
    expect(half).toBeCloseTo(Math.PI + 0.5 * 2 + 2.25, 6);
    expect(standing).toBeCloseTo(0.5 * 1.25, 6);
    expect([landed, onGround, half, standing]).toEqual([landed, onGround, half, standing].sort((a, b) => b - a));
    expect(forward).toBeCloseTo(-0.5 * Math.PI + 0.5 * 1.25, 6);
    // Backward rolls along the ground earn nothing however many; spinning high is capped at one turn.
    const spin = (turns: number, height: number) => backflipScore(poses(ramp(0, -turns * TAU, 180).map(wrap), flat(180, height)), HOPPER_DT);
    expect(spin(1, 0.15)).toBeCloseTo(0.5 * 0.15, 6);
    expect(spin(3, 0.15)).toBeCloseTo(0.5 * 0.15, 6);
    expect(spin(3, 1.25)).toBeCloseTo(TAU + Math.PI + 0.5 * 1.25 + 2, 6);
  });

  it('pays JUMP.perMetre (3) per metre the torso rises above standing, unless the clip turns forwards a quarter turn or more', () => {
    expect(JUMP).toEqual({ standing: 1.25, perMetre: 3, maxForward: Math.PI / 2 });
    // The same fall back (0.8 of a turn, the torso down to 0.2 m), from standing and from a 0.1 m hop.
    const fall = (hop: number) =>
      backflipScore(poses([...flat(20, 0), ...ramp(0, -0.8 * TAU, 80)].map(wrap), [...ramp(1.25, 1.25 + hop, 20), ...ramp(1.25 + hop, 0.2, 80)]), HOPPER_DT);
    // 0.3 for the hop, 0.05 for the higher highest point, and 0.25 more of the turn made high: far over the annotator's 0.1 margin.
    expect(fall(0.1) - fall(0)).toBeCloseTo(0.6045, 3);
    // A forward somersault peaking at 2 m earns no jump: -π/2 + 0.5 x 2.
    expect(backflipScore(somersault(-1), HOPPER_DT)).toBeCloseTo(-0.5 * Math.PI + 0.5 * 2, 6);
  });

  it('pays GET_UP.bonus (2) for ending upright and high after turning back at least half a turn, on the ground or not', () => {
    expect(GET_UP).toEqual({ minTurn: Math.PI, bonus: 2 });
    // Back half a turn and forward again, in place at 1.25 m, against staying over: π - π/2 + 0.625 + 2 = 4.196 against π + 0.625 = 3.767.
    const back = (turn: number, end: number[]) => [...flat(20, 0), ...ramp(0, -turn, 50), ...end];
    const up = backflipScore(poses(back(Math.PI, ramp(-Math.PI, 0, 50)), flat(120, 1.25)), HOPPER_DT);
    const over = backflipScore(poses(back(Math.PI, flat(50, -Math.PI)), flat(120, 1.25)), HOPPER_DT);
    expect(up).toBeCloseTo(Math.PI / 2 + 0.625 + 2, 6);
    expect(up).toBeCloseTo(4.19580, 4);
    expect(over).toBeCloseTo(Math.PI + 0.625, 6);
    expect(up).toBeGreaterThan(over);
    // Less than half a turn back (0.4 turns) and up again: no bonus, 0.8π - 0.4π + 0.625.
    expect(backflipScore(poses(back(0.8 * Math.PI, ramp(-0.8 * Math.PI, 0, 50)), flat(120, 1.25)), HOPPER_DT)).toBeCloseTo(0.4 * Math.PI + 0.625, 6);
    // A fall onto the ground (the torso down to 0.2 m) and up again: the turn on the ground counts here; ending at 0.79 m (under FLIP_RULE's 0.8) or leaning 35° does not.
    const fall = (endHeight: number, endPitch = 0) => {
      const height = [...flat(20, 1.25), ...ramp(1.25, 0.2, 50), ...ramp(0.2, endHeight, 50)];
      return backflipScore(poses(back(Math.PI, ramp(-Math.PI, endPitch, 50)), height), HOPPER_DT);
    };
    expect(fall(0.8) - fall(0.79)).toBeCloseTo(2, 2);
    expect(fall(1.25) - fall(1.25, (35 * Math.PI) / 180)).toBeGreaterThan(1.9);
    // Staying down after a fall earns nothing for getting up.
    expect(backflipScore(poses(back(Math.PI, flat(50, -Math.PI)), [...flat(20, 1.25), ...ramp(1.25, 0.2, 50), ...flat(50, 0.2)]), HOPPER_DT)).toBeLessThan(fall(1.25));
  });
});
