import { describe, expect, it } from 'vitest';
import '../../envs/builtins.js';
import { trainFromPreferences, type PreferenceRunState, type PrefsConfigInput, type PrefsResult } from '../../prefs/loop.js';
import type { PreferenceRun } from '../../prefs/run.js';
import type { Segment } from '../../prefs/segments.js';
import type { StoredLabel } from '../../prefs/store.js';
import { SimulatedTeacher, teacherParams, type Answer, type Query, type Teacher, type TeacherAnswer } from '../../prefs/teachers.js';
import { MemoryProjectStore } from '../../store/memory.js';
import { AuditedTeacher } from './auditedTeacher.js';
import { auditSummary, wilsonInterval } from './summary.js';

const flip = (a: Answer): Answer => (a === 'left' ? 'right' : a === 'right' ? 'left' : a);

/** Answers the opposite of whatever `of` would answer: the worst auditor for a leak to hide behind. */
class OppositeTeacher implements Teacher {
  readonly name = 'opposite';
  constructor(private readonly of: Teacher) {}
  get pending() {
    return this.of.pending;
  }
  get replayable() {
    return this.of.replayable;
  }
  ask(qs: readonly Query[]) {
    this.of.ask(qs);
  }
  poll(): TeacherAnswer[] {
    return this.of.poll().map((a) => ({ ...a, answer: flip(a.answer), teacher: this.name }));
  }
  state() {
    return this.of.state?.();
  }
  load(s: unknown) {
    this.of.load?.(s);
  }
  close() {}
}

/** Answers 'left' to everything, `delay` polls after being asked. */
class LateTeacher implements Teacher {
  private held: { due: number; a: TeacherAnswer }[] = [];
  private polls = 0;
  constructor(
    readonly name: string,
    private readonly delay: number,
    private readonly answer: Answer = 'left',
  ) {}
  get pending() {
    return this.held.length;
  }
  readonly replayable = true;
  ask(qs: readonly Query[]) {
    for (const q of qs) this.held.push({ due: this.polls + 1 + this.delay, a: { queryId: q.id, answer: this.answer, teacher: this.name } });
  }
  poll() {
    this.polls += 1;
    const ready = this.held.filter((h) => h.due <= this.polls).map((h) => h.a);
    this.held = this.held.filter((h) => h.due > this.polls);
    return ready;
  }
  state() {
    return { held: this.held.map((h) => ({ ...h })), polls: this.polls };
  }
  load(s: unknown) {
    const t = s as { held: { due: number; a: TeacherAnswer }[]; polls: number };
    this.held = t.held.map((h) => ({ ...h }));
    this.polls = t.polls;
  }
  close() {}
}

const segment = (id: string): Segment => ({ id }) as Segment;
const queries = (from: number, n: number, step: number): Query[] => Array.from({ length: n }, (_, i) => ({ id: `q-${from + i}`, left: segment(`a${from + i}`), right: segment(`b${from + i}`), askedAtStep: step }));

/** The smallest preference run of the loop's own tests, on a built-in env. */
const config: PrefsConfigInput = {
  envId: 'Pendulum-v1',
  seed: 3,
  totalTimesteps: 2048,
  labelBudget: 24,
  segmentLength: 10,
  fitEvery: 256,
  initialEpochs: 5,
  epochsPerFit: 2,
  ppo: { numEnvs: 2, numSteps: 64, numMinibatches: 2, updateEpochs: 2, vectorization: 'sync', normalizeObs: true, normalizeReward: true },
};

/** A run with B-Pref's 'mistake' teacher (random flips: its stream must be untouched), optionally audited. */
async function run(audit: boolean): Promise<{ result: PrefsResult; run: PreferenceRun; labels: StoredLabel[]; teacher: Teacher }> {
  const project = new MemoryProjectStore();
  project.createRun({ id: 'audit', envId: config.envId, renderSpec: null });
  const store = project.runStore('audit');
  let current: PreferenceRun | null = null;
  // The run's true rewards, once it exists: the simulated teachers see them, as the default teacher does.
  const mistake = (seed: number) => new SimulatedTeacher('mistake', teacherParams('mistake'), (id) => current!.truths.get(id), 10, seed);
  const teacher = audit ? new AuditedTeacher(mistake(7), new OppositeTeacher(mistake(7)), { rate: 1 }, 11) : mistake(7);
  const result = await trainFromPreferences(config, { store, teacher, onStart: (r) => (current = r) });
  const labels = store.load().labels.map(({ createdAt: _, ...l }) => l as StoredLabel);
  return { result, run: current!, labels, teacher };
}

