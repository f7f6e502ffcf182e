/**
 * The hopper's drawn poses, read as a person watching the clip reads them: where the torso
 * points, how high it is, how far it has turned over. Render states hold, per visible geom,
 * [x, y, z, qw, qx, qy, qz]; the page draws MuJoCo walkers from the side (x to the right, z up),
 * so everything here lives in that (x, z) plane. Pure functions of numbers; no simulator.
 *
 * Conventions: the hopper faces +x (it hops that way); its pitch is the angle of the torso's
 * hip-to-head direction from straight up, positive leaning forward (+x). A backflip turns the
 * head back over the top: the pitch decreases, counterclockwise in the side view. `backward`
 * series below are minus the unwrapped pitch, so a backflip adds 2π.
 */

const POSE = 7;

/** The geoms a reader of Hopper poses needs, by index in the scene's geom list. */
export interface HopperGeoms {
  torso: number;
  /** The geom hanging from the torso's hip: which end of the torso is the head is the end away from it. */
  thigh: number;
  /** Half the length of the torso capsule's axis (MuJoCo capsule size[1]). */
  torsoHalf: number;
  /** The floor plane (its drawn z is the floor's height; Hopper-v5's is 0), or -1 when the scene draws none. */
  floor: number;
  /** The body: every geom but the floor, each a capsule of `radius` (size[0]) around an axis `half` (size[1]) long each way. */
  capsules: { index: number; radius: number; half: number }[];
}

/**
 * Finds the torso and thigh in a scene's geoms (Hopper: torso_geom, thigh_geom), the floor (the
 * plane, or the geom named floor) and the body's capsules. The labeling API's scene may leave
 * out geom types; sizes and names are enough.
 */
export function hopperGeoms(geoms: readonly { name: string; type?: string; size: readonly number[] }[]): HopperGeoms {
  const torso = geoms.findIndex((g) => g.name === 'torso_geom');
  const thigh = geoms.findIndex((g) => g.name === 'thigh_geom');
  if (torso < 0 || thigh < 0) throw new Error(`not a hopper scene: no torso_geom and thigh_geom among ${geoms.map((g) => g.name).join(', ')}`);
  const floor = geoms.findIndex((g) => g.type === 'plane' || g.name === 'floor');
  const odd = geoms.find((g, i) => i !== floor && g.type !== undefined && g.type !== 'capsule');
  if (odd) throw new Error(`not a hopper scene: its body is capsules, but ${odd.name} is a ${odd.type}`);
  const capsules = geoms.flatMap((g, index) => (index === floor ? [] : [{ index, radius: g.size[0], half: g.size[1] }]));
  return { torso, thigh, torsoHalf: geoms[torso].size[1], floor, capsules };
}

/** What one frame shows of the torso. */
export interface TorsoPose {
  /** Angle of the hip-to-head direction from straight up, in (-π, π]; + leans forward (+x). */
  pitch: number;
  /** Height of the torso's centre above the floor (z = 0), metres. */
  height: number;
  /** Horizontal position of the torso's centre, metres. */
  x: number;
}

/** The torso capsule's axis (its local z, half its length) in the side view, and its centre, in frame t. */
function torsoAxis(render: ArrayLike<number>, frameSize: number, t: number, g: HopperGeoms): { x: number; z: number; ax: number; az: number; thighX: number; thighZ: number } {
  const o = t * frameSize + g.torso * POSE;
  const q: [number, number, number, number] = [render[o + 3], render[o + 4], render[o + 5], render[o + 6]];
  const [ax, , az] = rotate(q, [0, 0, g.torsoHalf]);
  const th = t * frameSize + g.thigh * POSE;
  return { x: render[o], z: render[o + 2], ax, az, thighX: render[th], thighZ: render[th + 2] };
}

/**
 * Which way along the torso capsule's axis the head lies (+1: its local +z; -1: -z), as one
 * sees it in a clip: the end away from the leg. The leg can fold up beside the torso, so single
 * frames can mislead; the clip's frames vote, and the axis, fixed in the body, then carries the
 * head through every frame (so a fast turn never jumps by half a turn).
 */
