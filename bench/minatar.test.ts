import { describe, expect, it } from 'vitest';
import { cellArgs, cellsOf, minatarMarkdown, type CellResult, type MinAtarResult } from './minatar.js';

const prov = { command: 'npm run bench -- minatar', date: 'd', gitCommit: 'abc', machine: { cpu: 'c', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20' } };

function cell(over: Partial<CellResult>): CellResult {
  return {
    game: 'Breakout', variant: 'ppo', labels: null, steps: 500_000, seed: 1,
    evalMean: 10, evalStd: 1, evalReturns: [], finalTrainingReturn: 9, finalLearnedReturn: null, finalReturnCorrelation: null,
    labelsUsed: null, trainSeconds: 100, stepsPerSecond: 5000, curve: [],
    ...over,
  };
}

describe('bench minatar', () => {
  it('runs the true reward with train, the preference cells with the oracle teacher, the offline ablation with every label before RL', () => {
    const cells = cellsOf(['Breakout'], ['ppo', 'oracle', 'offline'], [1000, 3300], 500_000, [1, 2]);
    expect(cells).toHaveLength(10);
    const [ppo, oracle, , offline] = cells;
    expect(cellArgs(ppo, '/o', 10).slice(0, 3)).toEqual(['train', '--env', 'MinAtar/Breakout-v1']);
    expect(cellArgs(oracle, '/o', 10)).toEqual(expect.arrayContaining(['prefs', '--teacher', 'oracle', '--labels', '1000']));
    expect(cellArgs(oracle, '/o', 10)).not.toContain('--initial-label-fraction');
    expect(cellArgs(offline, '/o', 10).slice(-2)).toEqual(['--initial-label-fraction', '1']);
  });

  it('sets each preference cell beside true-reward PPO at the same frames and seeds, and PPO beside the published numbers', () => {
    const r: MinAtarResult = {
      provenance: prov,
      cells: [
        cell({ seed: 1, evalMean: 10 }),
        cell({ seed: 2, evalMean: 20 }),
        cell({ variant: 'oracle', labels: 1000, seed: 1, evalMean: 12, finalLearnedReturn: 0.5, finalReturnCorrelation: 0.9 }),
        cell({ variant: 'oracle', labels: 1000, seed: 2, evalMean: 6, finalLearnedReturn: 0.7, finalReturnCorrelation: 0.8 }),
        cell({ variant: 'offline', labels: 1000, seed: 1, evalMean: 1 }),
      ],
    };
    const md = minatarMarkdown(r, 'NOTES HERE');
    // PPO: mean ± sd over seeds 1, 2, beside MinAtar's DQN ~10 and AC ~17.5.
    expect(md).toContain('| Breakout | 500,000 | 1,2 | 15.00 ± 7.07 (10.0, 20.0) |');
    expect(md).toContain('| ~10 | ~17.5 | 28 | ~50 |');
    // oracle: (12 + 6) / 2 over (10 + 20) / 2 = 60%; offline seed 1 against PPO seed 1 alone: 10%.
    expect(md).toContain('| Breakout | 500,000 | 1000 | oracle | 1,2 | 9.00 ± 4.24 (12.0, 6.0) | 60% |');
    expect(md).toContain('| Breakout | 500,000 | 1000 | offline | 1 | 1.00 | 10% |');
    expect(md).toContain('NOTES HERE');
  });
});
