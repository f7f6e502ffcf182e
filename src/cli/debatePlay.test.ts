import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debatePlayOptions, loadJudgeCheckpoint, resolveJudgePaths } from './debatePlay.js';

describe('debate play flags', () => {
  it('parses lists and MCTS settings into one options object', () => {
    const o = debatePlayOptions({ out: 'x', k: '6', precommit: 'yes', first: 'liar', debaters: 'mcts', rollouts: '32', prior: 'uniform', mctsImages: '1000' });
    expect(o).toMatchObject({ ks: [6], precommit: [true], first: ['liar'], debaters: ['mcts'], mctsImages: 1000, greedyImages: 10_000 });
    expect(o.mcts).toMatchObject({ rollouts: 32, prior: 'uniform', leaf: 'margin', cPuct: 1 });
  });

  it('names the flag in errors', () => {
    expect(() => debatePlayOptions({ out: 'x', precommit: 'maybe' })).toThrow(/--precommit: expected yes or no/);
    expect(() => debatePlayOptions({ out: 'x', prior: 'wide' })).toThrow(/--prior/);
    expect(() => debatePlayOptions({ out: 'x', rollouts: '-3' })).toThrow(/--rollouts/);
    expect(() => debatePlayOptions({ out: 'x', k: 'six' })).toThrow(/--k: expected a number/);
    expect(() => debatePlayOptions({ out: 'x', first: 'judge' })).toThrow(/--first/);
  });

  it('finds one checkpoint per k and refuses a judge trained for another k', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'judges-'));
    const fake = (k: number) => ({ format: 'overseer.debate-judge', version: 1, training: { options: { k } } });
    writeFileSync(join(dir, 'a.json'), JSON.stringify(fake(6)));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(fake(4)));
    expect(Object.fromEntries(resolveJudgePaths([dir], [6, 4]))).toEqual({ 6: join(dir, 'a.json'), 4: join(dir, 'b.json') });
    expect(() => resolveJudgePaths([dir], [5])).toThrow(/no judge checkpoint for k = 5/);
    writeFileSync(join(dir, 'c.json'), JSON.stringify(fake(6)));
    expect(() => resolveJudgePaths([dir], [6])).toThrow(/several checkpoints for k = 6/);
    expect(Object.fromEntries(resolveJudgePaths([`6=${join(dir, 'c.json')}`], [6]))).toEqual({ 6: join(dir, 'c.json') });
    await expect(loadJudgeCheckpoint(join(dir, 'b.json'), 6)).rejects.toThrow(/trained for k = 4, but asked to judge k = 6/);
    writeFileSync(join(dir, 'd.json'), '{"format":"other"}');
    await expect(loadJudgeCheckpoint(join(dir, 'd.json'), 6)).rejects.toThrow(/not a judge checkpoint/);
  });
});
