/**
 * The labeling server: a JSON API over the project database, and the built UI as static
 * files. Every request needs a token (an annotator's, or the admin's for everything an
 * annotator may do plus the admin pages): `Authorization: Bearer <token>`, or the
 * `overseer_token` cookie that opening a link with `?token=` sets. Input is checked against
 * JSON schemas; anything malformed gets a 4xx with a message, and a label is committed
 * before the response that acknowledges it is sent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { RenderSpec } from '../envs/render.js';
import type { Segment } from '../prefs/segments.js';
import { ANSWERS } from '../prefs/teachers.js';
import { exportLines } from '../store/exchange.js';
import { encodeFloats } from '../utils/floats.js';
import { CRITIQUE_RESPONSES, concurrentCalls, ForbiddenError, type ConcurrentCalls, InvalidInputError, MAX_GUIDELINES, NotFoundError, type Arm, type CritiqueResponse, type LabelAssistance, type ShownCritique, StoreConflictError, StoreError, type Annotator, type AssignedQuery, type GoldPair, type ProjectStore, type RunRecord } from '../store/store.js';
import { ATTENTION_REPORT, type CritiqueJson, type GoldPairJson, type LabelResultJson, type RevealJson, type OverviewJson, type PairSummaryJson, type QueryJson, type RunStatusJson, type SegmentJson, type UndoResultJson } from './api.js';

export const TOKEN_COOKIE = 'overseer_token';

export interface ServerOptions {
  project: ProjectStore;
  /** The built UI (index.html and assets); null serves the API only. */
  staticDir?: string | null;
  /** Fastify's request log (off in tests). */
  logger?: boolean;
  /**
   * Where server errors (every 5xx) are written, one entry each with the request id that the
   * error's JSON body names too. Default: stderr.
   */
  errorLog?: (entry: string) => void;
  /**
   * The limited view a run's clips are shown in, if any (injected by the CLI, which knows the
   * views; the server only applies one): people are sent what it sees, pairs and undone pairs
   * alike. The admin's pair preview and latest segment stay full.
   */
  labelingView?: (run: RunRecord) => LabelingView | null;
  /**
   * Keep each clip as sent (masked by the run's view, encoded) for the next person who is sent it:
   * a stored segment never changes. Default on; the benchmark turns it off to measure it.
   */
  clipCache?: boolean;
}

/** Clips kept encoded, at most (a Hopper clip is about 11 kB of JSON). */
const CLIP_CACHE_SIZE = 4000;

/** What the server needs of a limited view (oversight's ClipView has it). */
export interface LabelingView {
  readonly name: string;
  /** One line: what the view cannot see. */
  readonly hides: string;
  /** A copy of the segment with everything the view cannot see replaced by NaN. */
  visible(segment: Segment, spec: RenderSpec): Segment;
  /** The run's trial of assistance: the assistant whose critiques the assisted arm is shown, if the run has one. */
  readonly assistant?: LabelingAssistant | null;
}

/** What the server needs of an assistant whose critiques people are shown (oversight's assistants have it, through the CLI). */
export interface LabelingAssistant {
  readonly name: string;
  /** The most pieces of evidence a critique holds. */
  readonly reveals: number;
  /** Does now what the first critique would otherwise do first (train a model); the server calls it at start. */
  prepare?(): void;
  /**
   * Its critique of a pair of full recordings, the same every time for the same pair: the reason,
   * the places revealed with the recorded numbers there, and both clips as the view sees them with
   * that evidence copied in (recorded data only).
   */
  critique(pair: { id: string; left: Segment; right: Segment }, spec: RenderSpec): ServedCritique;
}

export interface ServedCritique {
  reason: string;
  reveals: RevealJson[];
  left: Segment;
  right: Segment;
}

/**
 * The arm of a pair for one person in a run's trial of assistance: a fair coin per (run, pair,
 * person), drawn by hashing them, so the same person sees the same pair in the same arm however
 * often it is fetched (prefetch, undo, a restarted server), and a gold pair is assisted for some
 * people and not others. The arm is stored with the label.
 */
export function armOf(runId: string, queryId: string, annotatorId: number): Arm {
  const h = createHash('sha256').update(`overseer-arm\0${runId}\0${queryId}\0${annotatorId}`).digest();
  return (h[0] & 1) === 0 ? 'assisted' : 'unassisted';
}

