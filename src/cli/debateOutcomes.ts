/**
 * `overseer debate from-outcomes`: labels a seeded sample of MNIST training images by debate
 * (outcomes.ts: a tournament among candidate digits, judged by the k-pixel judge, no labels),
 * trains a classifier on the full pixels from those labels, and compares it with the same
 * classifier on the true labels, per judge k. Writes OUT/debate-outcomes.{json,md}; the debate
 * labels of each k are saved under OUT/debate-outcomes/ and reused when their settings match, so
 * two processes can label two k's at once and a final run writes the report from both.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { loadMnist } from '../data/mnist.js';
import { ClassifierOptionsSchema, PROTOCOLS, imageBlock, labelSample, pixelMatrix, sampleIndices, scoreLabelling, testAccuracy, trainClassifier, type Labelling, type OutcomeRow } from '../oversight/debate/outcomes.js';
import { MNIST_PIXELS } from '../oversight/debate/judge.js';
import type { Provenance } from '../oversight/w2s/report.js';
import { writeJsonAtomic } from '../utils/files.js';
import type { Proportion } from '../utils/stats.js';
import { loadJudgeCheckpoint, resolveJudgePaths } from './debatePlay.js';
import { UsageError, type CliIO } from './io.js';
import { numberFlag, parseFlagOptions } from './parse.js';
import { provenance } from './provenance.js';

export interface DebateOutcomesFlags {
  k?: string;
  images?: string;
  candidates?: string;
  protocol?: string;
  draws?: string;
  compareImages?: string;
  seed?: string;
  hidden?: string;
  epochs?: string;
  /** Judge checkpoints: PATH, k=PATH, or a directory (repeatable); default: the h256 lr 0.001 seed-1 judge of each k. */
  judge?: string[];
  judgesDir?: string;
  out: string;
}

export const OutcomesOptionsSchema = z.object({
  /** Judges to label with, by k. */
  ks: z.array(z.number().int().min(1).max(MNIST_PIXELS)).min(1).default([4, 6]),
  /** Training images labelled by debate (a seeded sample of the 60k). */
  images: z.number().int().min(10).max(60_000).default(3_000),
  /** Candidate digits per image (the judge's top m; 10: all). */
  candidates: z.number().int().min(2).max(10).default(4),
  /** The tournament among candidates. */
  protocol: z.enum(PROTOCOLS).default('round-robin'),
  /** Random reveals that rank the candidates. */
  draws: z.number().int().min(1).max(256).default(8),
  /** Images of the sample also labelled by the full 10-digit round robin and open protocol. */
  compareImages: z.number().int().min(0).max(60_000).default(200),
  /** Seeds the sample, the candidate reveals and the judge-alone reveals. */
  seed: z.number().int().nonnegative().default(0),
  /** The classifier (same for debate, judge-alone and true labels). */
  classifier: ClassifierOptionsSchema.prefault({}),
});
export type OutcomesOptions = z.infer<typeof OutcomesOptionsSchema>;

const FLAG_OF: Record<string, string> = { ks: '--k', images: '--images', candidates: '--candidates', protocol: '--protocol', draws: '--draws', compareImages: '--compare-images', seed: '--seed', classifier: '--hidden/--epochs' };

/** The flags as one options object, schema-checked; errors name the flag. */
export function debateOutcomesOptions(flags: DebateOutcomesFlags): OutcomesOptions {
  const list = (flag: string, v: string | undefined) => (v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter(Boolean).map((x) => numberFlag(flag, x)!));
  const classifier = Object.fromEntries(Object.entries({ hidden: flags.hidden === undefined ? undefined : flags.hidden === 'none' ? [] : list('--hidden', flags.hidden), epochs: numberFlag('--epochs', flags.epochs) }).filter(([, v]) => v !== undefined));
  const given = {
    ks: list('--k', flags.k),
    images: numberFlag('--images', flags.images),
    candidates: numberFlag('--candidates', flags.candidates),
    protocol: flags.protocol,
    draws: numberFlag('--draws', flags.draws),
    compareImages: numberFlag('--compare-images', flags.compareImages),
    seed: numberFlag('--seed', flags.seed),
    classifier,
  };
  const opts = parseFlagOptions(OutcomesOptionsSchema, given, FLAG_OF, 'debate from-outcomes');
  if (opts.compareImages > opts.images) throw new UsageError(`--compare-images: at most --images (${opts.images}), got ${opts.compareImages}`);
  return opts;
}

/** The default judge of a k: the one `judge-k<k>-h256-lr0.001-…-s1.json` checkpoint in `dir`. */
export function defaultJudgePath(dir: string, k: number): string {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(`judge-k${k}-h256-lr0.001-`) && f.endsWith('-s1.json')) : [];
  if (files.length !== 1) throw new UsageError(`debate from-outcomes: ${files.length === 0 ? 'no' : 'several'} judge-k${k}-h256-lr0.001-*-s1.json checkpoint(s) in ${dir}; train one with \`overseer debate train-judge --k ${k}\` or pass --judge ${k}=PATH`);
  return join(dir, files[0]);
}

