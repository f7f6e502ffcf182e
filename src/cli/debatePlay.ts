/**
 * `overseer debate play`: plays the debate table of issue 23 (k × precommit × who moves first ×
 * debater) cell by cell, resumably, and writes debate.{json,md}. Cells are saved under
 * OUT/debate/cells/, so two processes can play different cells on a 2-core machine and a final
 * run (or --report-only) writes the report from all of them.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../data/mnist.js';
import type { Judge } from '../oversight/debate/judge.js';
import { PlayOptionsSchema, mctsDesignStudy, plannedCells, readCells, runCell, type DesignStudy, type PlayEnv, type PlayOptions } from '../oversight/debate/play.js';
import { buildDebateReport, debateMarkdown } from '../oversight/debate/report.js';
import { isTinyJudgeJson, loadTinyJudge } from '../oversight/debate/sparseJudges.js';
import { UsageError, type CliIO } from './io.js';
import { numberFlag, parseFlagOptions } from './parse.js';
import { provenance } from './provenance.js';

export interface DebatePlayFlags {
  /** Judge checkpoints: PATH, k=PATH, or a directory (repeatable). */
  judge?: string[];
  k?: string;
  precommit?: string;
  first?: string;
  debaters?: string;
  greedyImages?: string;
  mctsImages?: string;
  rollouts?: string;
  cPuct?: string;
  prior?: string;
  leaf?: string;
  batch?: string;
  sampleSeed?: string;
  /** Also run the MCTS design study (prior × leaf against greedy) on this many images. */
  designImages?: string;
  reportOnly?: boolean;
  out: string;
}

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter(Boolean));

/** The flags as one options object, validated by the play schema; errors name the flag. */
export function debatePlayOptions(flags: DebatePlayFlags): PlayOptions {
  const precommit = list(flags.precommit)?.map((v) => {
    if (v === 'yes' || v === 'true') return true;
    if (v === 'no' || v === 'false') return false;
    throw new UsageError(`--precommit: expected yes or no (comma-separated), got ${JSON.stringify(v)}`);
  });
  const mcts = Object.fromEntries(
    Object.entries({ rollouts: numberFlag('--rollouts', flags.rollouts), cPuct: numberFlag('--c-puct', flags.cPuct), prior: flags.prior, leaf: flags.leaf, batch: numberFlag('--batch', flags.batch) }).filter(([, v]) => v !== undefined),
  );
  const given = {
    ks: list(flags.k)?.map((v) => numberFlag('--k', v)),
    precommit,
    first: list(flags.first),
    debaters: list(flags.debaters),
    greedyImages: numberFlag('--greedy-images', flags.greedyImages),
    mctsImages: numberFlag('--mcts-images', flags.mctsImages),
    sampleSeed: numberFlag('--sample-seed', flags.sampleSeed),
    mcts,
  };
  const flagOf: Record<string, string> = {
    ...{ ks: '--k', precommit: '--precommit', first: '--first', debaters: '--debaters', greedyImages: '--greedy-images', mctsImages: '--mcts-images', sampleSeed: '--sample-seed' },
    ...{ 'mcts.rollouts': '--rollouts', 'mcts.cPuct': '--c-puct', 'mcts.prior': '--prior', 'mcts.leaf': '--leaf', 'mcts.batch': '--batch' },
  };
  return parseFlagOptions(PlayOptionsSchema, given, flagOf, 'debate play');
}

/** The k a checkpoint was trained for, read from either format (null when it does not say). */
function checkpointK(json: unknown): number | null {
  if (isTinyJudgeJson(json)) return json.k;
  const k = (json as { training?: { options?: { k?: unknown } } } | null)?.training?.options?.k;
  return typeof k === 'number' ? k : null;
}

/**
 * THE place `debate play` loads a judge checkpoint. It reads the trained judge of
 * `overseer debate train-judge` (format 'overseer.debate-judge', loaded by judgeModel.ts's
 * `loadJudge`) and the tiny demo judge of sparseJudges.ts (format 'overseer.debate-tiny-judge').
 * A judge is trained for one k; a checkpoint that says it was trained for another k is refused.
 */
export async function loadJudgeCheckpoint(path: string, k: number): Promise<{ judge: Judge; name: string }> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--judge ${path}: cannot read a JSON judge checkpoint (${(e as Error).message})`);
  }
  const trainedFor = checkpointK(json);
  if (trainedFor !== null && trainedFor !== k) throw new UsageError(`--judge ${path}: trained for k = ${trainedFor}, but asked to judge k = ${k}`);
  if (isTinyJudgeJson(json)) {
    return { judge: loadTinyJudge(json, path), name: `tiny demo judge (a 1568-128-10 MLP, not the paper's CNN nor the train-judge judge), trained for k = ${json.k} over ${json.steps} batches of 128, ${(100 * json.testAccuracy).toFixed(1)}% test accuracy from k random pixels — ${path}` };
  }
  if ((json as { format?: unknown } | null)?.format === 'overseer.debate-judge') {
    const { loadJudge } = await import('../oversight/debate/judgeModel.js');
    const { judge, training } = loadJudge(json, path);
    const cmd = typeof training.command === 'string' ? `; trained by \`${training.command}\`` : '';
    return { judge, name: `debate judge (debate train-judge) for k = ${k}${cmd} — ${path}` };
  }
  throw new UsageError(`--judge ${path}: not a judge checkpoint (format is neither 'overseer.debate-judge' nor 'overseer.debate-tiny-judge')`);
}