/**
 * What the built pages may load: their own scripts, styles and the API (same origin), drawing on
 * canvases; no inline scripts or styles, no plugins, no framing (the pages hold a token).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every response, refusals and errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

declare module 'fastify' {
  interface FastifyRequest {
    annotator: Annotator;
  }
}

const RUN_ID = { type: 'string', minLength: 1, maxLength: 200 } as const;

const labelBody = {
  type: 'object',
  additionalProperties: false,
  required: ['queryId', 'answer', 'clientId'],
  properties: {
    queryId: { type: 'string', minLength: 1, maxLength: 200 },
    answer: { type: 'string', enum: [...ANSWERS] },
    seconds: { type: ['number', 'null'], minimum: 0, maximum: 86_400 },
    clientId: { type: 'string', minLength: 1, maxLength: 100 },
    // What the person did with the pair's critique (assisted arm only).
    critique: { enum: [...CRITIQUE_RESPONSES, null] },
  },
} as const;

const undoBody = { type: 'object', additionalProperties: false, required: ['clientId'], properties: { clientId: { type: 'string', minLength: 1, maxLength: 100 } } } as const;
// The store's checkGuidelines is the limit (UTF-16 units, as the page's text box counts); ajv counts code points, never more, so this bound never refuses what the store allows.
const guidelinesBody = { type: 'object', additionalProperties: false, required: ['guidelines'], properties: { guidelines: { type: 'string', maxLength: MAX_GUIDELINES } } } as const;
const goldBody = {
  type: 'object',
  additionalProperties: false,
  required: ['queryId', 'answer'],
  properties: { queryId: { type: 'string', minLength: 1, maxLength: 200 }, answer: { type: 'string', enum: [...ANSWERS] } },
} as const;

export function buildServer(opts: ServerOptions): FastifyInstance {
  const { project } = opts;
  const app = Fastify({
    logger: opts.logger ?? false,
    // Labels and queries are small; anything bigger is a mistake or an attack.
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Unguessable across restarts, so a request id quoted by a user finds one entry in the log.
    genReqId: () => randomBytes(8).toString('hex'),
    // Requests Fastify refuses before routing (a malformed URL, a bad content type) get the headers too.
    frameworkErrors: (err, _req, reply) => {
      const status: number = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
      void (reply as FastifyReply).headers(SECURITY_HEADERS).code(status).send({ error: err.message });
    },
  });
  const views = runViews(opts.labelingView);
  // Every request's calls, as promises: a store on a network database answers them side by side.
  const hot = concurrentCalls(project);
  const runStatus = (runId: string, who: Annotator) => runStatusOf(hot, runId, who, views);
  /** Critiques shown lately, by run and pair: what a label given in the assisted arm records (recomputed if not here; it is the same). */
  const shownCritiques = new Map<string, ShownCritique>();
  const rememberCritique = (runId: string, queryId: string, c: ShownCritique) => {
    const key = `${runId}\0${queryId}`;
    shownCritiques.delete(key);
    shownCritiques.set(key, c);
    // Oldest first out: a bounded memory, never a wrong answer (a miss recomputes).
    if (shownCritiques.size > 5000) shownCritiques.delete(shownCritiques.keys().next().value!);
  };
  const specOf = async (run: RunRecord, view: LabelingView) => {
    const spec = run.renderSpec ?? (await envRenderSpec(run));
    if (!spec) throw new Error(`run ${run.id} shows its clips in the ${view.name} view but has no render spec`);
    return spec;
  };
  const clips = opts.clipCache === false ? null : new Map<string, SegmentJson>();
  /** A clip as sent in a view ('' for the full clip), encoded once and kept (oldest out first). */
  const clipOf = (runId: string, viewName: string, segment: Segment, seen: () => Segment): SegmentJson => {
    if (!clips) return toSegmentJson(seen());
    const key = `${runId}\0${viewName}\0${segment.id}`;
    let json = clips.get(key);
    if (!json) {
      json = toSegmentJson(seen());
      clips.set(key, json);
      if (clips.size > CLIP_CACHE_SIZE) clips.delete(clips.keys().next().value!);
    }
    return json;
  };
  /**
   * A pair as this person is sent it: through the run's labeling view, if it has one, and in the
   * assisted arm of its trial of assistance with the assistant's critique and its evidence.
   */
  const seenPair = async (runId: string, q: AssignedQuery, who: Annotator): Promise<QueryJson> => {
    const run = await hot.getRun(runId);
    const view = run ? views(run) : null;
    if (!run || !view) return pairJson(q, clipOf(runId, '', q.left, () => q.left), clipOf(runId, '', q.right, () => q.right));
    const spec = await specOf(run, view);
    const assistant = view.assistant ?? null;
    if (assistant && armOf(runId, q.query.id, who.id) === 'assisted') {
      const c = assistant.critique({ id: q.query.id, left: q.left, right: q.right }, spec);
      const critique: CritiqueJson = { assistant: assistant.name, reason: c.reason, reveals: c.reveals };
      rememberCritique(runId, q.query.id, shownOf(critique));
      return { ...toQueryJson({ ...q, left: c.left, right: c.right }), critique };
    }
    return pairJson(q, clipOf(runId, view.name, q.left, () => view.visible(q.left, spec)), clipOf(runId, view.name, q.right, () => view.visible(q.right, spec)));
  };
  /** How a label is given in the run's trial of assistance (undefined: the run has none): the arm, the critique shown, the person's response. */
  const assistanceOf = async (runId: string, queryId: string, who: Annotator, response: CritiqueResponse | null | undefined): Promise<LabelAssistance | undefined> => {
    const run = await hot.getRun(runId);
    if (!run) throw new NotFoundError(`no run ${JSON.stringify(runId)}`);
    const view = views(run);
    const assistant = view?.assistant ?? null;
    if (!view || !assistant) {
      if (response) throw new InvalidInputError(`critique: run ${runId} shows no critiques (it has no labeling assistant); leave it out`);
      return undefined;
    }
    const arm = armOf(runId, queryId, who.id);
    if (arm === 'unassisted') {
      if (response) throw new InvalidInputError(`critique: pair ${queryId} was shown without a critique (the unassisted arm); leave it out or send null`);
      return { arm, critique: null, response: null };
    }
    let critique = shownCritiques.get(`${runId}\0${queryId}`);
    if (!critique) {
      const q = await hot.loadPair(runId, queryId);
      const c = assistant.critique({ id: queryId, left: q.left, right: q.right }, await specOf(run, view));
      critique = shownOf({ assistant: assistant.name, reason: c.reason, reveals: c.reveals });
      rememberCritique(runId, queryId, critique);
    }
    return { arm, critique, response: response ?? null };
  };
  const errorLog = opts.errorLog ?? ((entry: string) => void process.stderr.write(`${entry}\n`));
  // An assistant that must be trained (rrm) is trained now, before the server takes requests,
  // rather than inside the first one (which would hold up everyone's). A run made later is
  // prepared when it is first shown.
  for (const run of project.listRuns()) {
    if (run.finishedAt !== null) continue;
    try {
      views(run)?.assistant?.prepare?.();
    } catch (e) {
      errorLog(`${new Date().toISOString()} run ${run.id}: its labeling assistant could not be prepared: ${(e as Error).message}`);
    }
  }
  /** Requests whose 5xx has been logged with its error, so the response hook does not log them again. */
  const logged = new WeakSet<FastifyRequest>();

  app.decorateRequest('annotator', null as unknown as Annotator);

  // Security headers first, so that every response carries them (401s and errors included).
  app.addHook('onRequest', async (req, reply) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('x-request-id', req.id);
  });

  // Any 5xx not logged by the error handler (e.g. sent by a route itself) is logged here.
  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode >= 500 && !logged.has(req)) errorLog(`${new Date().toISOString()} request ${req.id}: ${req.method} ${req.url.split('?')[0]} answered ${reply.statusCode}`);
  });

  // Authentication before anything else, static files included.
  app.addHook('onRequest', async (req, reply) => {
    const fromQuery = queryToken(req.url);
    const token = bearer(req.headers.authorization) ?? fromQuery ?? cookie(req.headers.cookie, TOKEN_COOKIE);
    const who = token ? await hot.annotatorByToken(token) : null;
    if (!who) {
      // A person who opened a link (a browser asking for a page) gets a page that says what to do; API calls get JSON.
      if (wantsPage(req)) {
        return reply.code(401).header('content-security-policy', DENIED_PAGE_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(deniedPage(token !== null));
      }
      return reply.code(401).send({ error: token ? 'this token is not valid' : 'a token is required: open the link with ?token=... or send Authorization: Bearer <token>' });
    }
    req.annotator = who;
    // Admin routes refuse anyone else before looking at their input: judged by the route matched
    // (the router decodes the path, so /api/%61dmin/... is an admin route too) or by the path
    // (one that matches no admin route, e.g. the pages' catch-all).
    if (who.role !== 'admin' && (isAdminPath(req.routeOptions.url ?? '') || isAdminPath(req.url))) return reply.code(403).send({ error: 'this needs the admin token' });
    if (fromQuery) reply.header('set-cookie', `${TOKEN_COOKIE}=${fromQuery}; HttpOnly; SameSite=Strict; Path=/`);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof StoreError) return reply.code(statusOf(err)).send({ error: err.message });
    if (err.validation) return reply.code(400).send({ error: validationMessage(err) });
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: err.message });
    req.log.error(err);
    logged.add(req);
    errorLog(`${new Date().toISOString()} request ${req.id}: ${req.method} ${req.url.split('?')[0]} failed: ${err.stack ?? err.message}`);
    const code = status >= 500 && status < 600 ? status : 500;
    return reply.code(code).send({ error: `internal error; the server log has the details (request ${req.id})`, requestId: req.id });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));

  app.get('/api/me', async (req) => ({ name: req.annotator.name, role: req.annotator.role }));

  app.get('/api/runs', async (req) => ({ runs: await Promise.all(project.listRuns().map((r) => runStatus(r.id, req.annotator))) }));

  app.get<{ Params: { runId: string } }>('/api/runs/:runId', { schema: { params: { type: 'object', properties: { runId: RUN_ID } } } }, async (req) =>
    runStatus(req.params.runId, req.annotator),
  );

  // How to draw a run's segments: the render spec stored with the run (geoms for MuJoCo, the scene for classic control).
  app.get<{ Params: { runId: string } }>('/api/runs/:runId/scene', { schema: { params: { type: 'object', properties: { runId: RUN_ID } } } }, async (req) => {
    const run = project.getRun(req.params.runId);
    if (!run) throw new NotFoundError(`no run ${JSON.stringify(req.params.runId)}`);
    return { envId: run.envId, spec: run.renderSpec ?? (await envRenderSpec(run)) };
  });

  app.get<{ Params: { runId: string }; Querystring: { n?: string } }>(
    '/api/runs/:runId/next',
    {
      schema: {
        params: { type: 'object', properties: { runId: RUN_ID } },
        querystring: { type: 'object', additionalProperties: false, properties: { n: { type: 'string', pattern: '^[1-5]$' }, token: { type: 'string' } } },
      },
    },
    async (req) => {
      // Type coercion is off (a body must be typed right), so the count arrives as text.
      const n = req.query.n === undefined ? 2 : Number(req.query.n);
      const queries = await Promise.all((await hot.assignQueries(req.params.runId, req.annotator.id, n)).map((q) => seenPair(req.params.runId, q, req.annotator)));
      return { status: await runStatus(req.params.runId, req.annotator), queries };
    },
  );

  app.post<{ Params: { runId: string }; Body: { queryId: string; answer: (typeof ANSWERS)[number]; seconds?: number | null; clientId: string; critique?: CritiqueResponse | null } }>(
    '/api/runs/:runId/labels',
    { schema: { params: { type: 'object', properties: { runId: RUN_ID } }, body: labelBody } },
    async (req): Promise<LabelResultJson> => {
      const { queryId, answer, seconds, clientId, critique } = req.body;
      const assistance = await assistanceOf(req.params.runId, queryId, req.annotator, critique);
      const { label, duplicate } = await hot.submitLabel({ runId: req.params.runId, queryId, annotatorId: req.annotator.id, answer, seconds: seconds ?? null, clientId, ...(assistance ? { assistance } : {}) });
      return { seq: label.seq, queryId: label.queryId, answer: label.answer, duplicate, status: await runStatus(req.params.runId, req.annotator) };
    },
  );

  // Undo: the answer is withdrawn (kept aside) and its pair comes back, while the run has not trained on it yet.
  app.post<{ Params: { runId: string }; Body: { clientId: string } }>(
    '/api/runs/:runId/labels/undo',
    { schema: { params: { type: 'object', properties: { runId: RUN_ID } }, body: undoBody } },
    async (req): Promise<UndoResultJson> => {
      const back = await hot.withdrawLabel(req.params.runId, req.annotator.id, req.body.clientId);
      return { query: await seenPair(req.params.runId, back, req.annotator), status: await runStatus(req.params.runId, req.annotator) };
    },
  );

  // ---- the dashboard (admin): curves, the latest segment, agreement, export ----
  const runParams = { type: 'object', properties: { runId: RUN_ID } } as const;
  app.get<{ Params: { runId: string }; Querystring: { after?: string } }>(
    '/api/admin/runs/:runId/metrics',
    { schema: { params: runParams, querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'string', pattern: '^\\d{1,15}$' }, token: { type: 'string' } } } } },
    async (req, reply) => {
      await runStatus(req.params.runId, req.annotator);
      return { metrics: project.metricsSince(req.params.runId, Number(req.query.after ?? 0)) };
    },
  );
  app.get<{ Params: { runId: string } }>('/api/admin/runs/:runId/overview', { schema: { params: runParams } }, async (req, reply) => {
    const status = await runStatus(req.params.runId, req.annotator);
    const latest = project.latestSegment(req.params.runId);
    const overview: OverviewJson = { status, agreement: project.agreement(req.params.runId), latestSegment: latest ? toSegmentJson(latest) : null };
    return overview;
  });
  // What the run's reward model pays attention to: the report `overseer interp` stores with the run, sent as stored.
  app.get<{ Params: { runId: string } }>('/api/admin/runs/:runId/attention', { schema: { params: runParams } }, async (req, reply) => {
    await runStatus(req.params.runId, req.annotator);
    const report = project.getRunReport(req.params.runId, ATTENTION_REPORT);
    if (!report) return reply.code(404).send({ error: `run ${req.params.runId} has no attention report yet: make one with overseer interp RUN_DIR (the run's directory)` });
    return reply.header('cache-control', 'no-store').send(report.body);
  });
  // Guidelines may be 10,000 characters of any script (up to 4 bytes each in UTF-8, escaped in JSON).
  app.put<{ Params: { runId: string }; Body: { guidelines: string } }>('/api/admin/runs/:runId/guidelines', { bodyLimit: 128 * 1024, schema: { params: runParams, body: guidelinesBody } }, async (req, reply) => {
    project.setGuidelines(req.params.runId, req.body.guidelines);
    return { status: await runStatus(req.params.runId, req.annotator) };
  });
  // Gold pairs: the admin picks one of the run's pairs (listed newest first, then loaded with its clips) and sets its answer.
  app.get<{ Params: { runId: string }; Querystring: { limit?: string } }>(
    '/api/admin/runs/:runId/pairs',
    { schema: { params: runParams, querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[1-9]\\d{0,2}$' }, token: { type: 'string' } } } } },
    async (req, reply) => {
      const pairs: PairSummaryJson[] = project.recentPairs(req.params.runId, Number(req.query.limit ?? 20));
      return { pairs };
    },
  );
  app.get<{ Params: { runId: string; queryId: string } }>(
    '/api/admin/runs/:runId/pairs/:queryId',
    { schema: { params: { type: 'object', properties: { runId: RUN_ID, queryId: RUN_ID } } } },
    async (req, reply) => {
      const { runId, queryId } = req.params;
      const q = project.loadPair(runId, queryId);
      return toQueryJson(q);
    },
  );
  app.get<{ Params: { runId: string } }>('/api/admin/runs/:runId/gold', { schema: { params: runParams, querystring: { type: 'object', additionalProperties: false, properties: { token: { type: 'string' } } } } }, async (req, reply) => {
    return { gold: project.goldPairs(req.params.runId).map(toGoldJson) };
  });
  app.post<{ Params: { runId: string }; Body: { queryId: string; answer: (typeof ANSWERS)[number] } }>(
    '/api/admin/runs/:runId/gold',
    { schema: { params: runParams, body: goldBody } },
    async (req, reply) => {
      return { gold: toGoldJson(project.setGoldPair(req.params.runId, req.body.queryId, req.body.answer)) };
    },
  );
  app.get<{ Querystring: { run?: string } }>(
    '/api/admin/export',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { run: RUN_ID, token: { type: 'string' } } } } },
    async (req, reply) => {
      const lines = [...exportLines(project, req.query.run ? [req.query.run] : undefined)];
      const name = `labels-${(req.query.run ?? 'all').replace(/[^\w.-]/g, '_')}.jsonl`;
      return reply.header('content-disposition', `attachment; filename="${name}"`).type('application/x-ndjson').send(`${lines.join('\n')}\n`);
    },
  );

  app.get('/api/admin/annotators', async (req, reply) => {
    return { annotators: project.listAnnotators().map((a) => ({ name: a.name, role: a.role, createdAt: a.createdAt, expiresAt: a.expiresAt, revokedAt: a.revokedAt })) };
  });

  if (opts.staticDir) serveStatic(app, opts.staticDir);
  return app;
}

