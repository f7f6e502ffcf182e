/**
 * A scripted annotator's side of the labeling server's HTTP API, as the labeling page uses it:
 * GET /api/runs/:run/scene once, GET /api/runs/:run/next for pairs, POST /api/runs/:run/labels
 * for each answer, an annotator's token as `Authorization: Bearer`. What it answers is the
 * caller's `judge`, which sees only what the page is sent (the scene and the pair's clips).
 *
 * It loads nothing but the API's types, so a demo's annotator built on it reads nothing a
 * browser could not (the demos' annotator tests check their import closures).
 */
import type { AnswerJson, QueryJson, RunStatusJson } from '../../server/api.js';

export interface LabelingClientOptions {
  /** The labeling server, e.g. http://127.0.0.1:8080 (as in the link `overseer prefs` prints). */
  url: string;
  /** An annotator's (or the admin's) token, the link's ?token=. */
  token: string;
  runId: string;
  /** Stop after this many answers (default: until the run finishes). */
  maxLabels?: number;
  /** How long to wait before asking again when no pair is open (ms). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Told of progress now and then. */
  log?: (line: string) => void;
}

export interface AnnotatorResult {
  labels: number;
  answers: Record<AnswerJson, number>;
  /** The run said it finished (rather than the annotator stopping at maxLabels or being aborted). */
  finished: boolean;
  /** The server stopped answering (it closes when its run ends). */
  serverGone: boolean;
  seconds: number;
}

/** Float32 render states from base64, as the page decodes them. */
export function decodeRender(b64: string): Float32Array {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Labels the run's pairs with `judge` until the run finishes (or `maxLabels`, or the signal). `Scene` is the scene response as the caller reads it. */
export async function labelOverHttp<Scene>(opts: LabelingClientOptions & { judge: (pair: QueryJson, scene: Scene) => AnswerJson }): Promise<AnnotatorResult> {
  const started = performance.now();
  const run = encodeURIComponent(opts.runId);
  const pollMs = opts.pollMs ?? 250;
  const answers: Record<AnswerJson, number> = { left: 0, right: 0, equal: 0, incomparable: 0 };
  let labels = 0;
  const done = (finished: boolean, serverGone = false): AnnotatorResult => ({ labels, answers, finished, serverGone, seconds: (performance.now() - started) / 1000 });
  const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${opts.url}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` }, signal: opts.signal });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      throw new HttpError(res.status, body.error ?? `${res.status} ${res.statusText}`);
    }
    return (await res.json()) as T;
  };
  let scene: Scene | null = null;
  let failures = 0;
  // The run may finish (and its server close) before the first request: a tiny run does.
  while (scene === null) {
    try {
      scene = await api<Scene>(`/api/runs/${run}/scene`);
    } catch (e) {
      if (opts.signal?.aborted) return done(false);
      if (!serverUnreachable(e)) throw e;
      if (++failures >= 5) return done(false, true);
      await sleep(pollMs * failures);
    }
  }
  failures = 0;
  while (!opts.signal?.aborted) {
    if (opts.maxLabels !== undefined && labels >= opts.maxLabels) return done(false);
    let batch: { status: RunStatusJson; queries: QueryJson[] };
    try {
      batch = await api(`/api/runs/${run}/next?n=3`);
      failures = 0;
    } catch (e) {
      if (opts.signal?.aborted) break;
      // Connection refused or reset: the server has closed (the run ended) or is restarting.
      if (!serverUnreachable(e)) throw e;
      if (++failures >= 5) return done(false, true);
      await sleep(pollMs * failures);
      continue;
    }
    if (batch.status.state === 'finished') return done(true);
    if (batch.queries.length === 0) {
      await sleep(pollMs);
      continue;
    }
    for (const pair of batch.queries) {
      if (opts.maxLabels !== undefined && labels >= opts.maxLabels) break;
      const shown = performance.now();
      const answer = opts.judge(pair, scene);
      try {
        await api(`/api/runs/${run}/labels`, {
          method: 'POST',
          body: JSON.stringify({ queryId: pair.id, answer, seconds: (performance.now() - shown) / 1000, clientId: crypto.randomUUID() }),
        });
      } catch (e) {
        // 409: the run finished, or the pair was answered meanwhile. No answer at all: the server
        // closed as the run ended, or is restarting. Either way the next fetch says which.
        if (serverUnreachable(e) || (e instanceof HttpError && e.status === 409) || opts.signal?.aborted) break;
        throw e;
      }
      labels += 1;
      answers[answer] += 1;
      if (labels % 100 === 0) opts.log?.(`annotator: ${labels} labels (left ${answers.left}, right ${answers.right}, equal ${answers.equal}, can't tell ${answers.incomparable})`);
    }
  }
  return done(false);
}

/**
 * Whether a failed request found no server to answer it (refused, reset or closed mid-way), as
 * when the run has ended, rather than an answer it could not use (an HTTP error, a body that is
 * not JSON, a malformed URL), which is a real error.
 */
function serverUnreachable(e: unknown): boolean {
  if (!(e instanceof TypeError)) return false;
  const code = (e.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
