/**
 * `overseer oversight assist`: a randomized trial of an assistant helping a limited overseer
 * (src/oversight/assist/trial.ts) on planted-flaw and clean pairs. Each cell (env × view ×
 * assistant × budget × seed) is saved as it finishes, with every pair's assignment and answer,
 * so a stopped run picks up where it was; assistance.{json,md,svg} is rebuilt from every cell.
 * Cells are gzipped JSON: each holds every pair's record and critique, 70 kB raw.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { make } from '../envs/registry.js';
import { defaultSegmentLength } from '../prefs/segments.js';
import { teacherParams, TEACHER_NAMES, type TeacherName } from '../prefs/teachers.js';
import { Rng } from '../utils/rng.js';
import { ASSISTANT_NAMES, assistantFor, isTrained } from '../oversight/assist/assistants/index.js';
import { FLAWS_BY_ENV } from '../oversight/assist/flaws.js';
import { groupTrials, markdownTables, reportSvg, SAUNDERS_2022_FLAWS_RATIO, type SavedTrial, type TrialCell } from '../oversight/assist/report.js';
import { runTrial, trialPairs, type TrialPair } from '../oversight/assist/trial.js';
import { discriminatorByFlaw, trainDiscriminator } from '../oversight/assist/discriminator.js';
import type { Proportion } from '../utils/stats.js';
import { RrmAssistant } from '../oversight/assist/assistants/rrm.js';
import type { Assistant } from '../oversight/assist/critique.js';
import { checkUse, HeldOutError, OVERSIGHT_SPLIT, type Purpose } from '../oversight/split.js';
import { viewFor } from '../oversight/views/registry.js';
import { UsageError, type CliIO } from './io.js';
import { wholeNumberList } from './parse.js';
import { experimentName, writeExperimentReport } from './reports.js';

export interface AssistFlags {
  env: string;
  overseer: string;
  assistant: string;
  pairs: number;
  clean: number;
  budget: string;
  seeds: string;
  teacher: string;
  /** Labels a trained assistant (rrm) gets from the overseer, comma-separated: each a trial. */
  assistantLabels: string;
  purpose: string;
  out: string;
}

/** Full-view preferences the discriminator is fitted to. */
const DISCRIMINATOR_LABELS = 500;

const cellFile = (c: TrialCell) => `${c.envId}__${c.view.replace(/:/g, '-')}__${c.assistant}${c.assistantLabels === null ? '' : `-l${c.assistantLabels}`}__b${c.budget}__s${c.seed}__p${c.pairs}__c${c.cleanPairs}__${c.teacher}.json.gz`;

export async function assistCommand(flags: AssistFlags, io: CliIO, argv: string[]): Promise<number> {
  const seeds = wholeNumberList('--seeds', flags.seeds, 0);
  const budgets = wholeNumberList('--budget', flags.budget, 1);
  const trained = isTrained(flags.assistant);
  const labelCounts: (number | null)[] = trained ? wholeNumberList('--assistant-labels', flags.assistantLabels, 1) : [null];
  if (!FLAWS_BY_ENV[flags.env]) throw new UsageError(`--env: no planted flaws for ${flags.env}; envs with them: ${Object.keys(FLAWS_BY_ENV).join(', ')}`);
  if (!(ASSISTANT_NAMES as readonly string[]).includes(flags.assistant)) throw new UsageError(`--assistant: unknown ${JSON.stringify(flags.assistant)}; known: ${ASSISTANT_NAMES.join(', ')}`);
  if (!(TEACHER_NAMES as readonly string[]).includes(flags.teacher)) throw new UsageError(`--teacher: the overseer's B-Pref noise, one of ${TEACHER_NAMES.join(', ')} (got ${JSON.stringify(flags.teacher)})`);
  if (flags.purpose !== 'tuning' && flags.purpose !== 'report') throw new UsageError(`--purpose: tuning or report (got ${JSON.stringify(flags.purpose)})`);
  const purpose: Purpose = flags.purpose;
  let view;
  try {
    view = viewFor(flags.env, flags.overseer);
  } catch (e) {
    throw new UsageError(`--overseer: ${(e as Error).message}`);
  }
  if (view.revealKinds.length === 0) throw new UsageError(`--overseer: the ${view.name} view sees everything; there is nothing to reveal to it`);
  try {
    checkUse({ envId: flags.env, view: view.name }, purpose);
  } catch (e) {
    if (e instanceof HeldOutError) throw new UsageError(`--purpose tuning: ${e.message}`);
    throw e;
  }
  const env = make(flags.env);
  const spec = env.renderSpec()!;
  const segmentLength = defaultSegmentLength(spec.dt, env.spec?.maxEpisodeSteps);
  env.close();
  const params = teacherParams(flags.teacher as TeacherName);
  const name = experimentName('assistance', purpose);
  const dir = join(flags.out, name);
  mkdirSync(dir, { recursive: true });

  for (const seed of seeds) {
    // The pairs depend on the seed only, so every budget and assistant is tried on the same ones;
    // a trained assistant learns on other pairs from the same generator.
    let pairs: TrialPair[] | undefined;
    let training: TrialPair[] | undefined;
    const trainingPairs = () => (training ??= trialPairs(flags.env, flags.pairs, flags.clean, seed + 500_000, segmentLength));
    let discriminator: Record<string, Proportion> | undefined;
    for (const assistantLabels of labelCounts) {
      let assistant: Assistant | undefined;
      let trainedState: { state: unknown } | undefined;
      for (const budget of budgets) {
        const cell: TrialCell = { envId: flags.env, view: view.name, assistant: flags.assistant, assistantLabels, budget, seed, pairs: flags.pairs, cleanPairs: flags.clean, teacher: flags.teacher };
        const file = join(dir, cellFile(cell));
        if (existsSync(file)) {
          io.stderr(`${file}: done before, kept\n`);
          continue;
        }
        pairs ??= trialPairs(flags.env, flags.pairs, flags.clean, seed, segmentLength);
        const t0 = performance.now();
        assistant ??= assistantFor(flags.assistant, { rng: new Rng(seed + 1_000_000), view, auditor: viewFor(flags.env, 'full'), spec, params, labels: assistantLabels ?? 0, trainingPairs });
        // Every cell starts from the assistant as trained, so a resumed run (earlier budgets skipped) critiques alike.
        trainedState ??= { state: assistant.state?.() };
        if (trainedState.state !== undefined) assistant.load?.(structuredClone(trainedState.state));
        const result = runTrial(pairs, { envId: flags.env, viewName: view.name, spec, segmentLength, params, assistant, budget, seed });
        const fitted = assistant instanceof RrmAssistant ? { labels: assistant.stats.labels, heldOutAccuracy: assistant.stats.fit.validationAccuracy } : null;
        // D, on the same pairs: a reward model over the full recording, fitted to the full view's preferences on the training pairs.
        discriminator ??= discriminatorByFlaw(trainDiscriminator(flags.env, spec, trainingPairs(), DISCRIMINATOR_LABELS, params, new Rng(seed + 2_000_000)), pairs);
        const saved = { cell, records: result.records, discriminator, training: fitted, command: `overseer ${argv.join(' ')}`, date: new Date().toISOString(), node: process.version, seconds: (performance.now() - t0) / 1000 };
        writeFileSync(`${file}.tmp`, gzipSync(`${JSON.stringify(saved)}\n`));
        renameSync(`${file}.tmp`, file);
        const a = result.arms;
        io.stdout(`${flags.env} ${view.name} ${flags.assistant}${assistantLabels === null ? '' : ` (${assistantLabels} labels)`} budget ${budget} seed ${seed}: flaws found ${fmt(a.unassisted.flawsFound.rate)} -> ${fmt(a.assisted.flawsFound.rate)} assisted, accuracy ${fmt(a.unassisted.accuracy.rate)} -> ${fmt(a.assisted.accuracy.rate)}, ${a.assisted.revealsPerPair.toFixed(1)} reveals per pair${fitted ? `; reveal-judgment accuracy held out ${fmt(fitted.heldOutAccuracy)}` : ''}\n`);
      }
    }
  }
  writeAssistanceReport(flags.out, purpose);
  io.stdout(`wrote ${join(flags.out, `${name}.json`)}, ${name}.md and ${name}.svg\n`);
  return 0;
}