export function headSign(render: ArrayLike<number>, frameSize: number, g: HopperGeoms): 1 | -1 {
  const frames = Math.floor(render.length / frameSize);
  let vote = 0;
  for (let t = 0; t < frames; t++) {
    const a = torsoAxis(render, frameSize, t, g);
    const plus = (a.x + a.ax - a.thighX) ** 2 + (a.z + a.az - a.thighZ) ** 2;
    const minus = (a.x - a.ax - a.thighX) ** 2 + (a.z - a.az - a.thighZ) ** 2;
    vote += Math.sign(plus - minus);
  }
  return vote >= 0 ? 1 : -1;
}

/** The torso in frame `t` of a clip's render states (`frameSize` numbers per frame), its head along `sign` (see `headSign`). */
export function torsoPose(render: ArrayLike<number>, frameSize: number, t: number, g: HopperGeoms, sign: 1 | -1 = headSign(render, frameSize, g)): TorsoPose {
  const a = torsoAxis(render, frameSize, t, g);
  return { pitch: Math.atan2(sign * a.ax, sign * a.az), height: a.z, x: a.x };
}

/** Rotates v by the unit quaternion (w, x, y, z), as the page's drawing (`server/ui/draw.ts`) does; a copy, so the annotator provably loads nothing but this file. */
export function rotate(q: readonly [number, number, number, number], v: readonly [number, number, number]): [number, number, number] {
  const [w, x, y, z] = q;
  const [vx, vy, vz] = v;
  const tx = 2 * (y * vz - z * vy);
  const ty = 2 * (z * vx - x * vz);
  const tz = 2 * (x * vy - y * vx);
  return [vx + w * tx + (y * tz - z * ty), vy + w * ty + (z * tx - x * tz), vz + w * tz + (x * ty - y * tx)];
}

/**
 * How high the body's lowest point is above the floor in frame t (m). A capsule's lowest point
 * is the lower of its axis's two end centres (its centre ± half its axis, the local z turned by
 * its quaternion) less its radius; the floor's height is the plane's drawn z. Negative when the
 * body presses into the floor, as MuJoCo's soft contacts let it: lying still, Hopper-v5 reads
 * -0.003; pushing off hard, down to -0.055.
 */
export function clearance(render: ArrayLike<number>, frameSize: number, t: number, g: HopperGeoms): number {
  const f = t * frameSize;
  let lowest = Infinity;
  for (const c of g.capsules) {
    const o = f + c.index * POSE;
    const [, , az] = rotate([render[o + 3], render[o + 4], render[o + 5], render[o + 6]], [0, 0, c.half]);
    lowest = Math.min(lowest, render[o + 2] - Math.abs(az) - c.radius);
  }
  return lowest - (g.floor >= 0 ? render[f + g.floor * POSE + 2] : 0);
}

/** Every frame's clearance (see `clearance`). */
export function clearances(render: ArrayLike<number>, frameSize: number, g: HopperGeoms): number[] {
  return Array.from({ length: Math.floor(render.length / frameSize) }, (_, t) => clearance(render, frameSize, t, g));
}

/**
 * In the air: the whole body off the floor. A frame is airborne when its clearance is over
 * `clearance` (m). Lying on the floor Hopper-v5 reads -0.0031 to -0.0006 (a contact sinks in
 * about 3 mm) and its smallest hop peaks at 0.04 (the 3M-step fifth run's ten evaluation
 * episodes). Its reset pose holds the foot 0.033-0.043 up, so the first 0.06 s of an episode,
 * dropping onto the floor, are airborne too.
 */
export const AIRBORNE = {
  clearance: 0.01,
  /** A flip turned mostly in the air has at least this share of its turning frames airborne. */
  mostly: 0.5,
};

/** The share of frames `from` to `to` (both included) whose clearance is over `AIRBORNE.clearance`. */
export function airShare(clearance: readonly number[], from: number, to: number, margin = AIRBORNE.clearance): number {
  const span = clearance.slice(from, to + 1);
  return span.length ? span.filter((c) => c > margin).length / span.length : 0;
}

/** Every frame's torso pose. */
export function torsoPoses(render: ArrayLike<number>, frameSize: number, g: HopperGeoms): TorsoPose[] {
  const frames = Math.floor(render.length / frameSize);
  const sign = headSign(render, frameSize, g);
  return Array.from({ length: frames }, (_, t) => torsoPose(render, frameSize, t, g, sign));
}

