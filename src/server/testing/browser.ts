/**
 * What the browser tests of the pages share (pages, labeling, dashboard): Debian's Chromium,
 * launched once per file; servers on temporary projects with Pendulum segments; fresh browser
 * contexts that collect page and console errors; and cleanups run after each test.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Segment } from '../../prefs/segments.js';
import { openProject, type StoreOptions } from '../../store/sqlite.js';
import type { NewRun, ProjectStore } from '../../store/store.js';
import { buildServer } from '../app.js';

export const CHROMIUM = '/usr/bin/chromium';
export const UI = fileURLToPath(new URL('../../../dist/ui', import.meta.url));
/** Pendulum's render spec: (theta, theta_dot) per frame, 20 frames a second. */
export const PENDULUM = { kind: 'classic' as const, scene: 'Pendulum' as const, dt: 0.05, fields: ['theta', 'theta_dot'] };

/** A Pendulum segment seg-<i> whose render states differ by segment. */
export function pendulumSegment(i: number, length = 10, terminated = false): Segment {
  return { id: `seg-${i}`, envId: 'Pendulum-v1', seed: 1, envIndex: 0, globalStep: i * 10, length, obsSize: 3, actionSize: 1, renderSize: 2, render: Float32Array.from({ length: 2 * length }, (_, k) => i + k / 10), obs: new Float32Array(3 * length), actions: new Float32Array(length), terminated };
}

/** Stores `segments` in run r1 with a pair over each consecutive two, q-<from>… (asked at `step(i)`). */
export function putPairs(project: ProjectStore, segments: Segment[], from = 0, step: (i: number) => number = () => 0): void {
  project.putSegments('r1', segments.map((s) => ({ segment: s, truth: { segmentId: s.id, rewards: new Float64Array(s.length).fill(-1) } })));
  project.putQueries('r1', segments.slice(1).map((s, i) => ({ id: `q-${from + i}`, leftId: segments[i].id, rightId: s.id, askedAtStep: step(i) })));
}

/** `n` pairs' worth of Pendulum segments (n + 1 of them), seg-<first>…, each `length` frames. */
export const pendulumSegments = (n: number, length = 10, first = 0) => Array.from({ length: n + 1 }, (_, i) => pendulumSegment(first + i, length));

/**
 * Launches Chromium for this test file (before its tests; closed after them) and runs the
 * cleanups registered with `cleanup` after each test, last first. Call at the top of a file.
 */
export function useBrowser(): { browser: () => Browser; cleanup: (...fns: (() => Promise<unknown> | unknown)[]) => void } {
  let browser: Browser | undefined;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`).toBe(true);
    expect(existsSync(join(UI, 'index.html')), 'the UI is built by npm run build').toBe(true);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    // Some were closed by the test already (a server that goes away): closing again is no failure.
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => undefined);
  });
  return {
    browser: () => {
      if (!browser) throw new Error('the browser is launched in beforeAll');
      return browser;
    },
    cleanup: (...fns) => void cleanups.push(...fns),
  };
}

/** A server with the built UI on `project` (on `port`, 0 for any). */
export async function listen(project: ProjectStore, port = 0): Promise<{ app: FastifyInstance; origin: string; port: number }> {
  const app = buildServer({ project, staticDir: UI });
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app, origin: `http://127.0.0.1:${address.port}`, port: address.port };
}

/** A temporary project holding run r1 (Pendulum, or as `run` says), with the store options given. */
export function pendulumProject(prefix: string, options: StoreOptions = {}, run: Partial<NewRun> = {}): { dir: string; project: ProjectStore } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const project = openProject(dir, options);
  project.createRun({ id: 'r1', envId: 'Pendulum-v1', instructions: 'prefer the pendulum upright', labelBudget: 100, renderSpec: PENDULUM, ...run });
  return { dir, project };
}

/**
 * A fresh browser context (own cookies and storage) and a page in it; page errors and console
 * errors (CSP refusals among them) collected, except those matching `ignore`.
 */
export async function newPage(
  browser: Browser,
  cleanup: (fn: () => Promise<unknown> | unknown) => void,
  options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean; ignore?: RegExp; init?: string } = {},
): Promise<{ page: Page; errors: string[]; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1100, height: 700 }, acceptDownloads: options.acceptDownloads });
  cleanup(() => context.close());
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !(options.ignore?.test(m.text()) ?? false)) errors.push(m.text());
  });
  return { page, errors, context };
}
