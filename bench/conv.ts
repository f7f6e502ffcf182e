/**
 * `npm run bench -- conv [--batches 1,64,2048] [--seconds 0.5]`: throughput (samples/s) of the
 * convolutional networks of src/nn/conv.ts, forward alone and forward + backward (parameter
 * gradients, as a PPO or reward-model update takes them), with the WebAssembly SIMD kernels
 * against the plain-TypeScript backend, in one process, one cell after another. Networks:
 * MinAtar's (10x10x4 -> conv 16 3x3 -> dense 128 -> 6) and the small pixel network
 * (40x40x3 -> conv 8 4x4/2 -> conv 16 3x3/2 -> dense 128 -> 6). Each cell is the median of five
 * timed windows after a warm-up, the two backends' windows alternating; rates are per second of
 * this process's CPU time (robust to other processes on the cores) and per wall-clock second.
 * Writes bench/results/conv.{json,md}.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { minAtarNet, pixelNet, type ConvBackend, type ConvNet } from '../src/nn/conv.js';
import { Rng } from '../src/utils/rng.js';
import { RESULTS_DIR, provenance, writeResult, type Provenance } from './machine.js';

export type ConvBenchMode = 'forward' | 'forward+backward';

export interface ConvBenchCell {
  net: string;
  backend: ConvBackend;
  batch: number;
  mode: ConvBenchMode;
  /** Per second of this process's CPU time (user + system): what the code costs, little moved by other processes on the cores. */
  samplesPerSecond: number;
  /** Per second of wall-clock time. */
  samplesPerWallSecond: number;
}

export interface ConvBenchResult {
  provenance: Provenance;
  /** Measured seconds per cell (five windows), besides the warm-up. */
  seconds: number;
  /** 1-minute load averages before the first and after the last cell: other processes share the cores. */
  loadAverage: { start: number; end: number };
  nets: { name: string; architecture: string; params: number }[];
  cells: ConvBenchCell[];
}

export interface ConvBenchOptions {
  batches?: number[];
  /** Measured seconds per cell. */
  seconds?: number;
}

const NETS: { name: string; architecture: string; make: (backend: ConvBackend) => ConvNet }[] = [
  { name: 'MinAtar', architecture: '10x10x4 -> conv 16 3x3/1 valid -> dense 128 -> 6', make: (backend) => minAtarNet(4, 6, { backend }) },
  { name: 'pixels', architecture: '40x40x3 -> conv 8 4x4/2 -> conv 16 3x3/2 -> dense 128 -> 6', make: (backend) => pixelNet(6, { backend }) },
];

const BACKENDS = ['wasm', 'js'] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Calls per second (CPU and wall) of each function: each warms up for a tenth of the budget
 * and gets a window sized to a fifth of it; then five rounds time one window of each in turn,
 * so a change in the machine's load falls on all of them alike. Medians over the rounds.
 */
function callsPerSecond(fns: (() => void)[], seconds: number): { cpu: number; wall: number }[] {
  const calls = fns.map((fn) => {
    const t = performance.now();
    let warm = 0;
    while (warm === 0 || performance.now() - t < 100 * seconds) {
      fn();
      warm++;
    }
    return Math.max(1, Math.round((200 * seconds) / ((performance.now() - t) / warm)));
  });
  const rates = fns.map(() => ({ cpu: [] as number[], wall: [] as number[] }));
  for (let w = 0; w < 5; w++) {
    fns.forEach((fn, j) => {
      const c = cpuMs();
      const t = performance.now();
      for (let i = 0; i < calls[j]; i++) fn();
      rates[j].wall.push((1000 * calls[j]) / (performance.now() - t));
      rates[j].cpu.push((1000 * calls[j]) / Math.max(1e-3, cpuMs() - c));
    });
  }
  return rates.map((r) => ({ cpu: median(r.cpu), wall: median(r.wall) }));
}

