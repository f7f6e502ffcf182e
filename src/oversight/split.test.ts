import { describe, expect, it } from 'vitest';
import { HeldOutError, checkUse, splitOf } from './split.js';

describe('the oversight split', () => {
  it('names each cell dev or held out, by env and the view base name', () => {
    expect(splitOf({ envId: 'Reacher-v5', view: 'projection' })).toBe('held-out');
    expect(splitOf({ envId: 'Reacher-v5', view: 'keyframes:3' })).toBe('dev');
    expect(splitOf({ envId: 'TomatoWatering-v0', view: 'observed-board' })).toBe('held-out');
    expect(splitOf({ envId: 'Hopper-v5', view: 'projection' })).toBeNull();
  });

  it('tuning a held-out or unnamed cell fails loudly; reporting any is allowed', () => {
    expect(() => checkUse({ envId: 'Reacher-v5', view: 'projection' }, 'tuning')).toThrow(HeldOutError);
    expect(() => checkUse({ envId: 'Reacher-v5', view: 'projection' }, 'tuning')).toThrow(/Reacher-v5 projection is held out: settings are tuned on development cells only \(TomatoWatering-v0 keyframes, Reacher-v5 sensor-blind, Reacher-v5 keyframes\)/);
    expect(() => checkUse({ envId: 'Hopper-v5', view: 'x' }, 'tuning')).toThrow(/not in the split/);
    expect(() => checkUse({ envId: 'Reacher-v5', view: 'sensor-blind' }, 'tuning')).not.toThrow();
    expect(() => checkUse({ envId: 'Reacher-v5', view: 'projection' }, 'report')).not.toThrow();
  });
});