/** Which file judges each k: `k=PATH` entries, single files (their k read from them), or directories searched for checkpoints. */
export function resolveJudgePaths(specs: readonly string[], ks: readonly number[]): Map<number, string> {
  const found = new Map<number, string[]>();
  const add = (k: number, path: string) => found.set(k, [...(found.get(k) ?? []), path]);
  for (const spec of specs) {
    const m = /^(\d+)=(.+)$/.exec(spec);
    if (m) {
      add(Number(m[1]), m[2]);
      continue;
    }
    if (!existsSync(spec)) throw new UsageError(`--judge ${spec}: no such file or directory`);
    const files = statSync(spec).isDirectory() ? readdirSync(spec).filter((f) => f.endsWith('.json')).map((f) => join(spec, f)) : [spec];
    for (const file of files) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      const k = checkpointK(json);
      if (k !== null) add(k, file);
      else if (!statSync(spec).isDirectory()) throw new UsageError(`--judge ${file}: the checkpoint does not say which k it was trained for; give it as k=${file}`);
    }
  }
  const out = new Map<number, string>();
  for (const k of ks) {
    const paths = found.get(k) ?? [];
    if (paths.length === 0) throw new UsageError(`--judge: no judge checkpoint for k = ${k} among ${specs.join(', ')} (train one with \`overseer debate train-judge --k ${k}\`, or pass ${k}=PATH)`);
    if (paths.length > 1) throw new UsageError(`--judge: several checkpoints for k = ${k} (${paths.join(', ')}); choose one with ${k}=PATH`);
    out.set(k, paths[0]);
  }
  return out;
}

export async function debatePlayCommand(flags: DebatePlayFlags, io: CliIO, argv: string[]): Promise<number> {
  const opts = debatePlayOptions(flags);
  const designImages = flags.designImages === undefined ? 0 : Number(flags.designImages);
  if (!Number.isInteger(designImages) || designImages < 0) throw new UsageError(`--design-images: expected a whole number of images, got ${JSON.stringify(flags.designImages)}`);
  const dir = join(flags.out, 'debate', 'cells');
  const planned = plannedCells(opts);
  const command = `overseer ${argv.join(' ')}`;
  const designFile = join(flags.out, 'debate', 'design.json');
  let design: DesignStudy[] = existsSync(designFile) ? (JSON.parse(readFileSync(designFile, 'utf8')) as DesignStudy[]) : [];

  if (!flags.reportOnly) {
    if (!flags.judge || flags.judge.length === 0) throw new UsageError('debate play: --judge is required (a checkpoint per k, k=PATH, or a directory of them), unless --report-only');
    const paths = resolveJudgePaths(flags.judge, opts.ks);
    const judges = new Map<number, { judge: Judge; name: string }>();
    for (const [k, path] of paths) judges.set(k, await loadJudgeCheckpoint(path, k));
    const env: PlayEnv = {
      test: loadMnist('test'),
      judgeFor: (k) => {
        const j = judges.get(k);
        if (!j) throw new Error(`debate play: no judge loaded for k = ${k}`);
        return j;
      },
      dir,
      log: (line) => io.stderr(`${line}\n`),
    };
    for (const [k, j] of judges) io.stderr(`debate play: k=${k}: ${j.name}\n`);
    if (designImages > 0) {
      const { seed: _seed, prior: _prior, leaf: _leaf, ...base } = { ...opts.mcts, seed: 0 };
      design = opts.ks.map((k) => mctsDesignStudy(env, k, designImages, opts.mcts.rollouts, opts.sampleSeed, base));
      mkdirSync(join(flags.out, 'debate'), { recursive: true });
      writeFileSync(designFile, `${JSON.stringify(design, null, 2)}\n`);
    }
    io.stderr(`debate play: ${planned.length} cell(s); saved cells in ${dir} are reused when their settings match\n`);
    for (const key of planned) runCell(key, opts, env);
  }

  const cells = readCells(dir, planned);
  const notes: string[] = [];
  const tinyKs = [...new Set([...cells.values()].filter((c) => c.judge.startsWith('tiny demo judge')).map((c) => c.k))].sort();
  if (tinyKs.length > 0) notes.push(`The k = ${tinyKs.join(', ')} cells were played with the tiny demo judge (sparseJudges.ts), not a judge of \`debate train-judge\`: they demonstrate the pipeline and are not the paper's experiment.`);
  const rollouts = [...new Set([...cells.values()].flatMap((c) => (c.mcts ? [c.mcts.rollouts] : [])))].sort((a, b) => a - b);
  if (rollouts.some((n) => n < 10_000)) notes.push(`MCTS ran ${rollouts.join(' or ')} rollouts per move; the paper ran 10,000.`);
  const missing = planned.length - cells.size;
  if (missing > 0) notes.push(`${missing} of ${planned.length} cells not run yet.`);
  const report = buildDebateReport(planned, cells, opts, provenance(command), design, notes);
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(join(flags.out, 'debate.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(flags.out, 'debate.md'), debateMarkdown(report));
  io.stdout(`wrote ${join(flags.out, 'debate')}.{json,md} (${cells.size}/${planned.length} cells)\n`);
  return 0;
}
