/** Plain event rows for the unit tests of streams and replay reads: one project, one deployment. */
import type { EventDto } from '../../src/events/event.dto.js';
import { EventType, SubjectKind } from '../../src/events/event.entity.js';

export const PROJECT_TOPIC = 'project:p1';

/** The project's event number `projectSeq` (its subject seq the same). */
export function projectEvent(projectSeq: number): EventDto {
  return {
    id: `e${projectSeq}`,
    subjectKind: SubjectKind.APP_DEPLOYMENT,
    subjectId: 'd1',
    subjectName: 'd',
    projectId: 'p1',
    seq: projectSeq,
    projectSeq,
    type: EventType.STEP_PROGRESS,
    phase: 'DEPLOYING',
    stepId: null,
    stepIndex: null,
    stepCount: null,
    percent: 0,
    message: `event ${projectSeq}`,
    details: null,
    time: new Date(0),
  };
}

/** The next `n` sequence numbers a stream yields (`seqOf`: its project numbers by default); fails if it ends first. */
export async function takeSeqs(it: AsyncIterator<EventDto>, n: number, seqOf: (e: EventDto) => number = (e) => e.projectSeq): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) throw new Error(`stream ended after ${out.length} events`);
    out.push(seqOf(r.value));
  }
  return out;
}
