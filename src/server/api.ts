/**
 * The JSON the labeling server sends, shared by the server and the browser pages (types only,
 * so the pages can import them without pulling in Node).
 */

export type AnswerJson = 'left' | 'right' | 'equal' | 'incomparable';

/** A segment as the page receives it (and plays as a clip): render states (float32, base64) to draw, never rewards. */
export interface SegmentJson {
  id: string;
  envId: string;
  length: number;
  renderSize: number;
  render: string | null;
  /** The episode ended at the segment's last frame (the agent fell, reached the goal, ...): the page says so while it holds that frame. */
  terminated: boolean;
}

export interface QueryJson {
  id: string;
  /**
   * normal: a pair the run asked; repeat: a pair this person answered before, sides swapped;
   * gold: a pair with a known answer. The page shows all three alike (telling a person that a
   * pair is a check would let them answer it for the check).
   */
  kind: 'normal' | 'repeat' | 'gold';
  left: SegmentJson;
  right: SegmentJson;
  /**
   * The assistant's critique, when this pair is in the assisted arm of the run's trial of
   * assistance (absent otherwise). The clips above then hold its evidence too.
   */
  critique?: CritiqueJson;
}

/** A critique as the page shows it: the assistant's one-line reason and the recorded evidence it points to. */
export interface CritiqueJson {
  assistant: string;
  reason: string;
  reveals: RevealJson[];
}

/**
 * One piece of evidence, shown in both clips: its kind ('frame': the whole frame at the step;
 * 'top': the view from above at the step; 'torque': the actions at the step; 'cell': one hidden
 * board cell at the step, row * cols + col) and the recorded numbers it shows in each clip.
 */
export interface RevealJson {
  kind: 'frame' | 'top' | 'torque' | 'cell';
  step: number;
  cell?: number;
  left: number[];
  right: number[];
}

/** What a person did with the critique of a pair: accepted, dismissed, or neither (null). */
export type CritiqueResponseJson = 'accepted' | 'dismissed' | null;

/**
 * Where a run is: `running` (training, pairs come as it goes), `waiting` (it waits for
 * `waitingForLabels` more labels before it goes on: the initial labels before RL starts, or
 * too many pairs unanswered), `finished`.
 */
export type RunStateJson = 'running' | 'waiting' | 'finished';

export interface RunStatusJson {
  id: string;
  envId: string;
  instructions: string;
  /** Labeling guidelines for this run, set by the admin (plain text; '' when none). */
  guidelines: string;
  labelBudget: number | null;
  envSteps: number;
  /** When the run finished (it then hands out no pairs and takes no labels), or null while it runs. */
  finishedAt: string | null;
  state: RunStateJson;
  /** The loop's phase as last reported: initial (first labels), pretraining (reward model only), rl; null before the run reports one. */
  phase: 'initial' | 'pretraining' | 'rl' | null;
  /** Labels the run waits for before it goes on (state `waiting`), else null. */
  waitingForLabels: number | null;
  /** Labels of this run from people, all annotators: answers to the run's own pairs (repeats and gold pairs are not counted). */
  labels: number;
  /** The asking annotator's answers to the run's own pairs (repeats and gold pairs not counted). */
  mine: number;
  /** Queries not answered yet. */
  queueDepth: number;
  /**
   * The limited view people see this run's clips in (what a limited overseer sees: the render
   * states they are sent hold NaN where it is blind), or null for the full clips.
   */
  view: { name: string; hides: string } | null;
  /** The run's trial of assistance: the assistant whose critiques half the pairs come with (per person, at random), or null. */
  assistant: { name: string; reveals: number } | null;
}

/** POST /api/runs/:runId/labels → the committed label. */
export interface LabelResultJson {
  seq: number;
  queryId: string;
  answer: AnswerJson;
  duplicate: boolean;
  status: RunStatusJson;
}

/**
 * POST /api/runs/:runId/labels/undo {clientId} → the pair of the withdrawn answer, to answer
 * again. Refused with 409 once the run has used the answer for training (or the run finished),
 * 404 for a client id this annotator never sent.
 */
export interface UndoResultJson {
  query: QueryJson;
  status: RunStatusJson;
}

export interface AnnotatorStatsJson {
  name: string;
  /** Answers to the run's own pairs. */
  labels: number;
  /** Repeated pairs answered, and how many agreed with this person's first answer. */
  repeats: number;
  agreeing: number;
  /** Median seconds from a pair appearing to its answer (all this person's answers), null when none was timed. */
  medianSeconds: number | null;
  /** How often each answer was given (all this person's answers). */
  answers: Record<AnswerJson, number>;
  /** Gold pairs answered, and how many matched the gold answer. */
  gold: { answered: number; correct: number };
}

export interface AgreementJson {
  annotators: AnnotatorStatsJson[];
  /** pairs/agreeing: pairs of people's answers to the same gold pair that agree; answered/correct: answers matching the gold answer. */
  gold: { pairs: number; agreeing: number; answered: number; correct: number };
  /** Gold answers per arm of the run's trial of assistance (labels given in one). */
  arms: Record<'assisted' | 'unassisted', { answered: number; correct: number }>;
  /** Critiques people were shown, and how many they accepted or dismissed. */
  critiques: { shown: number; accepted: number; dismissed: number };
}

/** GET /api/admin/runs/:runId/overview */
export interface OverviewJson {
  status: RunStatusJson;
  agreement: AgreementJson;
  latestSegment: SegmentJson | null;
}

/** A pair of the run the admin may make gold (GET /api/admin/runs/:runId/pairs): recent pairs, newest first, no render data. */
export interface PairSummaryJson {
  queryId: string;
  askedAtStep: number;
  /** People's (and teachers') answers so far. */
  answers: { by: string; answer: AnswerJson }[];
  /** The gold pair made from it, if any. */
  goldId: string | null;
}

/** A gold pair (GET /api/admin/runs/:runId/gold; POST {queryId, answer} makes one from a pair of the run). */
export interface GoldPairJson {
  id: string;
  /** The run's pair it was made from. */
  sourceQueryId: string | null;
  /** The known answer; null for a gold pair imported without one (only agreement between people is measured). */
  answer: AnswerJson | null;
  createdAt: string;
  /** People who answered it, and how many of them gave the gold answer. */
  answered: number;
  correct: number;
}
