/**
 * `overseer debate train-judge`: trains the MNIST debate judge (k random nonzero pixels → digit),
 * or loads it if its checkpoint exists, then measures it on the validation slice and the 10k test
 * images. Writes the checkpoint under DIR/judges/ (git-ignored: rebuilt when missing) and a small
 * summary DIR/<name>.json with accuracy, training time and provenance.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../data/mnist.js';
import { judgeImages, judgeSplit, pixelStats } from '../oversight/debate/judgeData.js';
import { loadJudge, saveJudge, type MnistJudge } from '../oversight/debate/judgeModel.js';
import { JudgeOptionsSchema, PAPER_ACCURACY, PAPER_BATCHES, evaluateJudge, judgeDefaults, trainJudge, type JudgeAccuracy, type JudgeEvalPoint, type JudgeOptions } from '../oversight/debate/judgeTrain.js';
import { UsageError, type CliIO } from './io.js';
import { numberFlag, parseFlagOptions } from './parse.js';
import { provenance } from './provenance.js';

export interface DebateTrainJudgeFlags {
  k?: string;
  batches?: string;
  batchSize?: string;
  lr?: string;
  hidden?: string;
  seed?: string;
  valSize?: string;
  evalEvery?: string;
  /** Validation draws of k pixels per image in the final measurement. */
  draws?: string;
  /** Test draws; 0 skips the test set (for choosing lr and size on validation alone). */
  testDraws?: string;
  out: string;
  retrain?: boolean;
}

const FLAG_OF: Record<string, string> = {
  k: '--k',
  batches: '--batches',
  batchSize: '--batch-size',
  lr: '--lr',
  hidden: '--hidden',
  seed: '--seed',
  valSize: '--val-size',
  evalEvery: '--eval-every',
};

/** The flags as judge options (schema-checked) plus the evaluation settings; every error names its flag. */
export function debateJudgeOptions(flags: DebateTrainJudgeFlags): { opts: JudgeOptions; draws: number; testDraws: number } {
  const k = numberFlag('--k', flags.k);
  if (k === undefined) throw new UsageError('debate train-judge: --k is required (the paper: 4 or 6)');
  let batches = numberFlag('--batches', flags.batches);
  if (batches === undefined) {
    batches = PAPER_BATCHES[k];
    if (batches === undefined) throw new UsageError(`debate train-judge: --batches is required for --k ${k} (the paper's schedules are for k = 4 and 6)`);
  }
  let hidden: number[] | undefined;
  if (flags.hidden !== undefined) {
    hidden = flags.hidden.split(',').map((h) => Number(h.trim()));
    if (hidden.some((h) => !Number.isInteger(h) || h <= 0)) throw new UsageError(`--hidden: expected comma-separated positive widths such as 512,256, got ${JSON.stringify(flags.hidden)}`);
  }
  const given = {
    k,
    batches,
    batchSize: numberFlag('--batch-size', flags.batchSize),
    lr: numberFlag('--lr', flags.lr),
    hidden,
    seed: numberFlag('--seed', flags.seed),
    valSize: numberFlag('--val-size', flags.valSize),
    evalEvery: numberFlag('--eval-every', flags.evalEvery),
  };
  const opts = parseFlagOptions(JudgeOptionsSchema, { ...judgeDefaults, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) }, FLAG_OF, 'debate train-judge');
  const whole = (flag: string, v: string | undefined, dflt: number, min: number) => {
    const n = numberFlag(flag, v) ?? dflt;
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected a whole number >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  return { opts, draws: whole('--draws', flags.draws, 5, 1), testDraws: whole('--test-draws', flags.testDraws, 5, 0) };
}

/** The checkpoint's name: everything that changes the trained weights. */
export function judgeRunName(o: JudgeOptions): string {
  return `judge-k${o.k}-h${o.hidden.join('x')}-lr${o.lr}-b${o.batches}-bs${o.batchSize}-v${o.valSize}-s${o.seed}`;
}

