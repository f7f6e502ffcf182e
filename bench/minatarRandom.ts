/**
 * `npm run bench -- minatar-random`: each MinAtar game under a uniform random policy over all
 * six actions (as MinAtar's examples/random_play.py), episodes played to termination, beside
 * MinAtar's own Python run of the same thing (scripts/minatar/random_returns.py, recorded in
 * bench/results/minatar-random-python.json) and the number MinAtar's README prints (Breakout).
 * The two runs draw different actions, so the means should agree within their standard errors.
 * Writes bench/results/minatar-random.{json,md}.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINATAR_GAMES, makeMinAtar } from '../src/envs/minatar/index.js';
import { Rng } from '../src/utils/rng.js';
import { RESULTS_DIR, provenance, writeResult, type Provenance } from './machine.js';

/** MinAtar's README: "Avg Return: 0.5+/-0.023" for `random_play.py -g breakout` (1000 episodes). */
const README = { breakout: { mean: 0.5, stderr: 0.023 } } as Record<string, { mean: number; stderr: number }>;

interface PythonRun {
  recordedWith: string;
  games: Record<string, { episodes: number; mean: number; stderr: number }>;
}

export interface MinAtarRandomRow {
  game: string;
  episodes: number;
  mean: number;
  stderr: number;
  meanLength: number;
  python: { episodes: number; mean: number; stderr: number } | null;
  readme: { mean: number; stderr: number } | null;
  /** (ours - Python) / sqrt(se_ours^2 + se_python^2). */
  z: number | null;
}

export interface MinAtarRandomResult {
  provenance: Provenance;
  seed: number;
  pythonRecordedWith: string;
  rows: MinAtarRandomRow[];
}

/** Mean return and its standard error (population std / sqrt(n), as MinAtar prints it) over `episodes` random episodes. */
export function randomReturns(game: string, episodes: number, seed: number): { mean: number; stderr: number; meanLength: number } {
  const env = makeMinAtar(game, { minimalActionSet: false });
  const rng = new Rng(seed);
  env.reset({ seed });
  const returns: number[] = [];
  let frames = 0;
  let g = 0;
  while (returns.length < episodes) {
    const { reward, terminated } = env.step(rng.integer(6));
    g += reward;
    frames += 1;
    if (terminated) {
      returns.push(g);
      g = 0;
      env.reset();
    }
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, x) => a + (x - mean) ** 2, 0) / episodes);
  return { mean, stderr: std / Math.sqrt(episodes), meanLength: frames / episodes };
}

export function benchMinAtarRandom(episodes: number, seed: number, argv: string[]): MinAtarRandomResult {
  const python = JSON.parse(readFileSync(join(RESULTS_DIR, 'minatar-random-python.json'), 'utf8')) as PythonRun;
  const rows: MinAtarRandomRow[] = Object.keys(MINATAR_GAMES).map((game) => {
    const py = python.games[game] ?? null;
    // As many episodes as the Python run where it has fewer (Freeway's are 2500 frames each).
    const n = Math.min(episodes, py?.episodes ?? episodes);
    const ours = randomReturns(game, n, seed);
    const z = py ? (ours.mean - py.mean) / Math.sqrt(ours.stderr ** 2 + py.stderr ** 2 || 1) : null;
    console.log(`${game}: ${ours.mean.toFixed(3)} +- ${ours.stderr.toFixed(3)} over ${n} episodes (MinAtar: ${py ? `${py.mean.toFixed(3)} +- ${py.stderr.toFixed(3)}` : '-'})`);
    return { game, episodes: n, ...ours, python: py, readme: README[game] ?? null, z };
  });
  const result: MinAtarRandomResult = { provenance: provenance(argv), seed, pythonRecordedWith: python.recordedWith, rows };
  writeResult('minatar-random', result);
  writeFileSync(join(RESULTS_DIR, 'minatar-random.md'), minAtarRandomMarkdown(result));
  return result;
}

export function minAtarRandomMarkdown(r: MinAtarRandomResult): string {
  const f = (x: { mean: number; stderr: number } | null) => (x ? `${x.mean.toFixed(3)} ± ${x.stderr.toFixed(3)}` : '-');
  const lines = [
    '# MinAtar: random-policy returns',
    '',
    `Mean return per episode (± standard error) of a uniform random policy over all six actions, sticky actions 0.1, difficulty ramping on, episodes played to termination: ours (\`MinAtar/<Game>-v0\`, seed ${r.seed}) beside MinAtar itself run the same way (${r.pythonRecordedWith}) and MinAtar's README. The runs draw different actions; z is the difference in combined standard errors.`,
    '',
    `Command: \`${r.provenance.command}\` at ${r.provenance.gitCommit ?? '?'}, ${r.provenance.date}.`,
    '',
    '| game | episodes | ours | MinAtar (Python, run here) | MinAtar README | z | mean length (frames) |',
    '|---|---|---|---|---|---|---|',
    ...r.rows.map((x) => `| ${MINATAR_GAMES[x.game]?.id ?? x.game} | ${x.episodes} | ${f(x)} | ${f(x.python)} | ${f(x.readme)} | ${x.z === null ? '-' : x.z.toFixed(2)} | ${x.meanLength.toFixed(1)} |`),
  ];
  return `${lines.join('\n')}\n`;
}
