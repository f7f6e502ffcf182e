/** The full view: sees every number of the clip and judges the task's intent exactly (the oracle on intent). */
import { defineView, maskedCopy, sumTerms, type ClipView, type IntentModel } from './view.js';

export function fullView(intent: IntentModel): ClipView {
  return defineView({
    name: 'full',
    hides: 'nothing',
    visible: (segment) => maskedCopy(segment, () => {}),
    judge: (seen, spec) => sumTerms(intent.stepTerms(seen, spec), intent.terms, seen.length),
  });
}
