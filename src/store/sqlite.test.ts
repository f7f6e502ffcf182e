import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { describeProjectStore, testGame, testSegment, testTruth } from './contract.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { SEGMENT_COLUMNS } from './segmentCodec.js';
import { PROJECT_DB, openProject, openSqliteProject, type SqliteProjectStore } from './sqlite.js';
import { CorruptProjectError } from './store.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'overseer-store-'));

/** Undoes migration 7 (the trial of assistance), to make a database of an older version. */
const DROP_MIGRATION_7 = ['labels', 'superseded_labels'].map((t) => `ALTER TABLE ${t} DROP COLUMN arm; ALTER TABLE ${t} DROP COLUMN critique; ALTER TABLE ${t} DROP COLUMN critique_response;`).join(' ');
/** Undoes migration 10 (debate games). */
const DROP_MIGRATION_10 = 'DROP TABLE debate_games;';
/** Undoes migration 9 (run reports). */
const DROP_MIGRATION_9 = 'DROP TABLE run_reports;';
/** Undoes migration 8 (the runs' counts of people's answers). */
const DROP_MIGRATION_8 = 'DROP TRIGGER people_label_added; DROP TRIGGER people_label_removed; DROP TABLE run_people_labels;';

describeProjectStore('SQLite', (options) => openProject(tmp(), options));