/**
 * Minus the pitch, unwrapped (consecutive frames differ by less than π, the smallest turn
 * between them): the torso's accumulated backward rotation, in radians, plus its start.
 */
export function backwardRotation(pitches: readonly number[]): number[] {
  const out: number[] = [];
  for (let t = 0; t < pitches.length; t++) out.push(t === 0 ? -pitches[0] : out[t - 1] + wrap(pitches[t - 1] - pitches[t]));
  return out;
}

const TAU = 2 * Math.PI;

/** An angle in (-π, π]. */
export function wrap(a: number): number {
  const r = (((a + Math.PI) % TAU) + TAU) % TAU;
  return r === 0 ? Math.PI : r - Math.PI;
}

/** The flip counter's rule, with its parameters. */
export const FLIP_RULE = {
  /** A torso within this angle of upright counts as upright (radians; 30°). */
  uprightPitch: Math.PI / 6,
  /** ...if its centre is at least this high (m): a hopper lying down has its torso below 0.3 m; standing, 1.25 m. */
  uprightHeight: 0.8,
  /** A flip has landed if the hopper is upright within this long after the rotation completes (s). */
  landingSeconds: 0.5,
};

export interface FlipCount {
  /** Full backward rotations (see `countFlips`). */
  flips: number;
  /** Of those, the ones after which the hopper was upright within `FLIP_RULE.landingSeconds`. */
  landed: number;
  /** Frame at which each flip's turn began (the last frame the torso was its most forward since the previous flip), and at which it completed. */
  from: number[];
  at: number[];
  /** For each flip, the lowest the torso's centre was while it turned (m): a roll along the ground stays under 0.4. */
  lowest: number[];
  /** Net rotation over the whole sequence, radians (+ backwards). */
  netBackward: number;
  /** The largest backward rotation in progress when the sequence ended, or reached after the last flip, radians (< 2π). */
  partial: number;
}

/**
 * Counts backflips in a sequence of torso poses. The rule: follow the torso's backward rotation
 * β (minus its pitch, unwrapped) from a base, starting at β of the first frame. Whenever β falls
 * below the base (the torso turns forwards) the base follows it down; whenever β reaches base +
 * 2π, one flip is counted and the base moves up by 2π. So a flip is a full turn backwards,
 * counted from the most forward the torso was since the previous flip: rocking never counts,
 * a forward somersault never counts, and turning forwards in between undoes backward progress.
 * A flip has landed when, within `landingSeconds` after it completes, a frame shows the torso
 * upright (within `uprightPitch` of vertical) and high (centre at least `uprightHeight`).
 */
export function countFlips(poses: readonly TorsoPose[], dt: number, rule = FLIP_RULE): FlipCount {
  const beta = backwardRotation(poses.map((p) => p.pitch));
  const starts: number[] = [];
  const at: number[] = [];
  const lowest: number[] = [];
  let base = beta[0] ?? 0;
  let from = 0;
  let partial = 0;
  for (let t = 0; t < beta.length; t++) {
    // At the base counts too, so a turn begins when the torso leaves its most forward pose, not when it first got there.
    if (beta[t] <= base) {
      base = beta[t];
      from = t;
    }
    while (beta[t] - base >= TAU) {
      starts.push(from);
      at.push(t);
      lowest.push(Math.min(...poses.slice(from, t + 1).map((p) => p.height)));
      base += TAU;
      from = t;
      partial = 0;
    }
    partial = Math.max(partial, beta[t] - base);
  }
  const window = Math.round(rule.landingSeconds / dt);
  const upright = (p: TorsoPose) => Math.abs(wrap(p.pitch)) <= rule.uprightPitch && p.height >= rule.uprightHeight;
  const landed = at.filter((t) => poses.slice(t, t + window + 1).some(upright)).length;
  return { flips: at.length, landed, from: starts, at, lowest, netBackward: beta.length ? beta[beta.length - 1] - beta[0] : 0, partial };
}

/** A torso centre at least this high (m) turns in the air, or on its foot; below it the hopper is on the ground (lying: under 0.4 m). */
export const AIR_HEIGHT = 0.7;