/** The HTTP status of each kind of store refusal, in one place. */
function statusOf(err: StoreError): 400 | 403 | 404 | 409 {
  if (err instanceof NotFoundError) return 404;
  if (err instanceof StoreConflictError) return 409;
  if (err instanceof ForbiddenError) return 403;
  return 400;
}

const envSpecs = new Map<string, Promise<RenderSpec | null>>();

/**
 * The render spec of a run that has none stored (made before runs kept theirs): built from its
 * env id, with the env registry (and MuJoCo) loaded only now, for such runs. An env that is not
 * registered has no spec; the page says it cannot replay the segments.
 */
function envRenderSpec(run: RunRecord): Promise<RenderSpec | null> {
  const kwargs = (run.config as { prefs?: { envKwargs?: Record<string, unknown> } }).prefs?.envKwargs ?? {};
  const key = `${run.envId} ${JSON.stringify(kwargs)}`;
  let spec = envSpecs.get(key);
  if (!spec) {
    spec = (async () => {
      await import('../envs/builtins.js');
      const { make, registeredIds } = await import('../envs/registry.js');
      if (!registeredIds().includes(run.envId)) return null;
      const env = make(run.envId, { kwargs });
      try {
        return env.renderSpec();
      } finally {
        env.close();
      }
    })();
    // A failure is not remembered: the next request tries again.
    spec.catch(() => envSpecs.delete(key));
    envSpecs.set(key, spec);
  }
  return spec;
}