describe('SQLite project store', () => {
  const opened: SqliteProjectStore[] = [];
  const open = (dir: string) => {
    const p = openSqliteProject(dir);
    opened.push(p);
    return p;
  };
  afterEach(() => {
    for (const p of opened.splice(0)) p.close();
  });

  it('creates the schema in WAL mode with durable commits, and refuses a database from a newer version', () => {
    const dir = tmp();
    const p = open(dir);
    expect(p.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(p.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(p.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    p.createRun({ id: 'a', envId: 'Hopper-v5' });
    p.close();

    // Reopening applies nothing and keeps the data.
    expect(open(dir).listRuns().map((r) => r.id)).toEqual(['a']);
    opened.pop()!.close();

    const raw = new Database(join(dir, PROJECT_DB));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openProject(dir)).toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this Overseer knows \\(${SCHEMA_VERSION}\\)`));
  });

  it('upgrades a version-1 database in place: its runs keep their data and have no render spec', () => {
    const dir = tmp();
    const raw = new Database(join(dir, PROJECT_DB));
    raw.exec(MIGRATIONS[0]);
    raw.pragma('user_version = 1');
    raw.prepare("INSERT INTO runs (id, env_id, instructions, label_budget, config, env_steps, created_at) VALUES ('old', 'Hopper-v5', 'hop', 10, '{}', 42, '2026-01-01T00:00:00.000Z')").run();
    raw.close();
    const p = open(dir);
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(p.getRun('old')).toEqual({ id: 'old', envId: 'Hopper-v5', instructions: 'hop', labelBudget: 10, config: {}, renderSpec: null, envSteps: 42, createdAt: '2026-01-01T00:00:00.000Z', finishedAt: null, guidelines: '', phase: null, waitingForLabels: null });
    const spec = { kind: 'classic' as const, scene: 'Pendulum' as const, dt: 0.05, fields: ['theta', 'theta_dot'] };
    p.createRun({ id: 'new', envId: 'Pendulum-v1', renderSpec: spec });
    expect(p.getRun('new')!.renderSpec).toEqual(spec);
  });

  it('upgrading moves a second answer to a gold pair from the same annotator aside (superseded_labels), keeping the first; the index then refuses one', () => {
    const dir = tmp();
    const raw = new Database(join(dir, PROJECT_DB));
    raw.exec(MIGRATIONS[0]);
    raw.exec(MIGRATIONS[1]);
    raw.pragma('user_version = 2');
    raw.pragma('foreign_keys = OFF');
    const insert = raw.prepare(
      "INSERT INTO labels (run_id, query_id, left_id, right_id, answer, teacher, annotator_id, received_at_step, client_id, created_at) VALUES ('r', ?, 'a', 'b', ?, 't', ?, 0, ?, '')",
    );
    insert.run('gold-1', 'left', 1, 'c1');
    insert.run('gold-1', 'right', 1, 'c2');
    insert.run('gold-1', 'left', 2, 'c3');
    insert.run('q-0', 'left', null, null);
    insert.run('q-0', 'left', null, null);
    raw.close();
    const p = open(dir);
    expect(p.db.prepare('SELECT client_id AS c FROM labels ORDER BY seq').all()).toEqual([{ c: 'c1' }, { c: 'c3' }, { c: null }, { c: null }]);
    expect(p.db.prepare('SELECT client_id AS c, answer FROM superseded_labels').all()).toEqual([{ c: 'c2', answer: 'right' }]);
    p.db.pragma('foreign_keys = OFF');
    expect(() =>
      p.db.prepare("INSERT INTO labels (run_id, query_id, left_id, right_id, answer, teacher, annotator_id, received_at_step, client_id, created_at) VALUES ('r', 'gold-1', 'a', 'b', 'left', 't', 2, 0, 'c4', '')").run(),
    ).toThrow(/UNIQUE/);
  });

  it('upgrading to version 6 counts every label already stored as taken by its run: none of them can be undone', () => {
    const dir = tmp();
    // Labels stored through the store's own statements, then the schema rolled back to version 5.
    const old = open(dir);
    old.createRun({ id: 'r', envId: 'Hopper-v5' });
    old.putSegments('r', [0, 1].map((i) => ({ segment: testSegment(i) })));
    old.putQueries('r', [{ id: 'q-0', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 0 }]);
    const a = old.addAnnotator('a').annotator.id;
    old.assignQueries('r', a, 1);
    old.submitLabel({ runId: 'r', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c0' });
    old.db.exec('UPDATE runs SET used_label_seq = 0');
    old.db.pragma('user_version = 5');
    old.db.exec(DROP_MIGRATION_10);
    old.db.exec(DROP_MIGRATION_9);
    old.db.exec(DROP_MIGRATION_8);
    old.db.exec(DROP_MIGRATION_7);
    old.db.exec('ALTER TABLE runs DROP COLUMN used_label_seq; ALTER TABLE runs DROP COLUMN waiting_for; ALTER TABLE runs DROP COLUMN phase; ALTER TABLE runs DROP COLUMN guidelines; ALTER TABLE queries DROP COLUMN gold_answer; DROP TABLE withdrawn_labels;');
    opened.pop()!.close();
    const p = open(dir);
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(p.getRun('r')).toMatchObject({ guidelines: '', phase: null, waitingForLabels: null });
    expect(() => p.withdrawLabel('r', a, 'c0')).toThrow(/already been used for training/);
  });

  it('upgrading a version-6 database adds the trial columns to labels and the tables that copy them: old labels and undone answers read back without assistance', () => {
    const dir = tmp();
    const raw = new Database(join(dir, PROJECT_DB));
    for (const m of MIGRATIONS.slice(0, 6)) raw.exec(m);
    raw.pragma('user_version = 6');
    raw.pragma('foreign_keys = OFF');
    raw.exec(`
      INSERT INTO runs (id, env_id, created_at) VALUES ('r', 'Hopper-v5', '2026-01-01T00:00:00.000Z');
      INSERT INTO annotators (name, role, token_hash, created_at) VALUES ('a', 'annotator', 'h', '2026-01-01T00:00:00.000Z');
      INSERT INTO labels (run_id, query_id, left_id, right_id, answer, teacher, annotator_id, seconds, received_at_step, client_id, created_at)
        VALUES ('r', 'q-0', 'seg-0', 'seg-1', 'left', 'a', 1, 2, 5, 'c0', '2026-01-01T00:00:01.000Z');
      INSERT INTO withdrawn_labels (seq, run_id, query_id, left_id, right_id, answer, teacher, annotator_id, seconds, received_at_step, client_id, created_at, withdrawn_at)
        VALUES (9, 'r', 'q-1', 'seg-1', 'seg-2', 'right', 'a', 1, 1, 5, 'c-undone', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z');
    `);
    raw.close();
    const p = open(dir);
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const [old] = p.labelsSince('r', 0);
    expect(old).toEqual({ queryId: 'q-0', leftId: 'seg-0', rightId: 'seg-1', answer: 'left', teacher: 'a', seconds: 2, receivedAtStep: 5, createdAt: '2026-01-01T00:00:01.000Z', seq: 1, clientId: 'c0' });
    expect('assistance' in old).toBe(false);
    expect(p.db.prepare('SELECT client_id AS c, arm, critique, critique_response AS response FROM withdrawn_labels').all()).toEqual([{ c: 'c-undone', arm: null, critique: null, response: null }]);
    const columns = (table: string) => (p.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    expect(columns('labels').slice(-3)).toEqual(['arm', 'critique', 'critique_response']);
    // SELECT * copies (superseded_labels) line up column for column; withdrawn_labels has every label column.
    expect(columns('superseded_labels')).toEqual(columns('labels'));
    expect(columns('withdrawn_labels').filter((c) => c !== 'withdrawn_at')).toEqual(columns('labels'));
    expect(() => p.db.prepare("UPDATE labels SET arm = 'placebo'").run()).toThrow(/CHECK/);
  });

  it("upgrading a version-7 database counts each run's people's answers to its own pairs; triggers keep the count through answers, undo and the loop's labels", () => {
    const dir = tmp();
    const old = open(dir);
    old.createRun({ id: 'r', envId: 'Hopper-v5' });
    old.createRun({ id: 'empty', envId: 'Hopper-v5' });
    old.putSegments('r', [0, 1, 2, 3].map((i) => ({ segment: testSegment(i) })));
    old.putQueries('r', [0, 1, 2].map((q) => ({ id: `q-${q}`, leftId: `seg-${q}`, rightId: `seg-${q + 1}`, askedAtStep: 0 })));
    const a = old.addAnnotator('a').annotator.id;
    old.assignQueries('r', a, 2);
    old.submitLabel({ runId: 'r', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c0' });
    old.submitLabel({ runId: 'r', queryId: 'q-1', annotatorId: a, answer: 'right', seconds: 1, clientId: 'c1' });
    old.db.exec(DROP_MIGRATION_10);
    old.db.exec(DROP_MIGRATION_9);
    old.db.exec(DROP_MIGRATION_8);
    old.db.pragma('user_version = 7');
    opened.pop()!.close();
    const p = open(dir);
    const counted = () => p.db.prepare('SELECT run_id AS run, n FROM run_people_labels ORDER BY run_id').all();
    expect(counted()).toEqual([{ run: 'empty', n: 0 }, { run: 'r', n: 2 }]);
    expect(p.peopleLabelCounts('r', a)).toEqual({ labels: 2, mine: 2 });
    p.withdrawLabel('r', a, 'c1');
    expect(p.peopleLabelCounts('r', a)).toEqual({ labels: 1, mine: 1 });
    // The loop's own labels (no annotator) are not people's answers.
    p.putLabel('r', { queryId: 'q-2', leftId: 'seg-2', rightId: 'seg-3', answer: 'left', teacher: 'oracle', seconds: null, receivedAtStep: 0, createdAt: new Date(0).toISOString() });
    expect(p.peopleLabelCounts('r', a)).toEqual({ labels: 1, mine: 1 });
    expect(counted()).toEqual([{ run: 'empty', n: 0 }, { run: 'r', n: 1 }]);
  });

  it('upgrading a version-8 database adds the run reports table; the runs are as they were', () => {
    const dir = tmp();
    const old = open(dir);
    old.createRun({ id: 'r', envId: 'Hopper-v5', guidelines: 'g' });
    old.db.exec(DROP_MIGRATION_10);
    old.db.exec(DROP_MIGRATION_9);
    old.db.pragma('user_version = 8');
    opened.pop()!.close();
    const p = open(dir);
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(p.getRun('r')).toMatchObject({ guidelines: 'g' });
    expect(p.listRunReports('r')).toEqual([]);
    p.putRunReport('r', 'attention', { units: [] });
    expect(p.getRunReport('r', 'attention')!.body).toEqual({ units: [] });
  });

  it('upgrading a version-9 database adds the debate games table; runs, labels and reports are as they were', () => {
    const dir = tmp();
    const old = open(dir);
    old.createRun({ id: 'r', envId: 'MNIST-debate', config: { debate: { k: 4 } } });
    old.putRunReport('r', 'attention', { units: [] });
    old.db.exec(DROP_MIGRATION_10);
    old.db.pragma('user_version = 9');
    opened.pop()!.close();
    const p = open(dir);
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(p.getRun('r')).toMatchObject({ envId: 'MNIST-debate', config: { debate: { k: 4 } } });
    expect(p.getRunReport('r', 'attention')!.body).toEqual({ units: [] });
    expect(p.debateGames('r')).toEqual([]);
    const a = p.addAnnotator('ada').annotator.id;
    const { game } = p.putDebateGame('r', testGame({ annotatorId: a, role: 'judge', personPick: 5, seconds: 3 }));
    expect(p.debateGames('r')).toEqual([game]);
  });

  it('the debate games table checks the rules a row can show, whatever writes it', () => {
    const p = open(tmp());
    p.createRun({ id: 'r', envId: 'MNIST-debate' });
    p.putDebateGame('r', testGame());
    const refused = (set: string) => expect(() => p.db.prepare(`UPDATE debate_games SET ${set}`).run()).toThrow(/CHECK|NOT NULL|FOREIGN KEY/);
    for (const set of ["role = 'judge'", "role = 'spectator'", 'image_index = 10000', 'k = 0', 'precommit = 2', "first_mover = 'both'", 'truth = 10', 'lie = 3', 'lie = NULL', 'model_pick = 7', 'person_pick = 3', 'seconds = 1', "annotator = 'ada'", 'annotator_id = 1']) refused(set);
    expect(p.debateGames('r')).toEqual([expect.objectContaining({ role: 'model', lie: 5, modelPick: 3 })]);
  });

  it("keeps an undone answer's arm, critique and response in withdrawn_labels", () => {
    const p = open(tmp());
    p.createRun({ id: 'r', envId: 'Hopper-v5' });
    p.putSegments('r', [0, 1].map((i) => ({ segment: testSegment(i) })));
    p.putQueries('r', [{ id: 'q-0', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 0 }]);
    const a = p.addAnnotator('a').annotator.id;
    p.assignQueries('r', a, 1);
    const critique = { assistant: 'rrm', reason: 'falls at step 3', reveals: [{ kind: 'contact', step: 3, cell: 1 }] };
    p.submitLabel({ runId: 'r', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c0', assistance: { arm: 'assisted', critique, response: 'accepted' } });
    p.withdrawLabel('r', a, 'c0');
    const row = p.db.prepare('SELECT client_id AS c, arm, critique, critique_response AS response FROM withdrawn_labels').get() as { c: string; arm: string; critique: string; response: string };
    expect({ ...row, critique: JSON.parse(row.critique) }).toEqual({ c: 'c0', arm: 'assisted', critique, response: 'accepted' });
  });

  it('refuses a damaged database with an error naming the file: a failed integrity check, or not a database at all', () => {
    const dir = tmp();
    const p = open(dir);
    p.createRun({ id: 'r', envId: 'Hopper-v5' });
    p.putSegments('r', Array.from({ length: 40 }, (_, i) => ({ segment: testSegment(i, 60) })));
    p.db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = p.db.pragma('page_size', { simple: true }) as number;
    const pages = p.db.pragma('page_count', { simple: true }) as number;
    opened.pop()!.close();
    expect(pages).toBeGreaterThan(8);
    const file = join(dir, PROJECT_DB);
    const bytes = readFileSync(file);
    // Scribble over a b-tree page in the middle of the file (its header and cells).
    const page = Math.floor(pages / 2);
    for (let k = 0; k < 64; k++) bytes[page * pageSize + k] = (k * 37 + 11) & 0xff;
    writeFileSync(file, bytes);
    const err = (() => {
      try {
        openProject(dir).close();
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(CorruptProjectError);
    expect(err!.message).toContain(`${file} is damaged`);

    const notDb = tmp();
    writeFileSync(join(notDb, PROJECT_DB), 'this is not an SQLite database, just text that is long enough to have a header'.repeat(100));
    expect(() => openProject(notDb)).toThrow(CorruptProjectError);
    expect(() => openProject(notDb)).toThrow(new RegExp(`${join(notDb, PROJECT_DB).replace(/[/.]/g, '\\$&')} is damaged`));
  });

  it("writes segment rows with the codec's columns, the table's own", () => {
    const p = open(tmp());
    const columns = (p.db.prepare('PRAGMA table_info(segments)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['run_id', ...SEGMENT_COLUMNS]);
  });

  it('compresses render states', () => {
    const p = open(tmp());
    p.createRun({ id: 'r', envId: 'Hopper-v5' });
    const segs = Array.from({ length: 40 }, (_, i) => testSegment(i, 60));
    p.putSegments('r', segs.map((segment) => ({ segment, truth: testTruth(segment) })));
    const stored = p.db.prepare('SELECT SUM(LENGTH(render)) AS n FROM segments').get() as { n: number };
    const rawBytes = segs.reduce((n, s) => n + s.render!.byteLength, 0);
    expect(stored.n).toBeLessThan(rawBytes / 10);
  });

  it('keeps tokens only as hashes', () => {
    const dir = tmp();
    const p = open(dir);
    const { token } = p.addAnnotator('Ada');
    p.close();
    expect(readFileSync(join(dir, PROJECT_DB)).includes(token)).toBe(false);
  });

  it('keeps what one connection committed for another (a run beside serve)', () => {
    const dir = tmp();
    const writer = open(dir);
    const reader = open(dir);
    writer.createRun({ id: 'r', envId: 'Hopper-v5' });
    writer.putSegments('r', [{ segment: testSegment(0) }, { segment: testSegment(1) }]);
    writer.putQueries('r', [{ id: 'q-0', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 0 }]);
    writer.putLabel('r', { queryId: 'q-0', leftId: 'seg-0', rightId: 'seg-1', answer: 'left', teacher: 'oracle', seconds: null, receivedAtStep: 0, createdAt: '' });
    expect(reader.labelsSince('r', 0).map((l) => l.queryId)).toEqual(['q-0']);
  });
});
