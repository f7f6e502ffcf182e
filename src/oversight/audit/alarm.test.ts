import { describe, expect, it } from 'vitest';
import { Rng } from '../../utils/rng.js';
import { alarmOptions, alarmState, expectedDetectionDelay, type AlarmOptionsInput, type AuditPair } from './alarm.js';

/** A stream of audit pairs whose i-th pair disagrees with probability p(i). */
function stream(rng: Rng, length: number, p: (i: number) => number): AuditPair[] {
  return Array.from({ length }, (_, i): AuditPair => ({ inner: 'left', audit: rng.random() < p(i) ? 'right' : 'left' }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const STREAMS = 2000;
const ALPHA = 0.01;
// Three binomial standard errors at alpha over STREAMS streams: room for Monte Carlo noise only.
const TOLERANCE = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / STREAMS);
const METHODS: { name: string; options: AlarmOptionsInput; medianDelay: number }[] = [
  // Wald's approximation: ln(1/0.01) / KL(0.3 ‖ 0.1) ≈ 30 pairs; ln(200/0.01) / KL ≈ 64.
  { name: 'sprt', options: { method: 'sprt', alpha: ALPHA }, medianDelay: 35 },
  { name: 'cusum', options: { method: 'cusum', horizon: 200, alpha: ALPHA }, medianDelay: 70 },
];

describe('audit alarm', () => {
  it('validates its options with messages that say what is wrong', () => {
    expect(alarmOptions()).toEqual({ p0: 0.1, p1: 0.3, alpha: 0.01, method: 'sprt', horizon: null });
    expect(() => alarmOptions({ p0: 0.3, p1: 0.2 })).toThrow(/p1 \(the disagreement rate to detect\) must be greater than p0/);
    expect(() => alarmOptions({ method: 'cusum' })).toThrow(/method 'cusum' needs a horizon/);
    expect(() => alarmOptions({ alpha: 0 })).toThrow(/alpha/);
    expect(() => alarmOptions({ p0: 0.1, extra: 1 } as AlarmOptionsInput)).toThrow(/extra/);
  });

  it("ignores pairs where either side says 'equal' or 'incomparable', and counts them", () => {
    const pairs: AuditPair[] = [
      { inner: 'left', audit: 'right' },
      { inner: 'equal', audit: 'right' },
      { inner: 'left', audit: 'incomparable' },
      { inner: 'right', audit: 'right' },
    ];
    const s = alarmState(pairs);
    expect(s).toMatchObject({ n: 2, disagreements: 1, ignored: 2, fired: false, firedAt: null });
    expect(s.statistic).toBeCloseTo(Math.log(3) + Math.log(0.7 / 0.9), 12);
    expect(s.threshold).toBeCloseTo(Math.log(100), 12);
    // firedAt indexes the pairs given, ignored ones included.
    const all = alarmState([{ inner: 'equal', audit: 'left' }, ...Array.from({ length: 10 }, (): AuditPair => ({ inner: 'left', audit: 'right' }))]);
    expect(all.firedAt).toBe(5); // ln 100 / ln 3 = 4.19: the 5th disagreement crosses
  });

  for (const { name, options, medianDelay } of METHODS) {
    describe(name, () => {
      it(`a faithful overseer (p = p0 = 0.1) sets it off in at most alpha = ${ALPHA} of ${STREAMS} streams of 200 pairs`, () => {
        const rng = new Rng(1);
        let alarms = 0;
        let alarmsBelow = 0;
        for (let s = 0; s < STREAMS; s++) {
          if (alarmState(stream(rng, 200, () => 0.1), options).fired) alarms += 1;
          if (alarmState(stream(rng, 200, () => 0.05), options).fired) alarmsBelow += 1;
        }
        expect(alarms / STREAMS).toBeLessThanOrEqual(ALPHA + TOLERANCE);
        // The null is composite: a less noisy overseer is even safer.
        expect(alarmsBelow / STREAMS).toBeLessThanOrEqual(alarms / STREAMS);
      });

      it(`at p = p1 = 0.3 it fires within 200 pairs in 98% of streams, after a median of at most ${medianDelay}`, () => {
        const rng = new Rng(2);
        const delays: number[] = [];
        for (let s = 0; s < STREAMS; s++) {
          const a = alarmState(stream(rng, 200, () => 0.3), options);
          delays.push(a.firedAt === null ? Infinity : a.firedAt + 1);
        }
        expect(delays.filter(Number.isFinite).length / STREAMS).toBeGreaterThanOrEqual(0.98);
        expect(median(delays)).toBeLessThanOrEqual(medianDelay);
        expect(median(delays)).toBeLessThanOrEqual(1.2 * expectedDetectionDelay(options));
      });
    });
  }

  it('on a stream that switches from p0 to p1, fires after the switch, not before, in most streams; CUSUM forgets the good start, the SPRT pays for it', () => {
    const switchAt = 100;
    const delays: Record<string, number[]> = {};
    for (const { name, options } of METHODS) {
      const rng = new Rng(3);
      let early = 0;
      delays[name] = [];
      for (let s = 0; s < STREAMS; s++) {
        const a = alarmState(stream(rng, switchAt + 200, (i) => (i < switchAt ? 0.1 : 0.3)), options);
        if (a.firedAt !== null && a.firedAt < switchAt) early += 1;
        delays[name].push(a.firedAt === null || a.firedAt < switchAt ? Infinity : a.firedAt - switchAt + 1);
      }
      expect(early / STREAMS, name).toBeLessThanOrEqual(ALPHA + TOLERANCE);
      expect(delays[name].filter(Number.isFinite).length / STREAMS, name).toBeGreaterThanOrEqual(0.9);
    }
    expect(median(delays.cusum)).toBeLessThanOrEqual(70);
    // The SPRT first climbs out of ~100 · KL(p0 ‖ p1) ≈ 11.6 nats of faithful evidence.
    expect(median(delays.sprt)).toBeGreaterThan(median(delays.cusum));
  });
});
