/**
 * The JSON the labeling server sends, shared by the server and the browser pages (types only,
 * so the pages can import them without pulling in Node).
 */

/** A segment as the page receives it (and plays as a looping clip): render states (float32, base64) to draw, never rewards. */
export interface SegmentJson {
  id: string;
  envId: string;
  length: number;
  renderSize: number;
  render: string | null;
}

export interface QueryJson {
  id: string;
  kind: string;
  left: SegmentJson;
  right: SegmentJson;
}

export interface RunStatusJson {
  id: string;
  envId: string;
  instructions: string;
  labelBudget: number | null;
  envSteps: number;
  /** When the run finished (it then hands out no pairs and takes no labels), or null while it runs. */
  finishedAt: string | null;
  /** Labels of this run from people, all annotators. */
  labels: number;
  /** Labels from the asking annotator. */
  mine: number;
  /** Queries not answered yet. */
  queueDepth: number;
}

export interface AgreementJson {
  annotators: { name: string; labels: number; repeats: number; agreeing: number }[];
  gold: { pairs: number; agreeing: number };
}
