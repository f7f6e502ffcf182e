/** `overseer w2s`: runs the weak-to-strong grid resumably and writes w2s.{json,md,svg}. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../data/mnist.js';
import { UsageError, type CliIO } from './io.js';
import { parseFlagOptions, seedRange } from './parse.js';
import { provenance } from './provenance.js';
import { runEasyHard, type EasyHardCell } from '../oversight/w2s/easyHard.js';
import { QUICK_OPTIONS, W2sOptionsSchema, cachedModelSeconds, runGrid, type CellResult, type W2sOptions } from '../oversight/w2s/grid.js';
import { buildReport, readRewardReport, reportMarkdown, reportSvg, type Invocation } from '../oversight/w2s/report.js';

export interface W2sFlags {
  tasks?: string;
  seeds?: string;
  weak?: string;
  strong?: string;
  methods?: string;
  studentEpochs?: string;
  daeEpochs?: string;
  parts?: string;
  out: string;
  quick?: boolean;
}

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter(Boolean));

/** The flags as one options object, validated by the grid's schema; errors name the flag. */
export function w2sOptions(flags: W2sFlags): W2sOptions {
  const num = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag}: expected a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
  const given = {
    tasks: list(flags.tasks),
    seeds: flags.seeds === undefined ? undefined : seedRange(flags.seeds),
    weak: list(flags.weak),
    strong: list(flags.strong),
    methods: list(flags.methods),
    studentEpochs: num('--student-epochs', flags.studentEpochs),
    daeEpochs: num('--dae-epochs', flags.daeEpochs),
    parts: list(flags.parts),
  };
  const flagOf: Record<string, string> = { tasks: '--tasks', seeds: '--seeds', weak: '--weak', strong: '--strong', methods: '--methods', studentEpochs: '--student-epochs', daeEpochs: '--dae-epochs', parts: '--parts' };
  // Flags win over --quick's reductions, which win over the schema's defaults. Issues are named
  // by flag (e.g. --strong.1: the second name given to --strong).
  return parseFlagOptions(W2sOptionsSchema, { ...(flags.quick ? QUICK_OPTIONS : {}), ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) }, flagOf, 'w2s');
}

/** One line of runs.jsonl, checked: the fields the timing uses must be there. */
function readInvocation(line: string, where: string): Invocation {
  const r = JSON.parse(line) as Partial<Invocation>;
  if (typeof r.date !== 'string' || typeof r.command !== 'string' || typeof r.wallSeconds !== 'number' || typeof r.newCells !== 'number') {
    throw new Error(`${where}: not an invocation record (needs date, command, wallSeconds, newCells): ${line.slice(0, 120)}`);
  }
  return r as Invocation;
}

export async function w2sCommand(flags: W2sFlags, io: CliIO, argv: string[]): Promise<number> {
  const opts = w2sOptions(flags);
  const name = flags.quick ? 'w2s-quick' : 'w2s';
  const dir = join(flags.out, name);
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const train = loadMnist('train');
  const test = loadMnist('test');
  io.stderr(`w2s: ${opts.parts.join(' and ')}; ${opts.tasks.length} task(s) x ${opts.seeds.length} seed(s) x ${opts.strong.length} strong x (${opts.weak.length} weak + ceiling); cells in ${dir}\n`);
  let newCells = 0;
  const env = { train, test, dir, log: (line: string) => io.stdout(`${line}\n`), onCell: () => newCells++ };
  const gridStart = performance.now();
  const cells: CellResult[] = opts.parts.includes('grid') ? runGrid(opts, env) : [];
  const gridSeconds = (performance.now() - gridStart) / 1000;
  let newEasyHardCells = 0;
  const easyHard: EasyHardCell[] = opts.parts.includes('easy-hard') ? runEasyHard(opts, env, () => newEasyHardCells++) : [];
  const wallSeconds = (performance.now() - t0) / 1000;
  // Each invocation that computed cells is logged, so a rebuild of the report keeps the grid's wall-clock.
  const runsFile = join(dir, 'runs.jsonl');
  if (newCells + newEasyHardCells > 0) {
    const record: Invocation = { date: new Date().toISOString(), command: `overseer ${argv.join(' ')}`, wallSeconds, newCells, newEasyHardCells, gridSeconds };
    appendFileSync(runsFile, `${JSON.stringify(record)}\n`);
  }
  const invocations = existsSync(runsFile) ? readFileSync(runsFile, 'utf8').split('\n').filter(Boolean).map((l, i) => readInvocation(l, `${runsFile}:${i + 1}`)) : [];
  const timing = {
    wallSeconds,
    cellSeconds: cells.reduce((a, c) => a + c.seconds, 0),
    easyHardCellSeconds: easyHard.reduce((a, c) => a + c.seconds, 0),
    cachedModelSeconds: cachedModelSeconds(dir, opts.seeds),
    invocations,
  };
  // The reward-model half (overseer w2s-reward) is read, not rerun, so w2s.md is the one report.
  const rewardModels = readRewardReport(join(flags.out, flags.quick ? 'w2s-reward-quick.json' : 'w2s-reward.json'));
  const report = buildReport(cells, opts, provenance(`overseer ${argv.join(' ')}`), timing, easyHard, rewardModels);
  writeFileSync(join(flags.out, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(flags.out, `${name}.md`), reportMarkdown(report));
  writeFileSync(join(flags.out, `${name}.svg`), reportSvg(report));
  io.stdout(`wrote ${join(flags.out, name)}.{json,md,svg}\n`);
  for (const f of [...report.findings, ...report.easyHard.findings]) io.stdout(`- ${f}\n`);
  return 0;
}