/**
 * What a backward turn on the ground is worth beside one in the air. A first run (0.5) learned to
 * fall on its back and roll over backwards along the ground, twice an episode, and never rose
 * (bench/results/backflip.md, notes); a roll is not a flip, so it now earns nothing.
 */
export const GROUND_TURN_WEIGHT = 0;

/**
 * Getting up again. A second run learned to throw itself over backwards and then lay on the
 * ground (bench/results/backflip.md, notes); a clip that turns back at least `minTurn` (radians,
 * ground included) and ends with the torso upright and high (`FLIP_RULE`, last frame) earns
 * `bonus`. The bonus is more than the π/2 that turning forwards by half a turn costs, so
 * falling back and getting up beats falling back and lying there; it is less than the π a
 * landed full turn earns (a landed turn that ends the clip upright earns both).
 */
export const GET_UP = { minTurn: Math.PI, bonus: 2 };

/**
 * Leaving the ground. The third and fourth runs (2 s and 1 s episodes) learned to topple over
 * backwards from standing, 0.75-0.85 of a turn, and never rose above standing height (1.25-1.32 m
 * at the torso's centre): every clip toppled alike, 640 of 999 answers were "equal", and the
 * 0.5 per metre of the highest point gave a 0.1 m hop only 0.05, under the annotator's equal
 * margin. A backflip needs a jump, and a person comparing two backward falls picks the one that
 * leaves the ground first: each metre the torso's centre rises above its standing height earns
 * `perMetre`, so a 0.1 m hop decides a pair of falls (0.3 against the 0.1 margin). A jump that
 * turns forwards by `maxForward` or more is not the start of a backflip and earns nothing here.
 */
export const JUMP = { standing: 1.25, perMetre: 3, maxForward: Math.PI / 2 };

/**
 * How close a clip is to a backflip, for someone asked "which is closer to a backflip?": the
 * largest backward turn it shows (from the most forward the torso was before), counting only
 * the turning done high (torso centre above `AIR_HEIGHT`; on the ground it counts
 * `GROUND_TURN_WEIGHT`), capped at one full turn so that spinning on and on earns nothing more;
 * plus π if a completed turn lands upright within the clip (`countFlips`); minus half its
 * largest forward turn (up to π: falling on its face is further from a backflip than standing
 * still); plus 0.5 per metre of the torso's highest point (a jump is a start); plus
 * `GET_UP.bonus` if, after a backward turn of at least `GET_UP.minTurn` (on the ground or not),
 * the clip ends upright and high; plus `JUMP.perMetre` per metre the torso rises above standing.
 */
export function backflipScore(poses: readonly TorsoPose[], dt: number): number {
  if (poses.length === 0) return 0;
  const beta = backwardRotation(poses.map((p) => p.pitch));
  let turned = 0;
  let lowest = 0;
  let backward = 0;
  let most = beta[0];
  let forward = 0;
  let least = beta[0];
  let backwardAll = 0;
  for (let t = 1; t < beta.length; t++) {
    const d = beta[t] - beta[t - 1];
    const high = (poses[t].height + poses[t - 1].height) / 2 >= AIR_HEIGHT;
    turned += d > 0 && !high ? GROUND_TURN_WEIGHT * d : d;
    lowest = Math.min(lowest, turned);
    backward = Math.max(backward, turned - lowest);
    most = Math.max(most, beta[t]);
    forward = Math.max(forward, most - beta[t]);
    least = Math.min(least, beta[t]);
    backwardAll = Math.max(backwardAll, beta[t] - least);
  }
  const landed = countFlips(poses, dt).landed > 0;
  const peak = Math.max(...poses.map((p) => p.height));
  const end = poses[poses.length - 1];
  const gotUp = backwardAll >= GET_UP.minTurn && Math.abs(wrap(end.pitch)) <= FLIP_RULE.uprightPitch && end.height >= FLIP_RULE.uprightHeight;
  return Math.min(backward, TAU) + (landed ? Math.PI : 0) - 0.5 * Math.min(forward, Math.PI) + 0.5 * Math.max(0, peak) + (forward < JUMP.maxForward ? JUMP.perMetre * Math.max(0, peak - JUMP.standing) : 0) + (gotUp ? GET_UP.bonus : 0);
}