export function benchConv(argv: string[], options: ConvBenchOptions = {}): ConvBenchResult {
  const batches = options.batches ?? [1, 64, 2048];
  const seconds = options.seconds ?? 0.5;
  if (!batches.length || batches.some((b) => !Number.isInteger(b) || b <= 0)) throw new Error(`--batches must be positive integers, got ${batches.join(',')}`);
  if (!(seconds > 0)) throw new Error(`--seconds must be positive, got ${seconds}`);
  const start = loadavg()[0];
  const cells: ConvBenchCell[] = [];
  const nets: ConvBenchResult['nets'] = [];
  for (const spec of NETS) {
    const rng = new Rng(0);
    const ref = spec.make('js').init(rng, { scheme: 'orthogonal', gain: Math.SQRT2 }, { scheme: 'orthogonal', gain: 0.01 });
    nets.push({ name: spec.name, architecture: spec.architecture, params: ref.numParams });
    const maxBatch = Math.max(...batches);
    // MinAtar-like sparse 0/1 planes and pixel-like values in [0, 1].
    const x = Float32Array.from({ length: maxBatch * ref.inputSize }, () => (spec.name === 'MinAtar' ? (rng.uniform(0, 1) < 0.1 ? 1 : 0) : rng.uniform(0, 1)));
    const dOut = Float32Array.from({ length: maxBatch * ref.outputSize }, () => rng.normal());
    const byBackend = BACKENDS.map((backend) => {
      const net = spec.make(backend);
      net.params.set(ref.params);
      return net;
    });
    for (const batch of batches) {
      for (const mode of ['forward', 'forward+backward'] as const) {
        const fns = byBackend.map((net) =>
          mode === 'forward'
            ? () => {
                net.forward(x, batch);
              }
            : () => {
                net.zeroGrad();
                net.forward(x, batch);
                net.backward(dOut);
              },
        );
        callsPerSecond(fns, seconds).forEach((r, j) => {
          const cell: ConvBenchCell = { net: spec.name, backend: BACKENDS[j], batch, mode, samplesPerSecond: Math.round(batch * r.cpu), samplesPerWallSecond: Math.round(batch * r.wall) };
          cells.push(cell);
          console.log(`${spec.name} ${cell.backend} batch ${batch} ${mode}: ${cell.samplesPerSecond} samples/CPU-s, ${cell.samplesPerWallSecond} samples/s wall`);
        });
      }
    }
  }
  const result: ConvBenchResult = {
    provenance: provenance(argv),
    seconds,
    loadAverage: { start: Math.round(start * 100) / 100, end: Math.round(loadavg()[0] * 100) / 100 },
    nets,
    cells,
  };
  writeResult('conv', result);
  writeFileSync(join(RESULTS_DIR, 'conv.md'), convMarkdown(result));
  return result;
}

export function convMarkdown(r: ConvBenchResult): string {
  const at = (net: string, backend: string, batch: number, mode: string, key: 'samplesPerSecond' | 'samplesPerWallSecond') =>
    r.cells.find((c) => c.net === net && c.backend === backend && c.batch === batch && c.mode === mode)?.[key];
  const fmt = (x: number | undefined) => (x === undefined ? '-' : x.toLocaleString('en-US'));
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(1)}x`);
  const m = r.provenance.machine;
  const batches = [...new Set(r.cells.map((c) => c.batch))];
  const table = (key: 'samplesPerSecond' | 'samplesPerWallSecond') => {
    const rows = ['| network | batch | forward, wasm | forward, js | speed-up | fwd+bwd, wasm | fwd+bwd, js | speed-up |', '|---|---|---|---|---|---|---|---|'];
    for (const n of r.nets) {
      for (const b of batches) {
        const fw = at(n.name, 'wasm', b, 'forward', key);
        const fj = at(n.name, 'js', b, 'forward', key);
        const bw = at(n.name, 'wasm', b, 'forward+backward', key);
        const bj = at(n.name, 'js', b, 'forward+backward', key);
        rows.push(`| ${n.name} | ${b} | ${fmt(fw)} | ${fmt(fj)} | ${ratio(fw, fj)} | ${fmt(bw)} | ${fmt(bj)} | ${ratio(bw, bj)} |`);
      }
    }
    return rows;
  };
  const lines = [
    '# Convolutional networks: WebAssembly SIMD against plain TypeScript',
    '',
    `Samples per second through \`ConvNet\` (src/nn/conv.ts), float32, one thread: forward alone, and zeroGrad + forward + backward to the parameter gradients. "wasm" is im2col/col2im and the blocked matrix products in WebAssembly SIMD; "js" is the same algorithm in plain TypeScript. For each cell the two backends' timing windows alternate (five rounds, ${r.seconds} s measured per cell); medians.`,
    '',
    ...r.nets.map((n) => `- ${n.name}: ${n.architecture} (${n.params.toLocaleString('en-US')} parameters)`),
    '',
    `Command: \`${r.provenance.command}\` at ${r.provenance.gitCommit ?? '?'}, ${r.provenance.date}; ${m.cpu}, ${m.cores} cores, Node ${m.node}; load average (1 min) ${r.loadAverage.start} at the start and ${r.loadAverage.end} at the end. When that is well above 0 other processes share the cores, so the first table counts samples per second of this process's CPU time (user + system), which they move much less than the wall clock of the second.`,
    '',
    '## Samples per CPU-second',
    '',
    ...table('samplesPerSecond'),
    '',
    '## Samples per wall-clock second',
    '',
    ...table('samplesPerWallSecond'),
  ];
  return `${lines.join('\n')}\n`;
}
