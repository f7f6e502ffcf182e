/**
 * One side of the two-process test of a shared project (busy.test.ts): `writer` stores segments
 * and queries as the loop does, `server` assigns pairs, moves the run's progress and adds
 * annotators as the labeling server and `annotators add` do. Runs for the given seconds and
 * prints one JSON line: operations done, and errors by message.
 */
import { openProject } from '../sqlite.js';

const [dir, role, seconds] = process.argv.slice(2);
const project = openProject(dir);
const errors: Record<string, number> = {};
let ops = 0;
const annotator = role === 'server' ? project.addAnnotator(`server-${process.pid}`).annotator : null;
// Timed from here: adding the annotator may wait for the other side's write lock, and on a busy
// machine that wait once used up the whole window, leaving the server with no operation done.
const until = Date.now() + Number(seconds) * 1000;
let k = 0;
while (Date.now() < until) {
  try {
    if (role === 'writer') {
      const id = `seg-${process.pid}-${k}`;
      const segment = { id, envId: 'Pendulum-v1', seed: 1, envIndex: 0, globalStep: k, length: 2, obsSize: 1, actionSize: 1, renderSize: 0, render: null, terminated: false, obs: Float32Array.of(k, k), actions: Float32Array.of(0, 1) };
      project.putSegments('run', [{ segment }]);
      project.putQueries('run', [{ id: `q-${process.pid}-${k}`, leftId: 'seg-0', rightId: id, askedAtStep: k }]);
    } else {
      project.assignQueries('run', annotator!.id, 3);
      project.setEnvSteps('run', k);
      if (k % 20 === 0) project.addAnnotator(`extra-${process.pid}-${k}`);
    }
    ops += 1;
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    errors[m] = (errors[m] ?? 0) + 1;
  }
  k += 1;
}
project.close();
process.stdout.write(`${JSON.stringify({ ops, errors })}\n`);
