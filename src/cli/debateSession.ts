/**
 * `overseer debate session`: makes a debate session (issue 23, deliverable 5), a run with env id
 * MNIST-debate whose people judge live debates between model debaters, or debate the model liar
 * before the model judge, on the page `overseer serve` serves (debate.html). The judge checkpoint
 * is loaded here once, so a wrong path or k is refused now rather than on the first person's request.
 */
import { resolve } from 'node:path';
import { DEBATE_ENV_ID, DebateSessionSchema, type DebateSession } from '../oversight/debate/session.js';
import { loadJudgeCheckpoint } from './debatePlay.js';
import { UsageError, type CliIO } from './io.js';
import { numberFlag, parseFlagOptions } from './parse.js';
import { projectLocation, withProject, type ProjectFlags } from './project.js';

export interface DebateSessionFlags extends ProjectFlags {
  k: string;
  judge: string;
  debater?: string;
  rollouts?: string;
  /** The run id (default debate-k<k>-<time>). */
  run?: string;
  /** Server address for the printed links. */
  url?: string;
  /** People to add now (each gets a token and links). */
  person?: string[];
}

/** The session's settings from the flags (schema-checked; the judge path made absolute, so `serve` finds it from anywhere). */
export function debateSessionOptions(flags: DebateSessionFlags): DebateSession {
  const raw = { k: numberFlag('--k', flags.k), judge: resolve(flags.judge), debater: flags.debater, rollouts: numberFlag('--rollouts', flags.rollouts), precommit: true };
  return parseFlagOptions(DebateSessionSchema, raw, { k: '--k', judge: '--judge', debater: '--debater', rollouts: '--rollouts' }, 'debate session');
}

export async function debateSessionCommand(flags: DebateSessionFlags, io: CliIO): Promise<number> {
  const session = debateSessionOptions(flags);
  // Refuses a file that is not a judge, or one trained for another k.
  const { name } = await loadJudgeCheckpoint(session.judge, session.k);
  const runId = flags.run ?? `debate-k${session.k}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
  const base = (flags.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  return withProject(projectLocation(flags), false, (project) => {
    if (project.getRun(runId)) throw new UsageError(`--run ${runId}: the project has a run of that id already`);
    project.createRun({
      id: runId,
      envId: DEBATE_ENV_ID,
      instructions: `Debate on MNIST (Irving et al. 2018): ${session.k} pixels, ${session.debater === 'mcts' ? `MCTS debaters (${session.rollouts} rollouts a move)` : 'greedy debaters'}, precommit`,
      labelBudget: null,
      config: { debate: session },
    });
    const page = `${base}/debate.html?run=${encodeURIComponent(runId)}`;
    io.stdout(`debate session ${runId}: k = ${session.k}, ${session.debater} debaters${session.debater === 'mcts' ? ` (${session.rollouts} rollouts a move)` : ''}, judge ${name}\n`);
    for (const person of flags.person ?? []) {
      const { token } = project.addAnnotator(person);
      io.stdout(`${person}: judge debates ${page}&mode=judge&token=${token}\n${' '.repeat(person.length)}  debate the machine ${page}&mode=debater&token=${token}\n`);
    }
    const named = flags.db !== undefined ? '--db URL' : `--project ${flags.project}`;
    io.stdout(
      `people open ${page}&mode=judge&token=THEIR_TOKEN (judge debates) or ${page}&mode=debater&token=THEIR_TOKEN (debate the machine);\n` +
        `a person's token: overseer annotators add NAME ${named}. Serve it with overseer serve ${named}; the games go into overseer export.\n`,
    );
    return 0;
  });
}
