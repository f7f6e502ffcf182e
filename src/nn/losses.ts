/**
 * Mean squared error 0.5 * mean((pred - target)^2) over n values; writes dL/dpred into `grad`
 * (scaled by `scale`, e.g. a loss coefficient) and returns the loss.
 */
export function mseLoss(pred: ArrayLike<number>, target: ArrayLike<number>, n: number, grad?: { [i: number]: number }, scale = 1): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    loss += d * d;
    if (grad) grad[i] = (scale * d) / n;
  }
  return (0.5 * loss) / n;
}
