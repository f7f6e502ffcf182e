/**
 * People as the loop's teacher: the loop stores its queries in the project database, the
 * labeling server hands them to annotators and commits their answers there, and this
 * teacher reads the answers back. Nothing here waits: `poll` returns whatever has settled
 * since the last poll. A person's answer settles `undoSeconds` after it was given; until then
 * the person can undo it, and the run has not trained on it.
 */
import type { Query, Teacher, TeacherAnswer } from '../prefs/teachers.js';
import type { ProjectStore } from '../store/store.js';

/** How long a person may undo an answer before the run takes it (the page's undo button). */
export const DEFAULT_UNDO_SECONDS = 10;

export class HumanTeacher implements Teacher {
  readonly name = 'human';
  /** People answer when they answer: a resumed run adopts what was asked after its checkpoint. */
  readonly replayable = false;
  /** Labels up to this sequence number have been handed to the loop. */
  private lastSeq = 0;

  constructor(
    private readonly project: ProjectStore,
    readonly runId: string,
    readonly undoSeconds = DEFAULT_UNDO_SECONDS,
  ) {
    if (!(Number.isFinite(undoSeconds) && undoSeconds >= 0)) throw new Error(`undoSeconds must be a number >= 0 (got ${undoSeconds})`);
  }

  /** The queries are already in the database (the loop stores them before asking); annotators fetch them from there. */
  ask(_queries: readonly Query[]): void {}

  poll(): TeacherAnswer[] {
    const fresh = this.project.takeLabels(this.runId, this.lastSeq, new Date(Date.now() - this.undoSeconds * 1000));
    if (fresh.length > 0) this.lastSeq = fresh[fresh.length - 1].seq;
    // Labels without a client id were stored by the loop itself. Ones it already has (imported
    // with their client ids, or re-read after a resume) it skips by query id.
    return fresh.filter((l) => l.clientId !== null).map((l) => ({ queryId: l.queryId, answer: l.answer, teacher: l.teacher, seconds: l.seconds ?? undefined, clientId: l.clientId! }));
  }

  state(): { lastSeq: number } {
    return { lastSeq: this.lastSeq };
  }

  load(state: unknown): void {
    const s = state as { lastSeq?: unknown } | null;
    if (typeof s?.lastSeq !== 'number') throw new Error("human teacher: not a human teacher's state");
    this.lastSeq = s.lastSeq;
  }

  get pending(): number {
    return this.project.openQueryCount(this.runId);
  }

  close(): void {}
}
