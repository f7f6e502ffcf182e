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

/**
 * GET /api/admin/runs/:runId/attention: what the run's reward model is paying attention to
 * (issue 22's page), as `overseer interp` stored it with the run (kind `attention` of the run's
 * reports). 404 until one is made.
 */
export const ATTENTION_REPORT = 'attention';

export interface AttentionReportJson {
  format: 'overseer.attention/1';
  runId: string;
  envId: string;
  /** The command that made it, and when (ISO time). */
  madeBy: string;
  createdAt: string;
  /** The checkpoint whose reward model (and policy) were read. */
  checkpoint: string;
  /** Labels the reward model was trained on. */
  labels: number;
  /** The layer studied: `reward-model/<member>`, hidden layer `layer` of `width` neurons. */
  network: string;
  layer: number;
  width: number;
  /**
   * The sparse autoencoder on that layer (Bricken et al. 2023): held-out fraction of variance
   * unexplained, L0, features alive with and without resampling. Here and below, null is a
   * number that is not defined (JSON has no NaN): a constant held-out layer, no decided
   * held-out pair, no unit of a kind.
   */
  sae: { dictSize: number; fvu: number | null; l0: number | null; alive: number; aliveWithoutResampling: number };
  /** The member's accuracy on held-out labelled pairs: intact, with the layer replaced by the SAE's reconstruction, and by its mean. */
  accuracy: { pairs: number; intact: number | null; saeReconstruction: number | null; meanAblation: number | null };
  /** Held-out explanation scores per kind of unit (Bills et al. 2023: pooled Pearson of 0–10 activations). */
  scores: { units: string; count: number; mean: number | null; median: number | null; above08: number }[];
  /** The env's named features: the explainer's vocabulary. */
  features: { name: string; kind: 'number' | 'boolean'; description: string }[];
  /** The reward model's top units, most effect on the reward first. */
  units: AttentionUnitJson[];
  /** Every clip the units point to. */
  clips: AttentionClipJson[];
}

export interface AttentionUnitJson {
  kind: 'sae-feature' | 'neuron';
  index: number;
  /** The explainer's best explanation, as a sentence. */
  explanation: string;
  /** Its held-out score (pooled Pearson of 0–10 activations; Bills et al. 2023); null when undefined (a constant simulation). */
  score: number | null;
  /** Share of states where the unit is positive. */
  frequency: number;
  /** Mean change of the member's reward when the unit is taken out, in the member's reward std (+: the unit raises the reward). */
  meanEffect: number;
  /** The unit's largest activation over every recorded state (10 on the 0–10 scale; its top clip holds it). */
  maxActivation: number;
  /**
   * The attribution over named features: a ridge fit of the unit's activation on the standardised
   * features over every recorded state, activation ≈ intercept + Σ weight · (value − mean) / std,
   * keeping the features with the largest |weight|. r2: the fit's share of variance explained.
   */
  attribution: { r2: number | null; intercept: number; features: { name: string; weight: number; mean: number; std: number }[] };
  /** The clips that activate it most, most first. */
  topClips: AttentionActivationJson[];
}

/** One unit along one clip. */
export interface AttentionActivationJson {
  clipId: string;
  /** The unit's activation at each step. */
  activations: number[];
  /** What the explanation predicts at each step (0–10, the simulator's output). */
  simulated: number[];
  /** Per feature of the unit's attribution (same order), its contribution at each step: weight · (value − mean) / std. */
  attribution: number[][];
}

/** A clip the page replays: a stored segment of the run, or a rollout of its policy recorded by `overseer interp`. */
export interface AttentionClipJson {
  id: string;
  source: 'segment' | 'rollout';
  length: number;
  renderSize: number;
  /** Render states, float32 little-endian, base64 (as in SegmentJson); null when the env has none. */
  render: string | null;
  /** The studied member's reward at each step as RL was given it: divided by its std (and centred, if the run centred rewards). */
  reward: number[];
  /** The episode ended at the clip's last frame. */
  terminated: boolean;
}

