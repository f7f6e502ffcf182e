import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Mnist } from '../../data/mnist.js';
import { PlayOptionsSchema, cellId, imageOrder, plannedCells, readCells, runCell } from './play.js';
import { buildDebateReport, debateMarkdown } from './report.js';
import { stubJudge } from './testing/stubs.js';

/** Four 28×28 "images" of digit 1 and 2 with ten nonzero pixels each. */
function fakeTest(): Mnist {
  const images = new Uint8Array(4 * 784);
  for (let i = 0; i < 4; i++) for (let p = 0; p < 10; p++) images[i * 784 + 300 + p] = 200;
  return { set: 'test', count: 4, rows: 28, cols: 28, images, labels: Uint8Array.from([1, 2, 1, 2]) };
}

describe('debate play cells and report', () => {
  it('plays a cell, saves it, and reports the cells not run yet as such', () => {
    const dir = mkdtempSync(join(tmpdir(), 'debate-'));
    // Pixel 305 is strong evidence for 1; the judge otherwise leans to 2.
    const judge = stubJudge({ 2: 0.5 }, { 305: { digit: 1, logit: 3 } });
    const opts = PlayOptionsSchema.parse({ ks: [2], debaters: ['greedy', 'mcts'], greedyImages: 4, mctsImages: 2, mcts: { rollouts: 16 } });
    const env = { test: fakeTest(), judgeFor: () => ({ judge, name: 'stub' }), dir, log: () => {} };
    const key = { k: 2, precommit: true, first: 'honest' as const, debater: 'greedy' as const };
    const cell = runCell(key, opts, env);
    // The 1s: honest reveals 305 and wins all 9 games. The 2s: the liar (claiming 1) reveals 305 and wins the game with lie 1.
    expect(cell.outcomes).toBe([...imageOrder(4, 0)].map((i) => (i % 2 === 0 ? '1' : '0')).join(''));
    expect(cell).toMatchObject({ images: 4, games: 36, honest: { k: 2, n: 4 } });
    expect(cell.liarWinsByLie).toEqual([0, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(readdirSync(dir)).toEqual([`${cellId(key)}.json`]);
    // A second run reuses the saved cell.
    const refusing = { logits: (): Float32Array => { throw new Error('a saved cell is not replayed'); } };
    expect(runCell(key, opts, { ...env, judgeFor: () => ({ judge: refusing, name: 'stub' }) }).date).toBe(cell.date);

    const planned = plannedCells(opts);
    expect(planned).toHaveLength(8);
    const report = buildDebateReport(planned, readCells(dir, planned), opts, null, [], []);
    expect(report.cells.filter((c) => c.status === 'done').map((c) => c.id)).toEqual([cellId(key)]);
    const row = report.cells.find((c) => c.id === cellId(key))!;
    expect(row.paperMcts).toBeNull();
    const md = debateMarkdown(report);
    expect(md.match(/not run yet/g)).toHaveLength(7);
    expect(md).toContain('| 2 | yes | honest | greedy | 50.0 [15.0, 85.0] |');
  });

  it('puts the paper cells beside ours', () => {
    const opts = PlayOptionsSchema.parse({});
    const report = buildDebateReport(plannedCells(opts), new Map(), opts, null, [], []);
    const find = (id: string) => report.cells.find((c) => c.id === id)!;
    expect(find('k6-precommit-honest-first-mcts').paperMcts).toBe(87.4);
    expect(find('k4-no-precommit-liar-first-mcts').paperMcts).toBe(68.4);
    expect(find('k6-precommit-liar-first-greedy').replicationGreedy).toBe(89.3);
    expect(report.cells).toHaveLength(16);
  });

  it('refuses bad options with the field named', () => {
    expect(() => PlayOptionsSchema.parse({ ks: [0] })).toThrow(/ks/);
    expect(() => PlayOptionsSchema.parse({ mcts: { prior: 'wide' } })).toThrow(/prior/);
    expect(PlayOptionsSchema.parse({}).mcts).toMatchObject({ rollouts: 100, prior: 'margin', leaf: 'margin' });
  });
});