/** Each run's labeling view, looked up once (a run's settings do not change while it runs). */
function runViews(lookup: ServerOptions['labelingView']): (run: RunRecord) => LabelingView | null {
  const known = new Map<string, LabelingView | null>();
  return (run) => {
    if (!lookup) return null;
    if (!known.has(run.id)) known.set(run.id, lookup(run));
    return known.get(run.id)!;
  };
}

async function runStatusOf(project: ConcurrentCalls, runId: string, who: Annotator, views: (run: RunRecord) => LabelingView | null): Promise<RunStatusJson> {
  const run = await project.getRun(runId);
  if (!run) throw new NotFoundError(`no run ${JSON.stringify(runId)}`);
  const [{ labels, mine }, queueDepth] = await Promise.all([project.peopleLabelCounts(runId, who.id), project.openQueryCount(runId)]);
  const view = views(run);
  const waiting = run.finishedAt === null && run.waitingForLabels !== null && run.waitingForLabels > 0;
  return {
    id: run.id,
    envId: run.envId,
    instructions: run.instructions,
    guidelines: run.guidelines,
    labelBudget: run.labelBudget,
    envSteps: run.envSteps,
    finishedAt: run.finishedAt,
    state: run.finishedAt !== null ? 'finished' : waiting ? 'waiting' : 'running',
    phase: run.phase,
    waitingForLabels: waiting ? run.waitingForLabels : null,
    labels,
    mine,
    queueDepth,
    view: view ? { name: view.name, hides: view.hides } : null,
    assistant: view?.assistant ? { name: view.assistant.name, reveals: view.assistant.reveals } : null,
  };
}

