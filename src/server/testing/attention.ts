/**
 * A hand-made attention report (AttentionReportJson) for a Pendulum run, for the attention
 * page's tests and for trying its screenshots without a real `overseer interp` run. The clips
 * are swings of the pendulum (render states (theta, theta_dot) per frame, as PENDULUM draws
 * them); each unit's activation is its attribution's linear fit of the named features plus a
 * wiggle the fit misses, so the numbers hang together the way a real report's do.
 */
import type { AttentionActivationJson, AttentionClipJson, AttentionReportJson, AttentionUnitJson } from '../api.js';

/** The named features of one Pendulum state. */
interface State {
  uprightness: number;
  angle: number;
  angularVelocity: number;
  angularSpeed: number;
  torque: number;
  upright: number;
}

const FEATURES: AttentionReportJson['features'] = [
  { name: 'uprightness', kind: 'number', description: 'cosine of the angle from upright (1 upright, -1 hanging down)' },
  { name: 'angle', kind: 'number', description: 'angle from upright (rad, in (-π, π])' },
  { name: 'angularVelocity', kind: 'number', description: 'angular velocity (rad/s, + counter-clockwise)' },
  { name: 'angularSpeed', kind: 'number', description: 'angular speed, the absolute velocity (rad/s)' },
  { name: 'torque', kind: 'number', description: 'torque applied at the pivot (N·m, clipped to ±2)' },
  { name: 'upright', kind: 'boolean', description: 'the pendulum within 0.5 rad of upright' },
];

/** Means and stds of the features over every recorded state (what the attribution standardises with). */
const STATS: Record<keyof State, { mean: number; std: number }> = {
  uprightness: { mean: -0.12, std: 0.71 },
  angle: { mean: 0.04, std: 1.83 },
  angularVelocity: { mean: 0.02, std: 3.1 },
  angularSpeed: { mean: 2.4, std: 1.9 },
  torque: { mean: 0.01, std: 1.2 },
  upright: { mean: 0.16, std: 0.37 },
};

/** A swing: theta = amplitude · cos(ω t + phase) about `centre`, at Pendulum's 20 frames a second. */
function swing(length: number, centre: number, amplitude: number, omega: number, phase: number): { theta: number[]; thetaDot: number[]; torque: number[] } {
  const ts = Array.from({ length }, (_, k) => k * 0.05);
  return {
    theta: ts.map((t) => centre + amplitude * Math.cos(omega * t + phase)),
    thetaDot: ts.map((t) => -amplitude * omega * Math.sin(omega * t + phase)),
    torque: ts.map((t, k) => Math.max(-2, Math.min(2, 1.6 * Math.sin(2.1 * t + k * 0.3 + phase)))),
  };
}

const wrap = (a: number) => Math.atan2(Math.sin(a), Math.cos(a));
const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function statesOf(s: ReturnType<typeof swing>): State[] {
  return s.theta.map((theta, k) => ({
    uprightness: Math.cos(theta),
    angle: wrap(theta),
    angularVelocity: s.thetaDot[k],
    angularSpeed: Math.abs(s.thetaDot[k]),
    torque: s.torque[k],
    upright: Math.abs(wrap(theta)) < 0.5 ? 1 : 0,
  }));
}

