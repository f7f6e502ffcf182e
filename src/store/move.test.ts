/**
 * Moving a project between SQLite and PostgreSQL (overseer migrate): every table copied whole,
 * checked afterwards, and the copy works as the original did (tokens, sequence numbers, undo).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/program.js';
import { testGame, testSegment, testTruth } from './contract.js';
import { compareTables, moveProject, PROJECT_TABLES } from './move.js';
import { PgProjectStore } from './postgres/store.js';
import { openSqliteProject } from './sqlite.js';
import { ConflictError, type ProjectStore } from './store.js';
import { freshSchema, testDatabase } from './testing/postgres.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  db = await testDatabase('move');
}, 30_000);
afterAll(async () => {
  await db?.drop();
});

/** A project with a bit of everything: two runs, segments with truths (NaN and -0 in them), people's labels with a trial arm, an undone answer, a gold pair, a revoked annotator, metrics, a report, debate games. */
function populate(p: ProjectStore): { token: string } {
  for (const id of ['run-a', 'run-b']) {
    p.createRun({ id, envId: 'Hopper-v5', instructions: 'forward', labelBudget: 10, config: { prefs: { seed: 1 } }, guidelines: 'be kind' });
    const segs = Array.from({ length: 5 }, (_, i) => testSegment(i));
    p.putSegments(id, segs.map((segment, i) => ({ segment, ...(i % 2 ? { truth: testTruth(segment) } : {}) })));
    p.putQueries(id, segs.slice(1).map((s, i) => ({ id: `q-${i}`, leftId: segs[i].id, rightId: s.id, askedAtStep: i * 10 })));
    p.appendMetrics(id, { envSteps: 100, trueReturn: 1.5 });
  }
  const { annotator, token } = p.addAnnotator('ada');
  p.addAnnotator('bob');
  p.revokeAnnotator('bob');
  const assigned = p.assignQueries('run-a', annotator.id, 3);
  const assistance = { arm: 'assisted' as const, critique: { assistant: 'random', reason: 'look', reveals: [{ kind: 'torque', step: 2 }] }, response: 'accepted' as const };
  p.submitLabel({ runId: 'run-a', queryId: assigned[0].query.id, annotatorId: annotator.id, answer: 'left', seconds: 1.25, clientId: 'c1', assistance });
  p.submitLabel({ runId: 'run-a', queryId: assigned[1].query.id, annotatorId: annotator.id, answer: 'right', seconds: 2, clientId: 'c2' });
  p.withdrawLabel('run-a', annotator.id, 'c2');
  p.putLabel('run-b', { queryId: 'q-0', leftId: 'seg-0', rightId: 'seg-1', answer: 'equal', teacher: 'oracle', seconds: null, receivedAtStep: 5, createdAt: '2026-01-01T00:00:00.000Z' });
  p.setGoldPair('run-a', 'q-3', 'left');
  p.putDebateGame('run-a', testGame({ id: 'g-ada', annotatorId: annotator.id, role: 'judge', personPick: 5, seconds: 2.5 }));
  p.putDebateGame('run-a', testGame({ id: 'g-models', precommit: false, lie: null, modelPick: 8, firstMover: 'liar', k: 1, reveals: [{ pixel: 783, by: 'liar' }] }));
  p.putDebateGame('run-b', testGame());
  p.finishRun('run-b');
  p.putRunReport('run-a', 'attention', { format: 'overseer.attention/1', units: [{ explanation: 'fires when é', score: 0.8125 }] });
  return { token };
}

