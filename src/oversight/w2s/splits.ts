/**
 * The data of a weak-to-strong experiment on MNIST, split as in Burns et al.: the weak
 * supervisor trains on one part (W) and labels another (S) that the student trains on; a
 * weak-labelled validation part (V) is for early stopping; the rest of the training images
 * (P) are unlabelled pretraining data for the strong encoders; test is the official 10k,
 * never used to choose anything.
 */
import { Rng } from '../../utils/rng.js';
import { RngStreams } from '../../utils/streams.js';

/** The tasks: the 10-class digit task and binary ones. */
export const TASKS = ['digits', 'lt5', 'parity'] as const;
export type Task = (typeof TASKS)[number];

export const TASK_INFO = {
  digits: { classes: 10, about: 'the digit, 10 classes' },
  lt5: { classes: 2, about: 'digit < 5 (class 0) vs >= 5 (class 1)' },
  parity: { classes: 2, about: 'even (class 0) vs odd (class 1)' },
} as const satisfies Record<Task, { classes: number; about: string }>;

export function taskClasses(task: Task): number {
  return TASK_INFO[task].classes;
}

/** The task's class of a digit. */
export function taskLabel(task: Task, digit: number): number {
  switch (task) {
    case 'digits':
      return digit;
    case 'lt5':
      return digit < 5 ? 0 : 1;
    case 'parity':
      return digit % 2;
  }
}

/** The task's labels of the images at `indices`, from their digits. */
export function taskLabels(task: Task, digits: Uint8Array, indices: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(indices.length);
  for (let r = 0; r < indices.length; r++) out[r] = taskLabel(task, digits[indices[r]]);
  return out;
}

export interface SplitSizes {
  /** W: images (with ground truth) the weak supervisors train on; a weak model may use only a prefix of it. */
  weak: number;
  /** S: images the weak supervisor labels and the student trains on. */
  student: number;
  /** V: weak-labelled validation for early stopping. */
  val: number;
  /** P: unlabelled images the strong encoders pretrain on (null: all the rest). */
  pretrain: number | null;
}

export const defaultSplitSizes = { weak: 10_000, student: 20_000, val: 5_000, pretrain: null } satisfies SplitSizes;

/** Indices into the 60k training set, one role each. */
export interface Splits {
  seed: number;
  weak: Int32Array;
  student: Int32Array;
  val: Int32Array;
  pretrain: Int32Array;
}

export const SPLIT_ROLES = ['weak', 'student', 'val', 'pretrain'] as const;

/** A seeded shuffle of 0..total-1 cut into W, S, V and P, disjoint by construction. */
export function makeSplits(seed: number, total: number, sizes: SplitSizes = defaultSplitSizes): Splits {
  const pretrain = sizes.pretrain ?? total - sizes.weak - sizes.student - sizes.val;
  const need = sizes.weak + sizes.student + sizes.val + pretrain;
  if (pretrain <= 0 || need > total) throw new RangeError(`splits of ${sizes.weak} + ${sizes.student} + ${sizes.val} + ${pretrain} images do not fit in ${total}`);
  const order = new Int32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  // Its own stream, so adding a role or a model elsewhere never moves the split.
  new Rng(RngStreams.seedOf(seed, 'splits')).shuffle(order);
  let at = 0;
  const take = (n: number) => order.slice(at, (at += n));
  return { seed, weak: take(sizes.weak), student: take(sizes.student), val: take(sizes.val), pretrain: take(pretrain) };
}

/** Throws naming the image and its two roles if any index is in two roles (or twice in one). */
export function assertDisjoint(splits: Splits): void {
  const role = new Map<number, string>();
  for (const r of SPLIT_ROLES) {
    for (const i of splits[r]) {
      const had = role.get(i);
      if (had !== undefined) throw new Error(`image ${i} is in both ${had} and ${r}`);
      role.set(i, r);
    }
  }
}
