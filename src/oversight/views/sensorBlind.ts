/**
 * The sensor-blind view: sees the clip's frames and observations but not the actions (torques),
 * so the control cost is invisible to it; an assistant can show it the torques at a step.
 */
import { defineView, maskedCopy, sumTerms, torqueAt, type ClipView, type IntentModel } from './view.js';

export function sensorBlindView(intent: IntentModel): ClipView {
  if (!intent.terms.includes('control')) throw new Error(`sensor-blind needs an intent with a control term; ${intent.envId} has ${intent.terms.join(', ')}`);
  return defineView({
    name: 'sensor-blind',
    hides: 'the actions (torques), so the control cost',
    visible: (segment) => maskedCopy(segment, (c) => c.actions.fill(NaN)),
    // The intent charges only the torques it sees: none, unless revealed.
    judge: (seen, spec) => sumTerms(intent.stepTerms(seen, spec), intent.terms, seen.length),
    reveals: { torque: torqueAt },
  });
}