/** Render states as float32 little-endian base64, as SegmentJson carries them. */
function renderOf(s: ReturnType<typeof swing>): string {
  const f = Float32Array.from(s.theta.flatMap((theta, k) => [theta, s.thetaDot[k]]));
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

interface ClipPlan {
  id: string;
  source: 'segment' | 'rollout';
  swing: ReturnType<typeof swing>;
  terminated: boolean;
}

const PLANS: ClipPlan[] = [
  // Near the top, rocking a little: what the uprightness feature likes.
  { id: 'seg-3', source: 'segment', swing: swing(16, 0.1, 0.45, 4, 0.3), terminated: false },
  // A big swing through the bottom: fast, what the speed neuron likes.
  { id: 'rollout-0', source: 'rollout', swing: swing(20, Math.PI, 2.2, 3, 0), terminated: false },
  { id: 'seg-8', source: 'segment', swing: swing(12, 0.8, 1.1, 5, 1.2), terminated: false },
];

interface UnitPlan {
  kind: AttentionUnitJson['kind'];
  index: number;
  explanation: string;
  score: number;
  frequency: number;
  meanEffect: number;
  r2: number;
  intercept: number;
  weights: [keyof State, number][];
  clips: string[];
}

const UNITS: UnitPlan[] = [
  {
    kind: 'sae-feature',
    index: 104,
    explanation: 'fires when the pendulum is near upright and moving slowly',
    score: 0.81,
    frequency: 0.124,
    meanEffect: 0.163,
    r2: 0.74,
    intercept: 0.9,
    weights: [['uprightness', 1.2], ['angularSpeed', -0.6], ['torque', 0.1]],
    clips: ['seg-3', 'seg-8', 'rollout-0'],
  },
  {
    kind: 'neuron',
    index: 20,
    explanation: 'fires when the pendulum swings fast through the bottom',
    score: 0.64,
    frequency: 0.381,
    meanEffect: -0.087,
    r2: 0.58,
    intercept: 1.1,
    weights: [['angularSpeed', 0.9], ['uprightness', -0.5], ['angle', 0.2]],
    clips: ['rollout-0', 'seg-8'],
  },
  {
    kind: 'sae-feature',
    index: 7,
    explanation: 'fires when the torque pushes the pendulum counter-clockwise',
    score: 0.42,
    frequency: 0.207,
    meanEffect: 0.041,
    r2: 0.33,
    intercept: 0.4,
    weights: [['torque', 0.8], ['angularVelocity', 0.3], ['upright', 0.2]],
    clips: ['seg-8', 'seg-3', 'rollout-0'],
  },
];

/** The report for run `runId` of `envId` (Pendulum-v1 unless said). */
export function attentionReport(runId = 'r1', envId = 'Pendulum-v1'): AttentionReportJson {
  const states = new Map(PLANS.map((p) => [p.id, statesOf(p.swing)]));
  const clips: AttentionClipJson[] = PLANS.map((p) => ({
    id: p.id,
    source: p.source,
    length: p.swing.theta.length,
    renderSize: 2,
    render: renderOf(p.swing),
    // Pendulum's reward: high upright and still, here in the member's reward std.
    reward: states.get(p.id)!.map((s) => round(1.3 * s.uprightness - 0.08 * s.angularSpeed ** 2 + 0.2, 3)),
    terminated: p.terminated,
  }));
  const units: AttentionUnitJson[] = UNITS.map((u) => {
    const along = u.clips.map((clipId): AttentionActivationJson => {
      const contributions = u.weights.map(([name, w]) => states.get(clipId)!.map((s) => round((w * (s[name] - STATS[name].mean)) / STATS[name].std)));
      const activations = states.get(clipId)!.map((_, k) => round(Math.max(0, u.intercept + contributions.reduce((sum, c) => sum + c[k], 0) + 0.15 * Math.sin(1.7 * k))));
      return { clipId, activations, simulated: [], attribution: contributions };
    });
    const maxActivation = Math.max(...along.flatMap((a) => a.activations));
    // The simulator's guess: the scaled activation, off by a little, on 0–10.
    for (const a of along) a.simulated = a.activations.map((x, k) => round(Math.min(10, Math.max(0, (10 * x) / maxActivation + 1.2 * Math.cos(0.9 * k))), 1));
    return {
      kind: u.kind,
      index: u.index,
      explanation: u.explanation,
      score: u.score,
      frequency: u.frequency,
      meanEffect: u.meanEffect,
      maxActivation,
      attribution: { r2: u.r2, intercept: u.intercept, features: u.weights.map(([name, weight]) => ({ name, weight, mean: STATS[name].mean, std: STATS[name].std })) },
      topClips: along,
    };
  });
  return {
    format: 'overseer.attention/1',
    runId,
    envId,
    madeBy: 'overseer interp runs/pendulum-1 --units 64',
    createdAt: '2025-03-14T09:26:53.000Z',
    checkpoint: 'checkpoints/final',
    labels: 400,
    network: 'reward-model/0',
    layer: 1,
    width: 64,
    sae: { dictSize: 256, fvu: 0.083, l0: 6.4, alive: 231, aliveWithoutResampling: 174 },
    accuracy: { pairs: 120, intact: 0.858, saeReconstruction: 0.842, meanAblation: 0.533 },
    scores: [
      { units: 'reward-model/0 layer 1 neurons', count: 64, mean: 0.412, median: 0.437, above08: 3 },
      { units: 'SAE features (sample of alive ones)', count: 64, mean: 0.486, median: 0.521, above08: 7 },
      { units: 'random directions', count: 64, mean: 0.297, median: 0.305, above08: 0 },
    ],
    features: FEATURES,
    units,
    clips,
  };
}