/** The judge's test accuracy from its train-judge summary (DIR/<name>.json beside DIR/judges/), if there. */
function judgeTestAccuracy(checkpoint: string): OutcomeRow['judgeTest'] {
  const summary = join(dirname(dirname(checkpoint)), basename(checkpoint));
  if (!existsSync(summary)) return null;
  const test = (JSON.parse(readFileSync(summary, 'utf8')) as { test?: { mean: number; ci95: [number, number] } | null }).test;
  return test ? { mean: test.mean, ci95: test.ci95 } : null;
}

export interface OutcomesReport {
  format: 'overseer.debate-outcomes';
  version: 1;
  provenance: Provenance;
  options: OutcomesOptions;
  protocol: string;
  /** The classifier on the true labels of the same images. */
  trueLabelBaseline: Proportion;
  baselineTrainSeconds: number;
  rows: OutcomeRow[];
  commands: string[];
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;
const ci = (p: Proportion) => `${pct(p.rate)} [${pct(p.lo)}, ${pct(p.hi)}]`;

export const PROTOCOL_TEXT =
  'Each training image gets a debate label without any label being read: candidate digits are the judge\'s top m by mean softmax over random reveals of k pixels; every pair of candidates plays a precommit debate (k alternating reveals, greedy debaters) twice, each digit moving first once; the digit with the most wins is the label (ties: summed margins, then the lower digit). The comparison prefix is also labelled by the full 10-digit round robin (90 games) and by the protocol of david-lindner/ai-safety-debate (precompute_debate_results.py: each digit precommits against an opponent who names its claim at the end, both first movers; the digit that wins most is the label). True labels are read only afterwards, to score the labels and train the baseline; the classifier (MLP on the 784 pixels, w2s fitClassifier) is the same for debate, judge-alone and true labels.';

export function outcomesMarkdown(r: OutcomesReport): string {
  const o = r.options;
  const c = o.classifier;
  const lines = [
    '# A classifier from debate outcomes (issue 23, deliverable 6)',
    '',
    `${o.images} MNIST training images (seed ${o.seed}) labelled by debate, then a classifier (MLP 784-${[...c.hidden, 10].join('-')}, Adam ${c.lr}, batch ${c.batch}, ${c.epochs} epochs, seed ${c.seed}) trained on those labels only and tested on the 10,000 official test images. Intervals: Wilson 95%.`,
    '',
    '## Judge weakness → classifier accuracy',
    '',
    '| k | judge alone (test, 5 draws) | judge alone on the sample | debate labels (sample) | true digit among candidates | classifier on debate labels (test) | classifier on judge-alone labels (test) | classifier on true labels (test) | images | labelling |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map((x) => `| ${x.k} | ${x.judgeTest ? `${pct(x.judgeTest.mean)} [${pct(x.judgeTest.ci95[0])}, ${pct(x.judgeTest.ci95[1])}]` : 'n/a'} | ${ci(x.judgeAloneLabels)} | ${ci(x.debateLabels)} | ${ci(x.candidateRecall)} | **${ci(x.classifier)}** | ${ci(x.judgeAloneClassifier)} | ${ci(r.trueLabelBaseline)} | ${x.images} | ${x.labelling.games} games, ${x.labelling.seconds.toFixed(0)} s (${x.labelling.gamesPerSecond.toFixed(0)} games/s); training ${x.trainSeconds.toFixed(0)} s |`),
    '',
    `Candidates per image m = ${o.candidates} (${o.protocol}, ${o.draws} random reveals rank them); "judge alone on the sample" is one random reveal of k pixels per training image, also the labels of the judge-alone classifier.`,
    '',
    '## What the candidate cut costs (label accuracy on the first images of the sample)',
    '',
    '| k | images | top-m round robin (as run) | full 10-digit round robin | full open protocol (Lindner et al.) | top-m label = full round-robin label | games per image (top-m / full RR / open) | seconds (full RR / open) |',
    '|---|---|---|---|---|---|---|---|',
    ...r.rows.filter((x) => x.compare).map((x) => {
      const m = x.compare!;
      return `| ${x.k} | ${m.images} | ${ci(m.topM)} | ${ci(m.fullRoundRobin)} | ${ci(m.fullOpen)} | ${ci(m.topMAgreesWithFull)} | ${m.gamesPerImage.topM} / ${m.gamesPerImage.fullRoundRobin} / ${m.gamesPerImage.fullOpen} | ${m.seconds.fullRoundRobin.toFixed(0)} / ${m.seconds.fullOpen.toFixed(0)} |`;
    }),
    '',
    '## Protocol',
    '',
    r.protocol,
    '',
    '## Judges',
    '',
    ...r.rows.map((x) => `- k = ${x.k}: ${x.judge}`),
    '',
    '## Commands',
    '',
    ...r.commands.map((cmd) => `- \`${cmd}\``),
    '',
    '## Provenance',
    '',
    `- ${r.provenance.date}, commit ${r.provenance.gitCommit ?? 'unknown'}; ${r.provenance.machine.cpu} × ${r.provenance.machine.cores}, ${r.provenance.machine.memoryGiB} GiB, ${r.provenance.machine.os}, Node ${r.provenance.machine.node}`,
    `- seeds: sample, candidate and judge-alone reveals ${o.seed}; classifier ${c.seed}`,
    `- true-label baseline trained in ${r.baselineTrainSeconds.toFixed(0)} s`,
    '',
  ];
  return lines.join('\n');
}

function labellingHash(k: number, judgePath: string, opts: OutcomesOptions): string {
  const s = JSON.stringify({ k, judgePath, images: opts.images, candidates: opts.candidates, protocol: opts.protocol, draws: opts.draws, compareImages: opts.compareImages, seed: opts.seed });
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

export async function debateOutcomesCommand(flags: DebateOutcomesFlags, io: CliIO, argv: string[]): Promise<number> {
  const opts = debateOutcomesOptions(flags);
  const command = `overseer ${argv.join(' ')}`;
  const judgesDir = flags.judgesDir ?? join('bench', 'results', 'debate', 'judges');
  const paths = flags.judge && flags.judge.length > 0 ? resolveJudgePaths(flags.judge, opts.ks) : new Map(opts.ks.map((k) => [k, defaultJudgePath(judgesDir, k)] as const));
  const cacheDir = join(flags.out, 'debate-outcomes');
  mkdirSync(cacheDir, { recursive: true });

  const train = loadMnist('train');
  const indices = sampleIndices(train.count, opts.images, opts.seed);
  // Everything the debates see: the sample's pixels, no labels.
  const images = imageBlock(train, indices);

  const labellings = new Map<number, { lab: Labelling; name: string; path: string }>();
  for (const k of opts.ks) {
    const path = paths.get(k)!;
    const { judge, name } = await loadJudgeCheckpoint(path, k);
    const file = join(cacheDir, `labels-k${k}-${labellingHash(k, path, opts)}.json`);
    let lab: Labelling;
    if (existsSync(file)) {
      lab = JSON.parse(readFileSync(file, 'utf8')) as Labelling;
      io.stderr(`debate from-outcomes: k=${k}: reusing debate labels ${file}\n`);
    } else {
      io.stderr(`debate from-outcomes: k=${k}: labelling ${opts.images} images (${opts.protocol}, m = ${opts.candidates}) with ${name}\n`);
      lab = labelSample(images, judge, { k, candidates: opts.candidates, protocol: opts.protocol, draws: opts.draws }, opts.seed, opts.compareImages, (line) => io.stderr(`${line}\n`));
      writeJsonAtomic(file, lab);
      io.stderr(`debate from-outcomes: k=${k}: ${lab.games} games in ${lab.seconds.toFixed(0)} s; saved ${file}\n`);
    }
    labellings.set(k, { lab, name, path });
  }

  // The labelling is done: only now are the true labels read.
  const truth = Uint8Array.from(indices, (i) => train.labels[i]);
  const x = pixelMatrix(images);
  const testSet = loadMnist('test');
  const test = { x: pixelMatrix(testSet.images), labels: testSet.labels };
  const t0 = performance.now();
  const trueLabelBaseline = testAccuracy(trainClassifier(x, truth, opts.classifier), test.x, test.labels);
  const baselineTrainSeconds = (performance.now() - t0) / 1000;
  io.stderr(`debate from-outcomes: true-label baseline ${ci(trueLabelBaseline)}\n`);
  const rows: OutcomeRow[] = [];
  for (const k of opts.ks) {
    const { lab, name, path } = labellings.get(k)!;
    const row = scoreLabelling(lab, truth, x, test, opts.classifier, { name, test: judgeTestAccuracy(path) });
    io.stderr(`debate from-outcomes: k=${k}: debate labels ${ci(row.debateLabels)}, classifier ${ci(row.classifier)}, judge-alone classifier ${ci(row.judgeAloneClassifier)}\n`);
    rows.push(row);
  }

  const report: OutcomesReport = {
    format: 'overseer.debate-outcomes',
    version: 1,
    provenance: provenance(command),
    options: opts,
    protocol: PROTOCOL_TEXT,
    trueLabelBaseline,
    baselineTrainSeconds,
    rows,
    commands: [...opts.ks.map((k) => `overseer debate train-judge --k ${k}   # the judge, if missing`), command],
  };
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(join(flags.out, 'debate-outcomes.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(flags.out, 'debate-outcomes.md'), outcomesMarkdown(report));
  io.stdout(`wrote ${join(flags.out, 'debate-outcomes')}.{json,md}\n`);
  for (const r of rows) io.stdout(`k=${r.k}: debate labels ${ci(r.debateLabels)}; classifier ${ci(r.classifier)} (true labels ${ci(trueLabelBaseline)}, judge-alone labels ${ci(r.judgeAloneClassifier)})\n`);
  return 0;
}
