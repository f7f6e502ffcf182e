/** The assistants a trial can use, by name. */
import type { Rng } from '../../../utils/rng.js';
import type { Assistant } from '../critique.js';
import { RandomAssistant } from './random.js';

export const ASSISTANT_NAMES = ['random'] as const;
export type AssistantName = (typeof ASSISTANT_NAMES)[number];

export function assistantFor(name: string, rng: Rng): Assistant {
  switch (name) {
    case 'random':
      return new RandomAssistant(rng);
    default:
      throw new Error(`unknown assistant ${JSON.stringify(name)}; known: ${ASSISTANT_NAMES.join(', ')}`);
  }
}