const toSegmentJson = (s: Segment): SegmentJson => ({ id: s.id, envId: s.envId, length: s.length, renderSize: s.renderSize, render: s.render ? encodeFloats(s.render) : null, terminated: s.terminated });
/** A pair with its clips as sent (each encoded once, by whoever holds it). */
const pairJson = (q: AssignedQuery, left: SegmentJson, right: SegmentJson): QueryJson => ({ id: q.query.id, kind: q.query.kind, left, right });
const toQueryJson = (q: AssignedQuery): QueryJson => pairJson(q, toSegmentJson(q.left), toSegmentJson(q.right));
/** A critique as a label records it: the places, not the numbers (those are the recording's). */
const shownOf = (c: CritiqueJson): ShownCritique => ({ assistant: c.assistant, reason: c.reason, reveals: c.reveals.map((r) => (r.cell === undefined ? { kind: r.kind, step: r.step } : { kind: r.kind, step: r.step, cell: r.cell })) });
const toGoldJson = (g: GoldPair): GoldPairJson => ({ id: g.id, sourceQueryId: g.sourceQueryId, answer: g.answer, createdAt: g.createdAt, answered: g.answered, correct: g.correct });

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** The built UI: files under `dir` only; unknown paths get index.html (the page routes itself). */
function serveStatic(app: FastifyInstance, dir: string): void {
  const root = normalize(dir + sep);
  app.get('/*', async (req, reply) => {
    const path = decodeURIComponent(req.url.split('?')[0]);
    // The API's unknown paths are API errors (JSON 404), not the page.
    if (isApiPath(path)) return reply.callNotFound();
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) return reply.code(404).send({ error: 'not found' });
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
    if (!existsSync(file)) return reply.code(404).send({ error: `the UI is not built (no ${file}); run npm run build` });
    // The page embeds nothing secret, but it must not be cached across tokens.
    reply.header('cache-control', extname(file) === '.html' ? 'no-store' : 'public, max-age=3600');
    return reply.type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream').send(readFileSync(file));
  });
}

