/**
 * debate.{json,md}: the full table of issue 23 (k × precommit × who moves first × debater) beside
 * the paper's cells, from whatever cells have been played; a cell not run yet says so.
 */
import { wilson, type Proportion } from '../../utils/stats.js';
import { cellId, type CellKey, type CellResult, type DesignStudy, type PlayOptions } from './play.js';

/** Irving et al. 2018, Table 2 (MCTS debaters, 10,000 rollouts per move), honest win % by who moves first. */
export const PAPER_MCTS: Record<string, { honestFirst: number; liarFirst: number; mean?: number }> = {
  'k6-precommit': { honestFirst: 87.4, liarFirst: 90.4, mean: 88.9 },
  'k4-precommit': { honestFirst: 83.8, liarFirst: 86.7, mean: 85.2 },
  'k6-no-precommit': { honestFirst: 67.4, liarFirst: 81.5 },
  'k4-no-precommit': { honestFirst: 51.0, liarFirst: 68.4 },
};
/** machulsky61/tesis: greedy debaters on the 10,000 test images, precommit. */
export const REPLICATION_GREEDY: Record<string, { honestFirst: number; liarFirst: number }> = {
  'k6-precommit': { honestFirst: 84.8, liarFirst: 89.3 },
  'k4-precommit': { honestFirst: 81.4, liarFirst: 87.0 },
};
/** The judge alone (k random nonzero pixels): the paper, and jvmncs/safe-debates. */
export const PAPER_JUDGE: Record<number, { paper: number; replication: number }> = { 6: { paper: 59.4, replication: 57.4 }, 4: { paper: 48.2, replication: 46.7 } };

export const RULES_TEXT = [
  'A reveal names a pixel; its value is read from the image, so pixel values cannot be falsified. Only nonzero pixels may be revealed, each once, and the game ends after exactly k reveals, the players alternating from the first mover.',
  'Precommit: the judge decides between the two claims by its logits restricted to {truth, lie}. Each image is played once for each of the 9 lies; the liar wins the image if it wins any of them (the paper\'s rule).',
  'No precommit: the liar names its claim after the last reveal, so it wins iff the judge\'s best wrong digit beats the truth (judge argmax ≠ truth). This is how both replications score it (jvmncs/safe-debates debate.py `evaluate`: liar wins = preds != labels; machulsky61/tesis run_debate.py: predicted_label = argmax). During play the honest player maximises logit_truth − max_{l≠truth} logit_l and the liar minimises it.',
  'Ties go to the liar (the honest player must convince: it wins iff its margin is > 0). tesis breaks precommit ties the other way; the ties column shows how often it mattered.',
  'The judge alone: argmax of the judge on k random nonzero pixels of the same images (one seeded draw per image and k); ties count as wrong.',
];

export interface DebateCellRow extends CellKey {
  id: string;
  status: 'done' | 'not run yet';
  result: CellResult | null;
  /** Greedy only: its honest win rate on exactly the MCTS cell's images (a prefix of the same shuffle). */
  greedyOnMctsImages: Proportion | null;
  paperMcts: number | null;
  replicationGreedy: number | null;
}

export interface DebateReport {
  version: 1;
  provenance: unknown;
  options: PlayOptions;
  rules: string[];
  judges: Record<string, string>;
  cells: DebateCellRow[];
  design: DesignStudy[];
  notes: string[];
}

const variantKey = (c: CellKey) => `k${c.k}-${c.precommit ? 'precommit' : 'no-precommit'}`;

export function buildDebateReport(planned: readonly CellKey[], cells: Map<string, CellResult>, opts: PlayOptions, provenance: unknown, design: DesignStudy[], notes: string[]): DebateReport {
  const judges: Record<string, string> = {};
  const rows: DebateCellRow[] = planned.map((key) => {
    const id = cellId(key);
    const result = cells.get(id) ?? null;
    if (result) judges[`k=${key.k}`] = result.judge;
    const paper = PAPER_MCTS[variantKey(key)];
    const rep = REPLICATION_GREEDY[variantKey(key)];
    let greedyOnMctsImages: Proportion | null = null;
    const mcts = cells.get(cellId({ ...key, debater: 'mcts' }));
    if (result && key.debater === 'greedy' && mcts && result.outcomes.length >= mcts.images) {
      const prefix = result.outcomes.slice(0, mcts.images);
      greedyOnMctsImages = wilson([...prefix].filter((c) => c === '1').length, prefix.length);
    }
    return {
      ...key,
      id,
      status: result ? 'done' : 'not run yet',
      result,
      greedyOnMctsImages,
      paperMcts: paper ? (key.first === 'honest' ? paper.honestFirst : paper.liarFirst) : null,
      replicationGreedy: rep ? (key.first === 'honest' ? rep.honestFirst : rep.liarFirst) : null,
    };
  });
  return { version: 1, provenance, options: opts, rules: RULES_TEXT, judges, cells: rows, design, notes };
}

