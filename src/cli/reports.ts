/**
 * The oversight experiments' reports: each experiment saves its cells under OUT/NAME (NAME-tuning
 * for tuning runs, kept apart so tuning never reads a held-out result) and rebuilds
 * NAME.{json,md,svg} from them, with the cells folder's NOTES.md (what was tried, what held) in
 * the Markdown.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Purpose } from '../oversight/split.js';

/** The folder and report name of an experiment's cells for a purpose. */
export const experimentName = (experiment: string, purpose: Purpose) => (purpose === 'tuning' ? `${experiment}-tuning` : experiment);

export interface ExperimentReport {
  json: unknown;
  title: string;
  /** The commands that made the cells. */
  commands: readonly string[];
  /** What the cell files hold besides, e.g. "each cell's command, date and time". */
  cellFiles: string;
  /** The Markdown between the commands and the notes. */
  body: readonly string[];
  svg: string;
}

/** Writes NAME.json, NAME.md and NAME.svg in `out`. */
export function writeExperimentReport(out: string, name: string, r: ExperimentReport): void {
  const notesFile = join(out, name, 'NOTES.md');
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8').trim() : '';
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(r.json, null, 2)}\n`);
  const md = [
    `# ${r.title}`,
    '',
    `Made by ${[...new Set(r.commands)].map((c) => `\`${c}\``).join(', ')} (${r.cellFiles} in the cell files under \`${name}/\`).`,
    '',
    ...r.body,
    '',
    ...(notes ? [`## Notes (\`${name}/NOTES.md\`)`, '', notes, ''] : []),
    `Curves: \`${name}.svg\`.`,
    '',
  ].join('\n');
  writeFileSync(join(out, `${name}.md`), md);
  writeFileSync(join(out, `${name}.svg`), r.svg);
}