/** "answer must be one of: left, right, equal, incomparable" rather than ajv's terse form. */
function validationMessage(err: FastifyError): string {
  const v = err.validation![0];
  const where = `${err.validationContext ?? 'request'}${v.instancePath.replace(/\//g, '.')}`;
  const params = v.params as { allowedValues?: unknown[]; additionalProperty?: string; missingProperty?: string };
  if (v.keyword === 'enum') return `${where} must be one of: ${params.allowedValues!.join(', ')}`;
  if (v.keyword === 'additionalProperties') return `${where}: unknown property ${JSON.stringify(params.additionalProperty)}`;
  if (v.keyword === 'required') return `${where}: ${params.missingProperty} is required`;
  return `${where} ${v.message ?? 'is invalid'}`;
}

function isAdminPath(path: string): boolean {
  return path.startsWith('/api/admin/');
}

function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** A browser navigating to one of the pages (not the API, not a script's fetch): it asks for HTML. */
function wantsPage(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (isApiPath(req.url.split('?')[0])) return false;
  return /\btext\/html\b/.test(req.headers.accept ?? '');
}

const DENIED_STYLE =
  'body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#222;background:#f6f6f3}main{max-width:40em;margin:4em auto;padding:1.5em 2em;background:#fff;border:1px solid #ddd;border-radius:6px}h1{font-size:1.4em;margin-top:0}code{background:#eee;padding:0.1em 0.3em;border-radius:3px}';
/** The refusal page's one inline style is allowed by its hash; nothing else inline runs. */
const DENIED_PAGE_CSP = CONTENT_SECURITY_POLICY.replace("style-src 'self'", `style-src 'sha256-${createHash('sha256').update(DENIED_STYLE).digest('base64')}'`);

/** What someone sees who opens a page with a bad, revoked or expired token (or none): what is wrong and what to do. */
function deniedPage(hadToken: boolean): string {
  const [title, why] = hadToken
    ? ['This link is not valid', 'The token in this link is not valid: it may have been mistyped, revoked, or it has expired.']
    : ['This page needs a link with a token', 'You opened the labeling server without a token: open it with the link you were given.'];
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Overseer: ${title.toLowerCase()}</title>
    <style>${DENIED_STYLE}</style>
  </head>
  <body>
    <main id="denied">
      <h1>${title}</h1>
      <p>${why}</p>
      <p>Ask the person who runs the study for a new link. They can make one with <code>overseer annotators add NAME --project DIR</code>, which prints a new labeling link.</p>
    </main>
  </body>
</html>
`;
}

function bearer(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m ? m[1] : null;
}

function queryToken(url: string): string | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  const token = new URLSearchParams(url.slice(q + 1)).get('token');
  // Only URL-safe tokens can come from us; anything else is not worth a lookup (or a cookie).
  return token && /^[A-Za-z0-9_-]{1,200}$/.test(token) ? token : null;
}

function cookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