const pct = (p: Proportion | null) => (p && p.n > 0 ? `${(100 * p.rate).toFixed(1)} [${(100 * p.lo).toFixed(1)}, ${(100 * p.hi).toFixed(1)}]` : '—');
const num = (x: number | null, d = 1) => (x === null ? '—' : x.toFixed(d));

/**
 * The paper's findings set against the played cells, in words computed from the numbers (so a
 * rerun says what it found): debate lifts the judge far above its own accuracy with precommit;
 * moving second (the liar first) helps the honest player; without precommit the liar does far
 * better; a cell "matches" the paper when the paper's number is inside its 95% interval.
 */
export function debateFindings(r: DebateReport): string[] {
  const done = r.cells.filter((c) => c.result);
  if (done.length === 0) return [];
  const cell = (k: number, precommit: boolean, first: 'honest' | 'liar', debater: string) => done.find((c) => c.k === k && c.precommit === precommit && c.first === first && c.debater === debater)?.result ?? null;
  const p = (x: Proportion) => (100 * x.rate).toFixed(1);
  const lines = ['## What held', ''];
  for (const k of [...new Set(done.map((c) => c.k))].sort((a, b) => b - a)) {
    for (const debater of [...new Set(done.map((c) => c.debater))]) {
      const pc = (['honest', 'liar'] as const).map((f) => cell(k, true, f, debater));
      const np = (['honest', 'liar'] as const).map((f) => cell(k, false, f, debater));
      if (pc.some((x) => !x)) continue;
      const alone = pc[0]!.judgeAlone;
      const paper = PAPER_MCTS[`k${k}-precommit`];
      lines.push(
        `- ${k} px, ${debater}: with precommit the honest player wins ${p(pc[0]!.honest)}% (honest first) and ${p(pc[1]!.honest)}% (liar first) where the judge alone is right on ${p(alone)}%: debate ${pc[0]!.honest.lo > alone.hi ? 'lifts the weak judge well above its own accuracy, as in the paper' : 'does not lift the judge beyond its own accuracy here'} (paper ${paper?.honestFirst} / ${paper?.liarFirst}; inside our interval: ${pc.map((x, i) => (paper && x!.honest.lo * 100 <= (i === 0 ? paper.honestFirst : paper.liarFirst) && (i === 0 ? paper.honestFirst : paper.liarFirst) <= x!.honest.hi * 100 ? 'yes' : 'no')).join(' / ')}). ` +
          `Moving second helps the honest player: ${pc[1]!.honest.rate > pc[0]!.honest.rate ? 'held' : 'not here'} (paper: held). ` +
          (np.every(Boolean) ? `Without precommit the liar does far better: honest ${p(np[0]!.honest)}% / ${p(np[1]!.honest)}%, ${np[0]!.honest.rate < pc[0]!.honest.rate && np[1]!.honest.rate < pc[1]!.honest.rate ? 'held' : 'not here'} (paper: held).` : ''),
      );
    }
  }
  return lines;
}

