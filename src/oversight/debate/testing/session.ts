/** A debate session for the route and page tests: a project with a MNIST-debate run, people, and a server with the debate routes. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Mnist } from '../../../data/mnist.js';
import { buildServer } from '../../../server/app.js';
import { openProject } from '../../../store/sqlite.js';
import { concurrentCalls, type ConcurrentCalls, type ProjectStore } from '../../../store/store.js';
import { Rng } from '../../../utils/rng.js';
import { MNIST_CLASSES, MNIST_PIXELS, type Judge } from '../judge.js';
import { registerDebateRoutes, type DebateRoutesOptions } from '../server.js';
import { DEBATE_ENV_ID, type DebateSession } from '../session.js';
import { LinearJudge } from '../sparseJudges.js';

/**
 * A cheap judge that is better than chance: each revealed pixel votes for the digits whose mean
 * image (over `mnist`) is inkier there than the mean of all digits. No training.
 */
export function templateJudge(mnist: Mnist, scale = 6): LinearJudge {
  const sums = new Float64Array(MNIST_CLASSES * MNIST_PIXELS);
  const counts = new Float64Array(MNIST_CLASSES);
  const all = new Float64Array(MNIST_PIXELS);
  for (let i = 0; i < mnist.count; i++) {
    const c = mnist.labels[i];
    counts[c]++;
    for (let p = 0; p < MNIST_PIXELS; p++) {
      const v = mnist.images[i * MNIST_PIXELS + p] / 255;
      sums[c * MNIST_PIXELS + p] += v;
      all[p] += v;
    }
  }
  const valueW = new Float32Array(MNIST_PIXELS * MNIST_CLASSES);
  for (let p = 0; p < MNIST_PIXELS; p++) {
    for (let c = 0; c < MNIST_CLASSES; c++) valueW[p * MNIST_CLASSES + c] = scale * (sums[c * MNIST_PIXELS + p] / counts[c] - all[p] / mnist.count);
  }
  return new LinearJudge(new Float32Array(MNIST_PIXELS * MNIST_CLASSES), valueW);
}

export interface DebateServer {
  dir: string;
  project: ProjectStore;
  app: FastifyInstance;
  admin: string;
  ada: string;
  bob: string;
}

/** What else a test may set on the debate routes of `debateServer`. */
export interface DebateServerOptions {
  /** The MNIST test set games are dealt from (default: the real one). */
  mnist?: () => Mnist;
  /** The checkpoint loader (default: `judge` whatever the path). */
  loadJudge?: DebateRoutesOptions['loadJudge'];
  /** The store as the debate routes see it (default: the project itself), e.g. a `gatedStore`. */
  store?: (project: ProjectStore) => ProjectStore;
}

/**
 * A project with debate session `d1` (settings as `session` says over k = 4, greedy) and a server
 * with the debate routes (`staticDir`: the built UI, or none), not yet listening. Closing is the caller's.
 */
export function debateServer(judge: Judge, session: Partial<DebateSession> = {}, staticDir: string | null = null, seed = 1, opts: DebateServerOptions = {}): DebateServer {
  const dir = mkdtempSync(join(tmpdir(), 'overseer-debate-'));
  const project = openProject(dir);
  project.createRun({ id: 'd1', envId: DEBATE_ENV_ID, instructions: 'Judge debates about MNIST digits', labelBudget: null, config: { debate: { k: 4, judge: 'test-judge.json', debater: 'greedy', rollouts: 32, precommit: true, ...session } } });
  const admin = project.addAnnotator('admin', 'admin').token;
  const ada = project.addAnnotator('ada').token;
  const bob = project.addAnnotator('bob').token;
  const app = buildServer({ project, staticDir });
  registerDebateRoutes(app, { project: opts.store ? opts.store(project) : project, loadJudge: opts.loadJudge ?? (() => judge), rng: new Rng(seed), mnist: opts.mnist });
  return { dir, project, app, admin, ada, bob };
}

/** The first `count` images of `mnist`, as a test set of their own (a few images make "not dealt twice" certain to matter). */
export function mnistSubset(mnist: Mnist, count: number): Mnist {
  const size = mnist.rows * mnist.cols;
  return { ...mnist, count, images: mnist.images.slice(0, count * size), labels: mnist.labels.slice(0, count) };
}

/** A gate for calls, open at first: while closed, calls wait at it; opening lets them all through at once. */
export interface Gate {
  /** Calls that have reached the gate so far (waiting or let through). */
  readonly arrived: number;
  close(): void;
  open(): void;
}

/**
 * `project` as an asynchronous store (as PostgreSQL is) whose concurrent calls named in `gated`
 * each pass a gate of their own that the test closes and opens: requests interleave where a
 * real database would let them.
 */
export function gatedStore<K extends keyof ConcurrentCalls>(project: ProjectStore, gated: readonly K[]): { store: ProjectStore; gates: Record<K, Gate> } {
  const real = concurrentCalls(project);
  const calls = { ...real } as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const gates = {} as Record<K, Gate>;
  for (const name of gated) {
    let closed: { wait: Promise<void>; open: () => void } | null = null;
    let arrived = 0;
    gates[name] = {
      get arrived() {
        return arrived;
      },
      close() {
        if (closed) return;
        let open!: () => void;
        const wait = new Promise<void>((r) => (open = r));
        closed = { wait, open };
      },
      open() {
        closed?.open();
        closed = null;
      },
    };
    calls[name] = async (...args: unknown[]) => {
      arrived++;
      if (closed) await closed.wait;
      return (real[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  const store = new Proxy(project, {
    get(target, key) {
      if (key === 'concurrent') return calls;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store, gates };
}
