import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../server/app.js';
import { PROJECT_DB, openProject } from '../store/sqlite.js';
import { cli, tmp } from './testing/cli.js';

/** A project directory with an empty overseer.db. */
function project(): string {
  const dir = tmp();
  openProject(dir).close();
  return dir;
}

const tokenOf = (out: string) => /token \(shown once[^)]*\): (\S+)/.exec(out)![1];

describe('overseer annotators', () => {
  it('add and list refuse a directory without overseer.db (a mistyped --project) and create nothing there', async () => {
    const parent = tmp();
    const typo = join(parent, 'projetc');
    for (const argv of [
      ['annotators', 'add', 'ada', '--project', typo],
      ['annotators', 'list', '--project', typo],
      ['annotators', 'revoke', 'ada', '--project', typo],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(/--project: no overseer\.db in .*projetc \(a mistyped path\? this command does not create a project\)/);
    }
    expect(existsSync(typo)).toBe(false);
    const empty = tmp();
    expect((await cli('annotators', 'add', 'ada', '--project', empty)).code).toBe(2);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('revoke: the token gets 401 from the server at once; list shows it revoked; the name must exist', async () => {
    const dir = project();
    const add = await cli('annotators', 'add', 'ada', '--project', dir);
    expect(add.code).toBe(0);
    const token = tokenOf(add.out);
    expect((await cli('annotators', 'add', 'bob', '--project', dir)).code).toBe(0);

    const store = openProject(dir);
    const app = buildServer({ project: store });
    try {
      const me = () => app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
      expect((await me()).statusCode).toBe(200);
      const revoke = await cli('annotators', 'revoke', 'ada', '--project', dir);
      expect(revoke.code).toBe(0);
      expect(revoke.out).toMatch(/annotator ada: token revoked \(.+\); their labels are kept/);
      const after = await me();
      expect(after.statusCode).toBe(401);
      expect(after.json().error).toMatch(/not valid/);
    } finally {
      await app.close();
      store.close();
    }
    const list = await cli('annotators', 'list', '--project', dir);
    expect(list.out).toMatch(/^ada\tannotator\t\S+\trevoked \S+\nbob\tannotator\t\S+\tactive\n$/);
    const unknown = await cli('annotators', 'revoke', 'carol', '--project', dir);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no annotator "carol"/);
  });

  it('add --expires-in DAYS gives a token that expires; refuses a non-positive number of days', async () => {
    const dir = project();
    const add = await cli('annotators', 'add', 'ada', '--project', dir, '--expires-in', '30');
    expect(add.code).toBe(0);
    const expiresAt = /expires at (\S+)\)/.exec(add.out)![1];
    const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const store = openProject(dir);
    try {
      expect(store.annotatorByToken(tokenOf(add.out))).toMatchObject({ name: 'ada', expiresAt });
    } finally {
      store.close();
    }
    expect((await cli('annotators', 'list', '--project', dir)).out).toMatch(`ada\tannotator\t`);
    expect((await cli('annotators', 'list', '--project', dir)).out).toContain(`expires ${expiresAt}`);
    for (const bad of ['0', '-1', 'soon']) {
      const r = await cli('annotators', 'add', `x${bad}`, '--project', dir, '--expires-in', bad);
      expect(r.code, bad).toBe(2);
      expect(r.err).toMatch(/--expires-in|expected a positive number of days/);
    }
  });

  it('refuses a damaged project database with a message naming the file', async () => {
    const dir = tmp();
    writeFileSync(join(dir, PROJECT_DB), 'not a database '.repeat(200));
    const r = await cli('annotators', 'list', '--project', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(dir, PROJECT_DB)} is damaged`);
  });
});

describe('overseer import', () => {
  it('reads and checks the file before creating the project: a missing or broken file leaves no project behind', async () => {
    const parent = tmp();
    const into = join(parent, 'new-project');
    const missing = await cli('import', '--project', into, '--in', join(parent, 'nope.jsonl'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.jsonl: cannot read/);
    const broken = join(parent, 'broken.jsonl');
    writeFileSync(broken, '{"type":"header","format":"overseer.labels","version":1,"exportedAt":""}\n{"type":"run"}\n');
    const bad = await cli('import', '--project', into, '--in', broken);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/broken\.jsonl:2: /);
    expect(existsSync(into)).toBe(false);
    expect(readdirSync(parent).sort()).toEqual(['broken.jsonl']);
  });
});