// ---- debate on MNIST (issue 23): the debate page's JSON (routes in src/oversight/debate/server.ts) ----

/** A debate session is a run with this env id. */
export const DEBATE_ENV_ID = 'MNIST-debate';

/** The session's settings, as the page is told them. */
export interface DebateSessionJson {
  runId: string;
  /** Pixels revealed per debate. */
  k: number;
  /** The model debaters' kind (both sides when people judge; the liar when a person debates). */
  debater: 'greedy' | 'mcts';
  /** MCTS rollouts per move (null for greedy). */
  rollouts: number | null;
  finished: boolean;
}

/** Right answers out of games: a person's, and the model judge's on the same games. */
export interface DebateAccuracyJson {
  games: number;
  /** The person's right picks (their own; in `all`, everyone's). */
  person: number;
  /** The model judge's right picks on the same games. */
  model: number;
}

/** One pixel shown to the judge: its index (row * 28 + col), its value (0–1) and which claim's player showed it (0 or 1, as in `claims`). */
export interface DebateClaimRevealJson {
  pixel: number;
  value: number;
  claim: 0 | 1;
}

/**
 * POST /api/debate/:runId/judge/next → a live debate for a person to judge: the two claims (in
 * a random order; which one is honest is not said), the k reveals in order, and never the image.
 */
export interface JudgeDebateJson {
  gameId: string;
  k: number;
  claims: [number, number];
  reveals: DebateClaimRevealJson[];
  /** This person's record so far. */
  accuracy: DebateAccuracyJson;
}

/** POST /api/debate/:runId/judge/:gameId {pick, seconds, clientId} → the stored game's outcome. */
export interface JudgeResultJson {
  gameId: string;
  pick: number;
  right: boolean;
  /** The image's digit (the honest claim). */
  truth: number;
  /** The model judge's pick between the two claims on the same reveals (ties go to the liar). */
  modelPick: number;
  /** The image (784 bytes, 0–255, row-major), shown once the person has picked. */
  image: number[];
  /** The same game sent again (same client id): nothing new stored. */
  duplicate: boolean;
  /** This person's record, and the model judge's on the same games, this one included. */
  accuracy: DebateAccuracyJson;
}

/** A pixel shown in a game the person debates: by the person (honest) or the machine (liar). */
export interface DebateSideRevealJson {
  pixel: number;
  value: number;
  by: 'honest' | 'liar';
}

/** The model judge's verdict on a game a person debated. */
export interface DebateVerdictJson {
  /** Who convinced the model judge (ties go to the liar). */
  winner: 'honest' | 'liar';
  modelPick: number;
  /** The model judge's logit of the truth minus the lie's (> 0: the honest side won). */
  margin: number;
}

/** A person's record as the honest debater. */
export interface DebaterRecordJson {
  games: number;
  wins: number;
}

/**
 * POST /api/debate/:runId/debater/next, and .../debater/:gameId/reveal {pixel, turn} → a game in
 * which the person argues for the truth against the machine's liar: the image (for the person
 * only; the model judge sees the reveals), the claims, the reveals so far, and the verdict at the end.
 */
export interface DebaterGameJson {
  gameId: string;
  k: number;
  /** 784 bytes, 0–255, row-major. */
  image: number[];
  truth: number;
  lie: number;
  first: 'honest' | 'liar';
  reveals: DebateSideRevealJson[];
  /** Null until k pixels are shown. */
  verdict: DebateVerdictJson | null;
  record: DebaterRecordJson;
}

/** GET /api/debate/:runId/stats: people as judges beside the model judge, and people as debaters. */
export interface DebateStatsJson {
  session: DebateSessionJson;
  /** The person asking. */
  you: { judging: DebateAccuracyJson; debating: DebaterRecordJson };
  /** Everyone's games. */
  all: { judging: DebateAccuracyJson; debating: DebaterRecordJson };
  /** Per person (the admin sees everyone; a person only themselves), by name. */
  people: { name: string; judging: DebateAccuracyJson; debating: DebaterRecordJson }[];
}
