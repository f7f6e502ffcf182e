import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_SETTINGS, PrefsConfigSchema } from '../prefs/config.js';
import { configOptions, mergeConfigFlags } from './flags.js';

/** The run options a command line sets, through the flag table, as `overseer prefs` reads them. */
function parse(argv: string[]) {
  const program = new Command().exitOverride();
  for (const o of configOptions()) program.addOption(o);
  program.parse(argv, { from: 'user' });
  return PrefsConfigSchema.parse(mergeConfigFlags({}, program.opts()));
}

describe('prefs flag table', () => {
  it('the label-efficiency options are off unless their flags are given, and each flag sets its option', () => {
    const off = parse(['--env', 'Hopper-v5']);
    expect([off.unsupervisedSteps, off.pseudoLabelRatio, off.policyAlignedEpisodes, off.subClips, off.disagreementBonus]).toEqual([0, 0, 0, 0, 0]);
    const on = parse(['--env', 'Hopper-v5', '--unsupervised-steps', '10240', '--pseudo-labels', '4', '--pseudo-label-threshold', '0.99', '--policy-aligned-episodes', '10', '--sub-clips', '20', '--disagreement-bonus', '0.05', '--disagreement-bonus-decay', '0.00001']);
    expect(on).toMatchObject({ ...PUBLISHED_SETTINGS.pebble, ...PUBLISHED_SETTINGS.surf, ...PUBLISHED_SETTINGS.qpa, ...PUBLISHED_SETTINGS.rune });
    expect(() => parse(['--env', 'Hopper-v5', '--pseudo-label-threshold', '0.4'])).toThrow(/pseudoLabelThreshold|0\.5/);
  });
});