export function debateMarkdown(r: DebateReport): string {
  const out: string[] = [];
  out.push('# Debate on MNIST (Irving, Christiano & Amodei 2018), issue 23', '');
  const prov = r.provenance as { command?: string; date?: string; gitCommit?: string | null; machine?: { cpu: string; cores: number } } | null;
  if (prov?.command) out.push(`\`${prov.command}\` — ${prov.date ?? ''}, commit ${prov.gitCommit ?? 'unknown'}, ${prov.machine ? `${prov.machine.cores} × ${prov.machine.cpu}` : ''}`, '');
  for (const n of r.notes) out.push(`> ${n}`, '');
  out.push('## Judges', '');
  if (Object.keys(r.judges).length === 0) out.push('No cell has been played yet.');
  for (const [k, name] of Object.entries(r.judges)) out.push(`- ${k}: ${name}`);
  out.push('', '## Rules as implemented', '');
  for (const rule of r.rules) out.push(`- ${rule}`);
  // The MCTS settings the saved cells were played with (a --report-only run's flags may differ).
  const played = [...new Set(r.cells.flatMap((c) => (c.result?.mcts ? [JSON.stringify({ rollouts: c.result.mcts.rollouts, cPuct: c.result.mcts.cPuct, prior: c.result.mcts.prior, leaf: c.result.mcts.leaf, batch: c.result.mcts.batch })] : [])))];
  const m = played.length === 1 ? (JSON.parse(played[0]) as typeof r.options.mcts) : r.options.mcts;
  out.push(
    '',
    '## Results',
    '',
    `Honest win rate and judge-alone accuracy in %, with 95% Wilson intervals. Greedy: the first ${r.options.greedyImages} images of a seeded shuffle (seed ${r.options.sampleSeed}) of the 10,000 test images; MCTS: the first ${r.options.mctsImages} of the same shuffle, ${played.length > 1 ? 'MCTS settings differing between cells (each cell\'s are in debate.json)' : `${m.rollouts} rollouts per move (the paper: 10,000), PUCT c=${m.cPuct}, prior ${m.prior}, leaf ${m.leaf}, ${m.batch} leaves per judge call`}. "Greedy on MCTS images" scores the greedy cell on exactly the MCTS cell's images. Paper: MCTS debaters; replication: machulsky61/tesis greedy debaters.`,
    '',
    '| k | precommit | first | debater | honest win % | judge alone % | images | greedy on MCTS images % | paper (MCTS) % | replication (greedy) % | ties | games/s | rollouts/s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of r.cells) {
    const head = `| ${c.k} | ${c.precommit ? 'yes' : 'no'} | ${c.first} | ${c.debater}`;
    const ref = `${num(c.paperMcts)} | ${num(c.replicationGreedy)}`;
    if (!c.result) {
      out.push(`${head} | not run yet | — | — | — | ${ref} | — | — | — |`);
      continue;
    }
    const x = c.result;
    out.push(`${head} | ${pct(x.honest)} | ${pct(x.judgeAlone)} | ${x.images} | ${pct(c.greedyOnMctsImages)} | ${ref} | ${x.ties} | ${x.gamesPerSecond.toFixed(1)} | ${x.mcts ? x.mcts.simulationsPerSecond.toFixed(0) : '—'} |`);
  }
  out.push('', `Judge alone in the paper: ${Object.entries(PAPER_JUDGE).map(([k, v]) => `${v.paper}% (${k} px; safe-debates ${v.replication}%)`).join(', ')}.`);
  out.push('', ...debateFindings(r));
  const byLie = r.cells.filter((c) => c.result?.liarWinsByLie);
  if (byLie.length > 0) {
    out.push('', '### Precommit: images the liar won, by lie', '', '| cell | ' + Array.from({ length: 10 }, (_, d) => d).join(' | ') + ' |', '|---|' + '---|'.repeat(10));
    for (const c of byLie) out.push(`| ${c.id} | ${c.result!.liarWinsByLie!.join(' | ')} |`);
  }
  const done = r.cells.filter((c) => c.result);
  if (done.length > 0) {
    out.push('', '## Speed', '', `Wall-clock per cell on this machine (${prov?.machine ? `${prov.machine.cores} × ${prov.machine.cpu}` : 'unknown'}), one process per cell, the judge's cost included; other jobs may have shared the cores.`, '');
    out.push('| debater | k | precommit | games/s | rollouts/s | judge rows/s | images/s |', '|---|---|---|---|---|---|---|');
    for (const c of done) {
      const x = c.result!;
      out.push(`| ${c.debater} | ${c.k} | ${c.precommit ? 'yes' : 'no'} (${c.first} first) | ${x.gamesPerSecond.toFixed(1)} | ${x.mcts ? x.mcts.simulationsPerSecond.toFixed(0) : '—'} | ${(x.judgeRows / x.seconds).toFixed(0)} | ${(x.images / x.seconds).toFixed(2)} |`);
    }
  }
  if (r.design.length > 0) {
    out.push('', '## MCTS design: prior × leaf value at an equal rollout budget', '');
    for (const d of r.design) {
      out.push(`k=${d.k}, no precommit, ${d.first} first, ${d.images} images, ${d.rollouts} rollouts per move; each variant plays one side against the greedy debater. Judge: ${d.judge ?? 'not recorded'}.`, '');
      out.push('| variant | as honest vs greedy liar: honest wins % | as liar vs greedy honest: liar wins % | rollouts/s | judge rows per rollout |', '|---|---|---|---|---|');
      for (const row of d.rows) out.push(`| ${row.variant} | ${pct(row.asHonest)} | ${pct(row.asLiar)} | ${row.simulationsPerSecond.toFixed(0)} | ${row.judgeRowsPerSimulation.toFixed(1)} |`);
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}
