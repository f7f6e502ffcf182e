import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp } from '../cli/testing/cli.js';
import type { Segment } from '../prefs/segments.js';
import { exportLines, importRuns, readExport } from './exchange.js';
import { openProject } from './sqlite.js';

const segment = (i: number): Segment => ({ id: `seg-${i}`, envId: 'Pendulum-v1', seed: 4, envIndex: 1, globalStep: 30 * i, length: 3, obsSize: 3, actionSize: 1, renderSize: 2, render: Float32Array.from({ length: 6 }, (_, k) => i + k / 8), obs: Float32Array.from({ length: 9 }, (_, k) => -i - k), actions: Float32Array.of(0.5, -0.25, i), terminated: i === 2 });

/** A project whose run has 5 segments, 4 queries (one gold, one never answered) and 3 labels (one from a person). */
function sourceProject() {
  const dir = tmp('overseer-exchange-');
  const p = openProject(dir);
  p.createRun({ id: 'src', envId: 'Pendulum-v1', instructions: 'keep it <up>', labelBudget: 50 });
  const segs = [0, 1, 2, 3, 4].map(segment);
  p.putSegments('src', segs.map((s, i) => ({ segment: s, truth: i < 4 ? { segmentId: s.id, rewards: Float64Array.of(-i, 0.1, 1 / 3) } : undefined })));
  p.putQueries('src', [
    { id: 'q-0', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 10 },
    { id: 'q-1', leftId: 'seg-2', rightId: 'seg-4', askedAtStep: 20 },
    { id: 'q-2', leftId: 'seg-3', rightId: 'seg-0', askedAtStep: 30 },
    { id: 'gold-1', leftId: 'seg-1', rightId: 'seg-2', askedAtStep: 0, kind: 'gold' },
  ]);
  p.putLabel('src', { queryId: 'q-0', leftId: 'seg-0', rightId: 'seg-1', answer: 'right', teacher: 'oracle', seconds: null, receivedAtStep: 12, createdAt: '2026-01-01T00:00:00.000Z' });
  const ada = p.addAnnotator('ada').annotator.id;
  p.assignQueries('src', ada, 1);
  p.submitLabel({ runId: 'src', queryId: 'q-1', annotatorId: ada, answer: 'equal', seconds: 2, clientId: 'c-1' });
  p.submitLabel({ runId: 'src', queryId: 'gold-1', annotatorId: ada, answer: 'left', seconds: 1, clientId: 'c-2' });
  return { dir, p };
}