const comparisonsOf = (r: PreferenceRun) => r.comparisons.map((c) => ({ left: c.left.id, right: c.right.id, mu: c.mu, validation: c.validation, counts: [...c.counts] }));

describe('audited teacher', () => {
  it('audit answers never reach training: an auditor that always says the opposite, asked every query, changes no label, comparison or parameter', async () => {
    const plain = await run(false);
    const audited = await run(true);
    expect(plain.labels).toHaveLength(24);
    expect(audited.labels).toEqual(plain.labels);
    expect(audited.labels.every((l) => l.teacher === 'mistake')).toBe(true);
    expect(comparisonsOf(audited.run)).toEqual(comparisonsOf(plain.run));
    expect(JSON.stringify(audited.result.checkpoint.rewardModel)).toBe(JSON.stringify(plain.result.checkpoint.rewardModel));
    expect(JSON.stringify(audited.result.checkpoint.agent.actor)).toBe(JSON.stringify(plain.result.checkpoint.agent.actor));

    // One audit per query, each paired with the answer the run stored, and each the opposite.
    const log = (audited.teacher as AuditedTeacher).log;
    expect(log.entries.map((e) => e.queryId)).toEqual([...audited.run.queries.keys()]);
    const stored = new Map(audited.labels.map((l) => [l.queryId, l.answer]));
    for (const e of log.entries) {
      expect(e.inner).toBe(stored.get(e.queryId));
      expect(e.audit).toBe(flip(e.inner!));
      expect(e.pairedAtStep).toBe(e.askedAtStep);
    }
    const s = auditSummary(log);
    expect(s).toMatchObject({ requested: 24, answered: 24, paired: 24, usable: 24, disagreements: 24, disagreementRate: 1 });
    expect(s.alarm.fired).toBe(true);
    // ln 100 / ln 3 = 4.19: the fifth disagreeing pair sets it off.
    expect(s.firedAt).toEqual({ queryId: log.entries[4].queryId, askedAtStep: log.entries[4].askedAtStep, pairedAtStep: log.entries[4].askedAtStep, pairIndex: 4 });
  }, 60_000);

  it('a run killed after its checkpoint resumes with the same audits and alarm as the run never stopped', async () => {
    const project = new MemoryProjectStore();
    const parts = (runId: string) => {
      if (!project.getRun(runId)) project.createRun({ id: runId, envId: config.envId, renderSpec: null });
      const holder: { run: PreferenceRun | null } = { run: null };
      const sim = (name: 'mistake' | 'oracle', seed: number) => new SimulatedTeacher(name, teacherParams(name), (id) => holder.run!.truths.get(id), 10, seed);
      const teacher = new AuditedTeacher(sim('mistake', 7), sim('oracle', 8), { rate: 0.5 }, 11);
      return { store: project.runStore(runId), teacher, onStart: (r: PreferenceRun) => (holder.run = r) };
    };
    const whole = parts('whole');
    const wholeResult = await trainFromPreferences(config, whole);

    const controller = new AbortController();
    let saved: PreferenceRunState | null = null;
    const first = parts('resumed');
    const interrupted = await trainFromPreferences(config, {
      ...first,
      signal: controller.signal,
      onRound: (m, r) => {
        if (m.update === 3) saved = JSON.parse(JSON.stringify(r.state())) as PreferenceRunState;
        if (m.update === 6) controller.abort();
      },
    });
    expect(interrupted.interrupted).toBe(true);
    const second = parts('resumed');
    const resumed = await trainFromPreferences(config, { ...second, resumeFrom: saved! });
    expect(JSON.stringify(resumed.checkpoint.rewardModel)).toBe(JSON.stringify(wholeResult.checkpoint.rewardModel));
    expect(second.teacher.log.state()).toEqual(whole.teacher.log.state());
    expect(auditSummary(second.teacher.log)).toEqual(auditSummary(whole.teacher.log));
    expect(second.teacher.log.entries.length).toBeGreaterThan(5);
  }, 60_000);

  it('audits a seeded sample at the given rate, from its own stream: reproducible, and the inner answers pass through untouched', () => {
    const audited = (seed: number) => {
      const t = new AuditedTeacher(new LateTeacher('inner', 0), new LateTeacher('auditor', 0, 'right'), { rate: 0.05 }, seed);
      t.ask(queries(0, 2000, 0));
      return t;
    };
    const a = audited(1);
    const ids = a.log.entries.map((e) => e.queryId);
    expect(audited(1).log.entries.map((e) => e.queryId)).toEqual(ids);
    expect(audited(2).log.entries.map((e) => e.queryId)).not.toEqual(ids);
    // 5% of 2000: 100 ± 3 standard deviations (9.7).
    expect(ids.length).toBeGreaterThan(70);
    expect(ids.length).toBeLessThan(130);
    const answers = a.poll();
    expect(answers).toHaveLength(2000);
    expect(answers.every((x) => x.answer === 'left' && x.teacher === 'inner')).toBe(true);
    expect(a.name).toBe('inner');
    expect(() => new AuditedTeacher(new LateTeacher('i', 0), new LateTeacher('a', 0), { rate: 1.5 }, 1)).toThrow(/invalid audit options[\s\S]*rate/);
  });

  it('pairs answers that arrive at different polls; pending is the inner teacher\'s alone; state() and load() resume exactly', () => {
    const make = () => new AuditedTeacher(new LateTeacher('inner', 1), new LateTeacher('auditor', 3, 'right'), { rate: 1 }, 5);
    const t = make();
    t.ask(queries(0, 2, 100));
    expect(t.poll()).toEqual([]); // nobody has answered yet
    expect(t.pending).toBe(2);
    expect(t.poll()).toHaveLength(2); // the inner answers, after one poll
    expect(t.pending).toBe(0); // the auditor still owes two: RL does not wait for it
    expect(t.log.pairs()).toEqual([]);
    t.ask(queries(2, 1, 200));

    // Checkpoint here; the copy continues exactly like the original.
    const copy = make();
    copy.load(JSON.parse(JSON.stringify(t.state())));
    for (const x of [t, copy]) {
      x.poll();
      x.poll(); // the first two audits come in, after the step-200 query was asked
      x.poll();
      x.poll();
    }
    expect(copy.state()).toEqual(t.state());
    expect(t.log.pairs()).toEqual([
      { queryId: 'q-0', inner: 'left', audit: 'right', askedAtStep: 100, pairedAtStep: 200, index: 0 },
      { queryId: 'q-1', inner: 'left', audit: 'right', askedAtStep: 100, pairedAtStep: 200, index: 1 },
      { queryId: 'q-2', inner: 'left', audit: 'right', askedAtStep: 200, pairedAtStep: 200, index: 2 },
    ]);
    expect(() => copy.load({ format: 'something else' })).toThrow(/not an audited teacher's state/);
  });

  it('replayable only when both teachers are; close() closes both', () => {
    let closed = 0;
    const people = { name: 'person', pending: 0, replayable: false, ask() {}, poll: () => [], close: () => (closed += 1) } satisfies Teacher;
    const sim = new LateTeacher('sim', 0);
    sim.close = () => (closed += 1);
    expect(new AuditedTeacher(sim, people, {}, 1).replayable).toBe(false);
    expect(new AuditedTeacher(sim, new LateTeacher('sim2', 0), {}, 1).replayable).toBe(true);
    new AuditedTeacher(sim, people, {}, 1).close();
    expect(closed).toBe(2);
  });
});

describe('audit summary', () => {
  it('Wilson 95% intervals match the textbook values and stay in [0, 1]', () => {
    const [lo, hi] = wilsonInterval(5, 10);
    expect(lo).toBeCloseTo(0.2366, 4);
    expect(hi).toBeCloseTo(0.7634, 4);
    expect(wilsonInterval(0, 10)[0]).toBe(0);
    expect(wilsonInterval(0, 10)[1]).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
    expect(() => wilsonInterval(1, 0)).toThrow(RangeError);
  });

  it("counts requested, answered and usable audits ('equal' and 'incomparable' left out), and stays quiet on a faithful overseer", () => {
    const inner = new LateTeacher('inner', 0);
    const t = new AuditedTeacher(inner, new LateTeacher('auditor', 0), { rate: 1 }, 1);
    t.ask(queries(0, 10, 0));
    t.poll();
    const unanswered = new AuditedTeacher(inner, new LateTeacher('auditor', Infinity), { rate: 1 }, 1);
    unanswered.ask(queries(0, 3, 0));
    unanswered.poll();
    expect(auditSummary(unanswered.log)).toMatchObject({ requested: 3, answered: 0, paired: 0, usable: 0, disagreementRate: null, interval95: null, firedAt: null });
    const s = auditSummary(t.log);
    expect(s).toMatchObject({ requested: 10, answered: 10, paired: 10, usable: 10, disagreements: 0, disagreementRate: 0, firedAt: null });
    expect(s.alarm.fired).toBe(false);
    const equal = new AuditedTeacher(new LateTeacher('inner', 0, 'equal'), new LateTeacher('auditor', 0), { rate: 1 }, 1);
    equal.ask(queries(0, 4, 0));
    equal.poll();
    expect(auditSummary(equal.log)).toMatchObject({ paired: 4, usable: 0, alarm: { ignored: 4 } });
  });
});
