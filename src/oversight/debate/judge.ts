/**
 * The judge of the MNIST debate (Irving, Christiano, Amodei 2018; issue 23): a classifier of an
 * image from a few revealed pixels. What it sees is two 28 × 28 planes, a 0/1 mask of the revealed
 * pixels and their values (0 elsewhere); a revealed set is kept sparse here, as the pixels' indices
 * and values, since a debate reveals only k of 784.
 */

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;

/** Pixels revealed so far: indices into the 784 (row-major), each with the image's value there (0–1). */
export interface Revealed {
  readonly pixels: readonly number[];
  readonly values: readonly number[];
}

/** A judge: logits over the 10 digits for each revealed set. */
export interface Judge {
  /** out[i * 10 + c]: the logit of digit c for batch[i]. */
  logits(batch: readonly Revealed[]): Float32Array;
}