/** What the checkpoint remembers of its training, so a reload reports the same figures. */
interface TrainingRecord {
  options: JudgeOptions;
  history: JudgeEvalPoint[];
  trainSeconds: number;
  trainCpuSeconds: number;
  command: string;
  date: string;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const interval = (a: JudgeAccuracy) => `${pct(a.mean)} [${pct(a.ci95[0])}, ${pct(a.ci95[1])}]`;

export async function debateTrainJudgeCommand(flags: DebateTrainJudgeFlags, io: CliIO, argv: string[]): Promise<number> {
  const { opts, draws, testDraws } = debateJudgeOptions(flags);
  const command = `overseer ${argv.join(' ')}`;
  const name = judgeRunName(opts);
  const judgesDir = join(flags.out, 'judges');
  mkdirSync(judgesDir, { recursive: true });
  // Checkpoints are a few MB each and rebuilt when missing: a cache, not a result.
  writeFileSync(join(judgesDir, '.gitignore'), '*\n');
  const file = join(judgesDir, `${name}.json`);

  const train = judgeImages(loadMnist('train'));
  const split = judgeSplit(opts.seed, train.count, opts.valSize);
  const stats = pixelStats(train, split.train);
  if (stats.fewerThan(opts.k) > 0) io.stderr(`debate train-judge: ${stats.fewerThan(opts.k)} training images have fewer than ${opts.k} nonzero pixels; they reveal all they have\n`);

  let judge: MnistJudge;
  let record: TrainingRecord;
  let trained = false;
  if (existsSync(file) && !flags.retrain) {
    const loaded = loadJudge(JSON.parse(readFileSync(file, 'utf8')), file);
    judge = loaded.judge;
    record = loaded.training as unknown as TrainingRecord;
    io.stderr(`debate train-judge: loaded ${file} (trained by: ${record.command}); --retrain to train again\n`);
  } else {
    io.stderr(`debate train-judge: k=${opts.k}, ${opts.batches} batches of ${opts.batchSize}, hidden ${opts.hidden.join(',')}, lr ${opts.lr}, seed ${opts.seed}; ${split.train.length} training images, ${split.val.length} held out\n`);
    const run = trainJudge(opts, train, split, (line) => io.stderr(`${line}\n`));
    judge = run.judge;
    record = { options: opts, history: run.history, trainSeconds: run.trainSeconds, trainCpuSeconds: run.trainCpuSeconds, command, date: new Date().toISOString() };
    writeFileSync(file, `${JSON.stringify(saveJudge(judge, record as unknown as Record<string, unknown>))}\n`);
    trained = true;
  }

  // The test set is loaded only now, after training.
  const result = evaluateJudge(judge, opts.k, { train, split, test: () => judgeImages(loadMnist('test')) }, { draws, testDraws, seed: opts.seed });
  const examples = opts.batches * opts.batchSize;
  const summary = {
    format: 'overseer.debate-judge-summary',
    version: 1,
    provenance: provenance(command),
    checkpoint: file,
    trainedNow: trained,
    trainedBy: record.command,
    options: opts,
    architecture: `sparse gather (mask and value weights of the revealed pixels) ${opts.hidden.join(' -> ')} ${opts.activation} -> 10 logits; ${judge.numParams} parameters`,
    training: {
      wallSeconds: record.trainSeconds,
      cpuSeconds: record.trainCpuSeconds,
      msPerBatch: (1000 * record.trainSeconds) / opts.batches,
      examplesPerSecond: examples / record.trainSeconds,
      history: record.history,
    },
    nonzeroPixels: { trainMin: stats.min, trainMean: stats.mean, fewerThanK: stats.fewerThan(opts.k) },
    validation: result.val,
    test: result.test,
    reference: PAPER_ACCURACY[opts.k] ?? null,
  };
  const summaryFile = join(flags.out, `${name}.json`);
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  io.stdout(`validation (${result.val.images} images x ${draws} draws): ${interval(result.val)}\n`);
  if (result.test) {
    const ref = PAPER_ACCURACY[opts.k];
    io.stdout(`test (${result.test.images} images x ${testDraws} draws): ${interval(result.test)}${ref ? `; paper ${ref.paper}%, replication ${ref.replication}%` : ''}\n`);
  }
  io.stdout(`training: ${record.trainSeconds.toFixed(1)} s wall, ${record.trainCpuSeconds.toFixed(1)} s CPU, ${summary.training.msPerBatch.toFixed(2)} ms/batch, ${Math.round(summary.training.examplesPerSecond)} examples/s\n`);
  io.stdout(`wrote ${summaryFile} (checkpoint ${file})\n`);
  return 0;
}