const fmt = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');

/** A saved cell: the trial, how a trained assistant fitted, and how it was made. */
export type SavedCell = SavedTrial & { training: { labels: number; heldOutAccuracy: number } | null; command: string; date: string; node: string; seconds: number };

/** One saved cell (gzipped JSON). */
export function readCell(file: string): SavedCell {
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as SavedCell;
}

/** Rebuilds assistance.{json,md,svg} (or assistance-tuning.*) in `out` from the cells saved under it. */
export function writeAssistanceReport(out: string, purpose: Purpose = 'report'): void {
  const name = experimentName('assistance', purpose);
  const dir = join(out, name);
  const trials = readdirSync(dir)
    .filter((f) => f.endsWith('.json.gz'))
    .sort()
    .map((f) => readCell(join(dir, f)));
  for (const t of trials) checkUse({ envId: t.cell.envId, view: t.cell.view }, purpose);
  const groups = groupTrials(trials);
  const best = groups.filter((g) => Number.isFinite(g.flawsFoundRatio)).sort((a, b) => b.flawsFoundRatio - a.flawsFoundRatio)[0];
  const commands = trials.map((t) => t.command);
  writeExperimentReport(out, name, {
    json: { split: OVERSIGHT_SPLIT, groups, commands: [...new Set(commands)] },
    title: 'Assistance: do critiques help a limited overseer?',
    commands,
    cellFiles: "each cell's command, date, and every pair's assignment and answer",
    body: [
      "A randomized trial per row: each pair is assigned by a fair coin to the **assisted** arm (the overseer sees the assistant's critique: a few reveals of recorded evidence it cannot see, at most the budget per label) or the **unassisted** one; both arms have the same limited overseer (view and B-Pref noise) and the same pair distribution: planted-flaw pairs (a clean clip and the same clip with a known flaw, sides shuffled) and pairs of clean clips. Accuracy: the overseer prefers the clip the task's intent prefers (all pairs). Flaws found: on planted pairs, the overseer prefers the clean clip. Reveals on the flaw: planted pairs where some reveal fell inside the flaw (each reveal shows its step in both clips). Brackets: 95% Wilson intervals (differences: Newcombe's), seeds pooled.",
      '',
      markdownTables(groups),
      '',
      `Saunders et al. 2022: critiques helped people find about ${Math.round((SAUNDERS_2022_FLAWS_RATIO - 1) * 100)}% more flaws (ratio ${SAUNDERS_2022_FLAWS_RATIO}x). ${best ? `Here the highest ratio is ${best.flawsFoundRatio.toFixed(2)}x (${best.envId} / ${best.view}, ${best.assistant}, ${best.budget} reveals per label).` : 'No trial found flaws in the unassisted arm to compare with.'}`,
    ],
    svg: reportSvg(groups),
  });
}
