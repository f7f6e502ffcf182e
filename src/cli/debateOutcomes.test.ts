import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MnistJudge, saveJudge } from '../oversight/debate/judgeModel.js';
import { Rng } from '../utils/rng.js';
import { debateOutcomesCommand, debateOutcomesOptions, defaultJudgePath, type OutcomesReport } from './debateOutcomes.js';

describe('overseer debate from-outcomes', () => {
  it('parses the flags into one options object and names the flag of a bad value', () => {
    expect(debateOutcomesOptions({ out: 'x' })).toMatchObject({ ks: [4, 6], images: 3000, candidates: 4, protocol: 'round-robin', draws: 8, compareImages: 200, seed: 0, classifier: { hidden: [128], epochs: 10 } });
    expect(debateOutcomesOptions({ out: 'x', k: '6', images: '5_000', candidates: '10', protocol: 'open', hidden: 'none', epochs: '3' })).toMatchObject({ ks: [6], images: 5000, candidates: 10, protocol: 'open', classifier: { hidden: [], epochs: 3 } });
    expect(() => debateOutcomesOptions({ out: 'x', k: 'six' })).toThrow(/--k: expected a number/);
    expect(() => debateOutcomesOptions({ out: 'x', candidates: '1' })).toThrow(/debate from-outcomes --candidates/);
    expect(() => debateOutcomesOptions({ out: 'x', protocol: 'swiss' })).toThrow(/--protocol/);
    expect(() => debateOutcomesOptions({ out: 'x', images: '100', compareImages: '200' })).toThrow(/--compare-images: at most --images \(100\)/);
  });

  const out = mkdtempSync(join(tmpdir(), 'overseer-outcomes-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('finds the default judge of a k and says how to make a missing one', () => {
    writeFileSync(join(out, 'judge-k6-h256-lr0.001-b30000-bs128-v5000-s1.json'), '{}');
    writeFileSync(join(out, 'judge-k6-h256-lr0.001-b30000-bs128-v5000-s2.json'), '{}');
    expect(defaultJudgePath(out, 6)).toBe(join(out, 'judge-k6-h256-lr0.001-b30000-bs128-v5000-s1.json'));
    expect(() => defaultJudgePath(out, 4)).toThrow(/overseer debate train-judge --k 4/);
  });

  it('labels, trains, writes the report, and reuses the saved debate labels next time', async () => {
    // An untrained judge: the pipeline, not its accuracy, is under test.
    const judge = new MnistJudge({ hidden: [16], activation: 'relu' }).init(new Rng(0), 2);
    const path = join(out, 'tiny-k2.json');
    writeFileSync(path, JSON.stringify(saveJudge(judge, { options: { k: 2 } })));
    const flags = { out, k: '2', images: '30', candidates: '3', compareImages: '4', draws: '2', hidden: 'none', epochs: '1', judge: [`2=${path}`] };
    const argv = ['debate', 'from-outcomes', '--k', '2', '--images', '30'];
    let text = '';
    const io = { stdout: (t: string) => (text += t), stderr: () => {}, isTTY: false };
    expect(await debateOutcomesCommand(flags, io, argv)).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'debate-outcomes.json'), 'utf8')) as OutcomesReport;
    expect(report.rows).toHaveLength(1);
    const row = report.rows[0];
    expect(row).toMatchObject({ k: 2, images: 30, judgeTest: null, debateLabels: { n: 30 }, classifier: { n: 10_000 }, judgeAloneClassifier: { n: 10_000 }, compare: { images: 4, gamesPerImage: { topM: 6, fullRoundRobin: 90, fullOpen: 20 } } });
    expect(row.labelling.games).toBe(30 * 6);
    expect(report.trueLabelBaseline.n).toBe(10_000);
    expect(report.provenance.command).toBe('overseer debate from-outcomes --k 2 --images 30');
    const md = readFileSync(join(out, 'debate-outcomes.md'), 'utf8');
    expect(md).toMatch(/\| 2 \| n\/a \| .* \| 30 \| 180 games/);
    expect(md).toContain('david-lindner/ai-safety-debate');
    expect(text).toMatch(/k=2: debate labels [0-9.]+% \[/);

    const saved = readdirSync(join(out, 'debate-outcomes'));
    expect(saved).toHaveLength(1);
    const before = readFileSync(join(out, 'debate-outcomes', saved[0]), 'utf8');
    expect(await debateOutcomesCommand(flags, io, argv)).toBe(0);
    expect(readdirSync(join(out, 'debate-outcomes'))).toEqual(saved);
    expect(readFileSync(join(out, 'debate-outcomes', saved[0]), 'utf8')).toBe(before);
    const again = JSON.parse(readFileSync(join(out, 'debate-outcomes.json'), 'utf8')) as OutcomesReport;
    expect(again.rows[0].debateLabels).toEqual(row.debateLabels);
    expect(again.rows[0].classifier).toEqual(row.classifier);
  });
});
