/**
 * Moving a project between databases (`overseer migrate`): SQLite to PostgreSQL for a study
 * that grows, PostgreSQL to SQLite to take one home. Both keep the same tables and columns, so a
 * project moves row by row, every table whole: annotators with their token hashes (their links
 * keep working), labels with their sequence numbers, undone answers, leases, metrics. The
 * target must be empty. Afterwards every table is read back from the target and compared with
 * the source, row by row, byte by byte.
 */
import type { ProjectStore } from './store.js';

/** The project's tables, in an order that satisfies their foreign keys. */
export const PROJECT_TABLES = ['runs', 'annotators', 'segments', 'queries', 'labels', 'superseded_labels', 'withdrawn_labels', 'metrics', 'run_reports', 'debate_games'] as const;
export type ProjectTable = (typeof PROJECT_TABLES)[number];

export type RawRow = Record<string, unknown>;

/** The order rows are read in (and compared in): each table's key. */
export const TABLE_ORDER: Record<ProjectTable, string> = {
  runs: 'id',
  annotators: 'id',
  segments: 'run_id, id',
  queries: 'seq',
  labels: 'seq',
  superseded_labels: 'seq, run_id, query_id',
  withdrawn_labels: 'seq, run_id, query_id, withdrawn_at',
  metrics: 'seq',
  run_reports: 'run_id, kind',
  debate_games: 'seq',
};

/** A store whose tables can be read and written whole (SQLite's and PostgreSQL's). */
export interface RawTables {
  /** Every row of a table, in `TABLE_ORDER`. */
  rawRows(table: ProjectTable): RawRow[];
  /** Writes every table's rows as they are, all or nothing; refuses a database that has any runs or annotators. */
  restoreRows(tables: readonly { table: ProjectTable; rows: RawRow[] }[]): void;
}

export function hasRawTables(p: ProjectStore): p is ProjectStore & RawTables {
  return typeof (p as Partial<RawTables>).rawRows === 'function' && typeof (p as Partial<RawTables>).restoreRows === 'function';
}

/** Equal values as stored: bytes compared as bytes (a Buffer and a Uint8Array alike), numbers and text as they are. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
  return Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && a === b);
}

/** Where two projects' tables differ (at most `limit` lines); empty when they hold the same rows. */
export function compareTables(a: RawTables, b: RawTables, limit = 20): string[] {
  const out: string[] = [];
  for (const table of PROJECT_TABLES) {
    const [ra, rb] = [a.rawRows(table), b.rawRows(table)];
    if (ra.length !== rb.length) out.push(`${table}: ${ra.length} rows, against ${rb.length}`);
    for (let i = 0; i < Math.min(ra.length, rb.length) && out.length < limit; i++) {
      const columns = new Set([...Object.keys(ra[i]), ...Object.keys(rb[i])]);
      for (const c of columns) {
        if (!same(ra[i][c], rb[i][c])) {
          out.push(`${table} row ${i + 1}: ${c} is ${JSON.stringify(ra[i][c])}, against ${JSON.stringify(rb[i][c])}`);
          break;
        }
      }
    }
    if (out.length >= limit) break;
  }
  return out;
}

/** Copies every table of `from` into the empty `to`, then compares them; returns the rows per table and any difference. */
export function moveProject(from: RawTables, to: RawTables): { rows: Record<ProjectTable, number>; differences: string[] } {
  const tables = PROJECT_TABLES.map((table) => ({ table, rows: from.rawRows(table) }));
  to.restoreRows(tables);
  const rows = Object.fromEntries(tables.map((t) => [t.table, t.rows.length])) as Record<ProjectTable, number>;
  return { rows, differences: compareTables(from, to) };
}