describe('moving a project', () => {
  it('SQLite to PostgreSQL and back: every row the same, tokens and sequence numbers carry on', () => {
    const sqlite = openSqliteProject(mkdtempSync(join(tmpdir(), 'overseer-move-')));
    const { token } = populate(sqlite);
    const pg = new PgProjectStore(db.url, { schema: freshSchema('move') });
    try {
      const { rows, differences } = moveProject(sqlite, pg);
      expect(differences).toEqual([]);
      expect(rows).toEqual({ runs: 2, annotators: 2, segments: 10, queries: 9, labels: 2, superseded_labels: 0, withdrawn_labels: 1, metrics: 2, run_reports: 1, debate_games: 3 });
      // The copy is the project: the same link works, the same answers count, new labels follow.
      expect(pg.annotatorByToken(token)?.name).toBe('ada');
      expect(pg.agreement('run-a')).toEqual(sqlite.agreement('run-a'));
      expect(pg.getRunReport('run-a', 'attention')).toEqual(sqlite.getRunReport('run-a', 'attention'));
      expect(pg.debateGames('run-a')).toEqual(sqlite.debateGames('run-a'));
      expect(pg.debateGames('run-a').map((g) => [g.id, g.annotator, g.seconds])).toEqual([['g-ada', 'ada', 2.5], ['g-models', null, null]]);
      expect(pg.peopleLabelCounts('run-a', pg.annotatorByToken(token)!.id)).toEqual(sqlite.peopleLabelCounts('run-a', sqlite.annotatorByToken(token)!.id));
      expect(pg.peopleLabelCounts('run-a', 1)).toEqual({ labels: 1, mine: 1 });
      expect(pg.loadRun('run-a')).toEqual(sqlite.loadRun('run-a'));
      expect(pg.getRun('run-b')?.finishedAt).toBe(sqlite.getRun('run-b')?.finishedAt);
      const ada = pg.annotatorByToken(token)!;
      const next = pg.assignQueries('run-a', ada.id, 1)[0];
      const { label } = pg.submitLabel({ runId: 'run-a', queryId: next.query.id, annotatorId: ada.id, answer: 'left', seconds: 1, clientId: 'c3' });
      expect(label.seq).toBeGreaterThan(Math.max(...sqlite.labelsSince('run-a', 0).map((l) => l.seq), ...sqlite.labelsSince('run-b', 0).map((l) => l.seq)));
      expect(pg.addAnnotator('cy').annotator.id).toBe(3);
      // Games follow the copied ones, and a resubmission of a copied game is recognised.
      expect(pg.putDebateGame('run-a', testGame({ id: 'g-next' })).game.seq).toBe(4);
      expect(pg.putDebateGame('run-a', testGame({ id: 'g-ada', annotatorId: ada.id, role: 'judge', personPick: 5, seconds: 2.5 })).duplicate).toBe(true);

      // Taken home again: PostgreSQL to a new SQLite project.
      const home = openSqliteProject(mkdtempSync(join(tmpdir(), 'overseer-home-')));
      try {
        expect(moveProject(pg, home).differences).toEqual([]);
        expect(home.labelsSince('run-a', 0).map((l) => l.clientId)).toEqual(['c1', 'c3']);
        expect(home.debateGames('run-a')).toEqual(pg.debateGames('run-a'));
        expect(compareTables(pg, home)).toEqual([]);
        // A difference is found and named.
        home.appendMetrics('run-a', { envSteps: 200 });
        expect(compareTables(pg, home)).toEqual(['runs row 1: env_steps is 100, against 200', 'metrics: 2 rows, against 3']);
        expect(home.putDebateGame('run-a', testGame({ id: 'g-home' })).game.seq).toBe(5);
      } finally {
        home.close();
      }
      // Never into a project that has data.
      expect(() => moveProject(sqlite, pg)).toThrow(ConflictError);
      expect(() => moveProject(sqlite, pg)).toThrow(/already holds runs or annotators; move a project into an empty database/);
    } finally {
      pg.close();
      sqlite.close();
    }
    expect(PROJECT_TABLES.length).toBe(10);
  }, 60_000);

  it('overseer migrate: moves a directory into a database and says what it checked; refuses a target with data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overseer-migrate-'));
    const source = openSqliteProject(dir);
    populate(source);
    source.close();
    const { url, drop } = await testDatabase('migrate_cli');
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io = { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s), isTTY: false };
      expect(await runCli(['migrate', '--from', dir, '--to', url], io)).toBe(0);
      expect(out.join('')).toMatch(/^moved .*overseer\.db to postgres:\/\/overseer:\*\*\*@.* in \d+\.\d s: 2 runs, 2 annotators, 10 segments, 9 queries, 2 labels, 0 superseded_labels, 1 withdrawn_labels, 2 metrics, 1 run_reports, 3 debate_games\nchecked: every table holds the same rows as the source\n$/);
      expect(await runCli(['migrate', '--from', dir, '--to', url], io)).toBe(2);
      expect(err.join('')).toMatch(/already holds runs or annotators/);
    } finally {
      await drop();
    }
  }, 60_000);
});
