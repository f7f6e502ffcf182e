import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debateJudgeOptions, debateTrainJudgeCommand, judgeRunName } from './debate.js';

describe('overseer debate train-judge', () => {
  it("takes the paper's schedule for k = 4 and 6, the defaults from the schema, and names the flag of a bad value", () => {
    expect(debateJudgeOptions({ out: 'x', k: '6' }).opts).toMatchObject({ k: 6, batches: 30_000, batchSize: 128, hidden: [256], seed: 1 });
    expect(debateJudgeOptions({ out: 'x', k: '4' }).opts.batches).toBe(50_000);
    expect(debateJudgeOptions({ out: 'x', k: '5', batches: '1_000', hidden: '64, 32', testDraws: '0' })).toMatchObject({ opts: { k: 5, batches: 1000, hidden: [64, 32] }, testDraws: 0 });
    expect(() => debateJudgeOptions({ out: 'x' })).toThrow(/--k is required/);
    expect(() => debateJudgeOptions({ out: 'x', k: '5' })).toThrow(/--batches is required for --k 5/);
    expect(() => debateJudgeOptions({ out: 'x', k: '6', lr: 'fast' })).toThrow(/--lr: expected a number, got "fast"/);
    expect(() => debateJudgeOptions({ out: 'x', k: '6', batchSize: '0' })).toThrow(/debate train-judge --batch-size: /);
    expect(() => debateJudgeOptions({ out: 'x', k: '6', hidden: '64,x' })).toThrow(/--hidden: expected comma-separated positive widths/);
    expect(() => debateJudgeOptions({ out: 'x', k: '6', testDraws: '-1' })).toThrow(/--test-draws: expected a whole number >= 0/);
    expect(judgeRunName(debateJudgeOptions({ out: 'x', k: '6' }).opts)).toBe('judge-k6-h256-lr0.001-b30000-bs128-v5000-s1');
  });

  const out = mkdtempSync(join(tmpdir(), 'overseer-judge-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('trains, writes the checkpoint (git-ignored) and the summary, and reuses the checkpoint next time', async () => {
    const flags = { out, k: '6', batches: '60', batchSize: '32', hidden: '32', lr: '3e-3', valSize: '500', draws: '1', testDraws: '1' };
    const argv = ['debate', 'train-judge', '--k', '6'];
    let text = '';
    const io = { stdout: (t: string) => (text += t), stderr: () => {}, isTTY: false };
    expect(await debateTrainJudgeCommand(flags, io, argv)).toBe(0);
    const name = 'judge-k6-h32-lr0.003-b60-bs32-v500-s1';
    expect(readdirSync(join(out, 'judges')).sort()).toEqual(['.gitignore', `${name}.json`]);
    const summary = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
    expect(summary).toMatchObject({ trainedNow: true, options: { k: 6, batches: 60 }, test: { images: 10_000, draws: 1 }, validation: { images: 500 }, reference: { paper: 59.4, replication: 57.4 } });
    expect(summary.nonzeroPixels.fewerThanK).toBe(0);
    expect(summary.training.examplesPerSecond).toBeGreaterThan(0);
    expect(summary.provenance.command).toBe('overseer debate train-judge --k 6');
    expect(text).toMatch(/test \(10000 images x 1 draws\): [0-9.]+% \[.*\]; paper 59.4%, replication 57.4%/);

    expect(await debateTrainJudgeCommand(flags, io, argv)).toBe(0);
    const again = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
    expect(again.trainedNow).toBe(false);
    expect(again.training.wallSeconds).toBe(summary.training.wallSeconds);
    expect(again.test.mean).toBe(summary.test.mean);
  });
});