describe('label export and import', () => {
  it('round-trips labelled queries with their segments, true rewards and client ids; unlabelled ones stay behind', () => {
    const { p } = sourceProject();
    const file = join(tmp(), 'labels.jsonl');
    writeFileSync(file, [...exportLines(p)].join('\n'));
    const lines = readFileSync(file, 'utf8').split('\n').map((l) => JSON.parse(l).type);
    expect(lines).toEqual(['header', 'run', 'segment', 'segment', 'segment', 'segment', 'query', 'query', 'query', 'label', 'label', 'label']);
    const [run] = readExport(file);
    expect(run).toMatchObject({ id: 'src', envId: 'Pendulum-v1', instructions: 'keep it <up>', labelBudget: 50 });
    expect([...run.contents.segments.keys()].sort()).toEqual(['seg-0', 'seg-1', 'seg-2', 'seg-4']);

    const target = openProject(tmp());
    expect(importRuns(target, [run], 'copy-')).toEqual({ runs: 1, labels: 3, debateGames: 0 });
    const before = p.loadRun('src');
    const after = target.loadRun('copy-src');
    for (const id of ['seg-0', 'seg-1', 'seg-2', 'seg-4']) expect(after.segments.get(id)).toEqual(before.segments.get(id));
    expect(after.truths.get('seg-2')!.rewards).toEqual(before.truths.get('seg-2')!.rewards);
    expect(after.truths.has('seg-4')).toBe(false);
    expect(after.queries.map((q) => q.id)).toEqual(['q-0', 'q-1', 'gold-1']);
    expect(target.queryKinds('copy-src').get('gold-1')).toBe('gold');
    expect(target.labelsSince('copy-src', 0).map(({ seq: _s, ...l }) => l)).toEqual(p.labelsSince('src', 0).map(({ seq: _s, ...l }) => l));
    expect(() => importRuns(target, [run], 'copy-')).toThrow(/run copy-src already exists .*another --prefix/);
    target.close();
    p.close();
  });

  it('refuses broken files with the line and the problem', () => {
    const { p } = sourceProject();
    const good = [...exportLines(p)];
    p.close();
    const attempt = (lines: string[]) => {
      const file = join(tmp(), 'bad.jsonl');
      writeFileSync(file, lines.join('\n'));
      return () => readExport(file);
    };
    const edit = (i: number, f: (o: Record<string, unknown>) => void) => good.map((l, k) => (k === i ? JSON.stringify((() => { const o = JSON.parse(l); f(o); return o; })()) : l));
    expect(attempt(good.slice(1))).toThrow(/:1: the first record must be the overseer.labels header/);
    expect(attempt([good[0], '{nope'])).toThrow(/:2: not valid JSON/);
    expect(attempt(edit(0, (o) => (o.version = 2)))).toThrow(/:1: version: Invalid input: expected 1/);
    expect(attempt(edit(2, (o) => (o.length = 4)))).toThrow(/:3: segment seg-0: obs\/actions do not match its length and sizes/);
    expect(attempt(edit(2, (o) => (o.obs = 'not base64!')))).toThrow(/:3 obs: not base64/);
    expect(attempt(edit(9, (o) => (o.answer = 'maybe')))).toThrow(/:10: answer: Invalid option/);
    expect(attempt(edit(9, (o) => (o.extra = 1)))).toThrow(/:10: record: Unrecognized key: "extra"/);
    expect(attempt([...good.slice(0, 6), good[9]])).toThrow(/:7: label for q-0, a query not exported before it/);
    expect(attempt([good[0], good[2]])).toThrow(/:2: names run src, which has no run record before it/);
    expect(attempt([])).toThrow(/empty; expected an overseer.labels export/);
    expect(attempt(edit(1, (o) => (o.renderSpec = { kind: 'photo', dt: 1 })))).toThrow(/:2: renderSpec.kind: Invalid option/);
    // MinAtar's channel grids travel with their run.
    const channels = { kind: 'channels', rows: 10, cols: 10, dt: 0.1, channels: ['paddle', 'ball'], colors: ['#4ea8ff', '#ffd23f'], legend: ['paddle', 'ball'] };
    expect(attempt(edit(1, (o) => (o.renderSpec = channels)))()[0].renderSpec).toEqual(channels);
    // A label's assistance: its shape, and the rules of the trial as submitLabel has them.
    const critique = { assistant: 'rrm', reason: 'it falls', reveals: [{ kind: 'contact', step: 2 }] };
    const assisting = (assistance: unknown) => attempt(edit(9, (o) => (o.assistance = assistance)));
    expect(assisting({ arm: 'placebo', critique: null, response: null })).toThrow(/:10: assistance.arm: Invalid option/);
    expect(assisting({ arm: 'assisted', critique, response: 'maybe' })).toThrow(/:10: assistance.response: Invalid option/);
    expect(assisting({ arm: 'assisted', critique, response: null, extra: 1 })).toThrow(/:10: assistance: Unrecognized key: "extra"/);
    expect(assisting({ arm: 'assisted', critique: { ...critique, reveals: [{ kind: 'contact', step: 1.5 }] }, response: null })).toThrow(/:10: assistance.critique.reveals.0.step: /);
    expect(assisting({ arm: 'unassisted', critique, response: null })).toThrow(/:10: assistance: a critique was shown in the unassisted arm/);
    expect(assisting({ arm: 'assisted', critique: null, response: 'accepted' })).toThrow(/:10: assistance: a critique response \(accepted\) without a critique shown/);
    expect(assisting({ arm: 'assisted', critique, response: 'dismissed' })().flatMap((r) => r.contents.labels)[0].assistance).toEqual({ arm: 'assisted', critique, response: 'dismissed' });
  });

  it('reads exports written before runs carried their render spec', () => {
    const { p } = sourceProject();
    const lines = [...exportLines(p)];
    p.close();
    const run = JSON.parse(lines[1]);
    expect(run.renderSpec).toBeNull();
    delete run.renderSpec;
    const file = join(tmp(), 'old.jsonl');
    writeFileSync(file, [lines[0], JSON.stringify(run), ...lines.slice(2)].join('\n'));
    expect(readExport(file)[0]).toMatchObject({ id: 'src', renderSpec: null });
  });

  it('overseer export, overseer import and prefs --labels-from FILE', async () => {
    const { dir, p } = sourceProject();
    p.close();
    const file = join(tmp(), 'labels.jsonl');
    const ex = await cli('export', '--project', dir, '--out', file);
    expect(ex.code).toBe(0);
    expect(ex.out).toMatch(/exported 3 labels from 1 run to/);
    const into = tmp();
    const im = await cli('import', '--project', into, '--in', file);
    expect(im.code).toBe(0);
    expect(im.out).toMatch(/imported 3 labels in 1 run \(src\)/);
    const again = await cli('import', '--project', into, '--in', file);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/run src already exists/);
    expect((await cli('export', '--project', into, '--out', file, '--run', 'nope')).err).toMatch(/no run "nope"/);
    expect((await cli('export', '--project', tmp(), '--out', file)).err).toMatch(/--project: no overseer.db/);

    // A new run starts from the exported labels (gold ones included: they are comparisons too).
    const out = join(tmp(), 'run');
    const r = await cli('prefs', '--env', 'Pendulum-v1', '--labels', '6', '--steps', '1024', '--eval-episodes', '1', '--rm', 'ensembleSize=2', '--labels-from', file, '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/imported 3 labels/);
    const project = openProject(out);
    const labels = project.labelsSince('run', 0);
    project.close();
    expect(labels.slice(0, 3).map((l) => l.queryId)).toEqual(['src/q-0', 'src/q-1', 'src/gold-1']);
  });
});
