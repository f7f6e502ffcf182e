import { describe, expect, it } from 'vitest';
import { testSegment } from '../store/contract.js';
import { MemoryProjectStore } from '../store/memory.js';
import { HumanTeacher } from './humanTeacher.js';

describe('HumanTeacher', () => {
  it("hands the loop a person's answer only once it has settled; until then the person can undo it and the loop never sees it", async () => {
    const project = new MemoryProjectStore(0, 0);
    project.createRun({ id: 'r', envId: 'Hopper-v5' });
    project.putSegments('r', [0, 1, 2].map((i) => ({ segment: testSegment(i) })));
    project.putQueries('r', [
      { id: 'q-0', leftId: 'seg-0', rightId: 'seg-1', askedAtStep: 0 },
      { id: 'q-1', leftId: 'seg-1', rightId: 'seg-2', askedAtStep: 0 },
    ]);
    const a = project.addAnnotator('a').annotator.id;
    project.assignQueries('r', a, 2);
    const teacher = new HumanTeacher(project, 'r', 0.3);
    project.submitLabel({ runId: 'r', queryId: 'q-0', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c0' });
    project.submitLabel({ runId: 'r', queryId: 'q-1', annotatorId: a, answer: 'left', seconds: 1, clientId: 'c1' });
    expect(teacher.poll()).toEqual([]);
    // Changed their mind about q-1 within the window: the loop gets only the new answer.
    project.withdrawLabel('r', a, 'c1');
    project.submitLabel({ runId: 'r', queryId: 'q-1', annotatorId: a, answer: 'right', seconds: 2, clientId: 'c1b' });
    await new Promise((r) => setTimeout(r, 350));
    expect(teacher.poll().map((x) => [x.queryId, x.answer, x.clientId])).toEqual([
      ['q-0', 'left', 'c0'],
      ['q-1', 'right', 'c1b'],
    ]);
    expect(teacher.poll()).toEqual([]);
    expect(() => project.withdrawLabel('r', a, 'c1b')).toThrow(/already been used for training/);
    expect(() => new HumanTeacher(project, 'r', -1)).toThrow(/undoSeconds must be a number >= 0/);
  });
});
