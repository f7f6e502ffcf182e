import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { describeProjectStore, testSegment, testTruth } from './contract.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { SEGMENT_COLUMNS } from './segmentCodec.js';
import { PROJECT_DB, openProject, openSqliteProject, type SqliteProjectStore } from './sqlite.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'overseer-store-'));

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
    expect(p.getRun('old')).toEqual({ id: 'old', envId: 'Hopper-v5', instructions: 'hop', labelBudget: 10, config: {}, renderSpec: null, envSteps: 42, createdAt: '2026-01-01T00:00:00.000Z' });
    const spec = { kind: 'classic' as const, scene: 'Pendulum' as const, dt: 0.05, fields: ['theta', 'theta_dot'] };
    p.createRun({ id: 'new', envId: 'Pendulum-v1', renderSpec: spec });
    expect(p.getRun('new')!.renderSpec).toEqual(spec);
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
