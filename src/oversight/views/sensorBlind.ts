/** The sensor-blind view: sees the clip's frames and observations but not the actions (torques), so the control cost is invisible to it. */
import { defineView, maskedCopy, sumTerms, type ClipView, type IntentModel } from './view.js';

export function sensorBlindView(intent: IntentModel): ClipView {
  if (!intent.terms.includes('control')) throw new Error(`sensor-blind needs an intent with a control term; ${intent.envId} has ${intent.terms.join(', ')}`);
  const seenTerms = intent.terms.filter((t) => t !== 'control');
  return defineView({
    name: 'sensor-blind',
    hides: 'the actions (torques), so the control cost',
    visible: (segment) => maskedCopy(segment, (c) => c.actions.fill(NaN)),
    judge: (seen, spec) => sumTerms(intent.stepTerms(seen, spec), seenTerms, seen.length),
  });
}
