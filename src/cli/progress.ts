import cliProgress from 'cli-progress';
import type { CliIO } from './io.js';

export interface ProgressValues {
  sps: number;
  /** Mean return of recent episodes, if any finished. */
  recentReturn: number | null;
}

/** A progress bar on a terminal; on a pipe, a line every 10% so logs stay readable. */
export class TrainProgress {
  private readonly bar: cliProgress.SingleBar | null;
  private nextLine = 0.1;
  private lastReturn: number | null = null;

  constructor(
    private readonly total: number,
    private readonly io: CliIO,
    label: string,
  ) {
    if (io.isTTY && io.progressStream) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${label} {bar} {percentage}% | {value}/{total} steps | {sps} steps/s | return {ret} | ETA {eta_formatted}`,
          stream: io.progressStream,
          hideCursor: true,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { sps: 0, ret: '-' });
    } else {
      this.bar = null;
      io.stderr(`${label}: ${total} steps\n`);
    }
  }

  update(step: number, v: ProgressValues): void {
    if (v.recentReturn !== null) this.lastReturn = v.recentReturn;
    const ret = this.lastReturn === null ? '-' : this.lastReturn.toFixed(1);
    if (this.bar) {
      this.bar.update(Math.min(step, this.total), { sps: v.sps, ret });
      return;
    }
    if (step >= this.nextLine * this.total) {
      this.io.stderr(`  ${step}/${this.total} steps (${Math.round((100 * step) / this.total)}%) | ${v.sps} steps/s | return ${ret}\n`);
      while (this.nextLine * this.total <= step) this.nextLine += 0.1;
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
