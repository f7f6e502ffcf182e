/**
 * The oversight lab's train/validation split: an experiment's settings (audit rate, the alarm's
 * rates, labels, steps) are chosen on development cells, and its results are reported on
 * held-out ones, so that a method is not tuned on the cases it is judged by. Cells are env ×
 * limited view. Tuning a held-out cell, or reading its results while tuning, fails loudly.
 */

export interface SplitCell {
  envId: string;
  /** The limited overseer's view (its base name: 'keyframes:3' is 'keyframes'). */
  view: string;
}

/** The lab's split, named here so every experiment and report uses the same one. */
export const OVERSIGHT_SPLIT: { readonly dev: readonly SplitCell[]; readonly heldOut: readonly SplitCell[] } = {
  dev: [
    { envId: 'TomatoWatering-v0', view: 'keyframes' },
    { envId: 'Reacher-v5', view: 'sensor-blind' },
    { envId: 'Reacher-v5', view: 'keyframes' },
  ],
  heldOut: [
    { envId: 'TomatoWatering-v0', view: 'observed-board' },
    { envId: 'Reacher-v5', view: 'projection' },
    { envId: 'AbsentSupervisor-v0', view: 'watched-only' },
  ],
};

export type Purpose = 'tuning' | 'report';

/** Raised when tuning touches a held-out cell. */
export class HeldOutError extends Error {
  override name = 'HeldOutError';
}

const baseView = (view: string) => view.split(':')[0];
const same = (a: SplitCell, b: SplitCell) => a.envId === b.envId && baseView(a.view) === baseView(b.view);

/** 'dev', 'held-out', or null for a cell the split does not name. */
export function splitOf(cell: SplitCell, split = OVERSIGHT_SPLIT): 'dev' | 'held-out' | null {
  if (split.heldOut.some((c) => same(c, cell))) return 'held-out';
  if (split.dev.some((c) => same(c, cell))) return 'dev';
  return null;
}

/**
 * Checks that `purpose` may use `cell`: tuning only dev cells (a held-out or unnamed cell is a
 * `HeldOutError`), reporting any. Call it wherever an experiment runs a cell or reads one's results.
 */
export function checkUse(cell: SplitCell, purpose: Purpose, split = OVERSIGHT_SPLIT): void {
  if (purpose === 'report') return;
  const where = splitOf(cell, split);
  if (where !== 'dev') {
    const dev = split.dev.map((c) => `${c.envId} ${c.view}`).join(', ');
    throw new HeldOutError(`${cell.envId} ${cell.view} is ${where === 'held-out' ? 'held out' : 'not in the split'}: settings are tuned on development cells only (${dev}); report on it instead`);
  }
}
