import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp } from './testing/cli.js';
import { readCell } from './assist.js';

describe('overseer oversight assist', () => {
  it('runs a trial per budget and seed, records every assignment, resumes by skipping saved cells, and writes the report', async () => {
    const out = tmp();
    const args = ['oversight', 'assist', '--env', 'AbsentSupervisor-v0', '--overseer', 'watched-only', '--assistant', 'random', '--pairs', '30', '--clean', '10', '--budget', '1,3', '--seeds', '1', '--out', out];
    const first = await cli(...args);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/AbsentSupervisor-v0 watched-only random budget 1 seed 1: flaws found 0.0% -> [\d.]+% assisted/);
    const cells = readdirSync(join(out, 'assistance'));
    expect(cells).toHaveLength(2);
    const cell = readCell(join(out, 'assistance', cells[0]));
    expect(cell.records).toHaveLength(40);
    expect(new Set(cell.records.map((r: { arm: string }) => r.arm))).toEqual(new Set(['assisted', 'unassisted']));
    expect(cell.records.filter((r: { flawType: string | null }) => r.flawType === 'broken-rule')).toHaveLength(30);
    const md = readFileSync(join(out, 'assistance.md'), 'utf8');
    expect(md).toMatch(/\| AbsentSupervisor-v0 \| watched-only \| random \| 3 \| 1 \| /);
    expect(md).toMatch(/Saunders et al. 2022/);
    expect(existsSync(join(out, 'assistance.svg'))).toBe(true);
    const again = await cli(...args);
    expect(again.err.match(/done before, kept/g)).toHaveLength(2);
    // Budget 3 alone, in a fresh directory, critiques exactly as after budget 1 in the same run.
    const alone = tmp();
    expect((await cli(...args.slice(0, -3), '3', '--seeds', '1', '--out', alone).then((r) => r.code))).toBe(0);
    const name = cells.find((c) => c.includes('__b3__'))!;
    const strip = (f: string) => ({ ...readCell(f), date: null, seconds: null, command: null });
    expect(strip(join(alone, 'assistance', name))).toEqual(strip(join(out, 'assistance', name)));
    // The report again from the saved cells.
    expect((await cli('oversight', 'report', '--experiment', 'assistance', '--out', out)).out).toMatch(/wrote .*assistance.json/);
    expect((await cli('oversight', 'report', '--experiment', 'assistance', '--out', tmp())).err).toMatch(/does not exist; run overseer oversight assist first/);
    expect((await cli('oversight', 'report', '--experiment', 'debate', '--out', out)).err).toMatch(/--experiment: sophistry or assistance/);
  }, 60_000);

  it('trains the rrm assistant per label count on pairs apart from the trial\'s, and records D, the discriminator, per flaw type', async () => {
    const out = tmp();
    const r = await cli('oversight', 'assist', '--env', 'AbsentSupervisor-v0', '--overseer', 'watched-only', '--assistant', 'rrm', '--assistant-labels', '50,200', '--pairs', '30', '--clean', '10', '--budget', '1', '--seeds', '2', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/rrm \(50 labels\) budget 1 seed 2: .*reveal-judgment accuracy held out/);
    const cells = readdirSync(join(out, 'assistance')).sort();
    expect(cells).toEqual(['AbsentSupervisor-v0__watched-only__rrm-l200__b1__s2__p30__c10__stoc.json.gz', 'AbsentSupervisor-v0__watched-only__rrm-l50__b1__s2__p30__c10__stoc.json.gz']);
    const cell = readCell(join(out, 'assistance', cells[0]));
    expect(cell.training!.labels).toBeGreaterThan(150);
    expect(cell.discriminator!['broken-rule'].n).toBe(30);
    const md = readFileSync(join(out, 'assistance.md'), 'utf8');
    expect(md).toMatch(/\| AbsentSupervisor-v0 \| watched-only \| rrm \(200 labels\) \| 1 \| broken-rule \| [\d.]+% \[/);
    expect((await cli('oversight', 'assist', '--env', 'AbsentSupervisor-v0', '--overseer', 'watched-only', '--assistant', 'rrm', '--assistant-labels', '0', '--out', tmp())).err).toMatch(/--assistant-labels: expected comma-separated whole numbers >= 1/);
  }, 60_000);

  it('refuses an unknown assistant, a view with nothing to reveal, an env without planted flaws, and a held-out cell for tuning', async () => {
    const base = ['oversight', 'assist', '--out', tmp()];
    expect((await cli(...base, '--env', 'Reacher-v5', '--overseer', 'projection', '--assistant', 'oracle')).err).toMatch(/--assistant: unknown "oracle"; known: random, disagreement, supervised, rrm/);
    expect((await cli(...base, '--env', 'Reacher-v5', '--overseer', 'full', '--assistant', 'random')).err).toMatch(/the full view sees everything; there is nothing to reveal/);
    expect((await cli(...base, '--env', 'Hopper-v5', '--overseer', 'projection', '--assistant', 'random')).err).toMatch(/no planted flaws for Hopper-v5/);
    expect((await cli(...base, '--env', 'Reacher-v5', '--overseer', 'projection', '--assistant', 'random', '--purpose', 'tuning')).err).toMatch(/--purpose tuning: Reacher-v5 projection is held out/);
    expect((await cli(...base, '--env', 'Reacher-v5', '--overseer', 'projection', '--assistant', 'random', '--budget', '0')).err).toMatch(/--budget: expected comma-separated whole numbers >= 1, got "0"/);
  }, 60_000);
});
