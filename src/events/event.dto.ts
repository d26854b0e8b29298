import type { EventType, SubjectKind } from './event.entity.js';

/** An event as published and streamed: plain data, no ORM entity (crosses the bus and processes). */
export interface EventDto {
  id: string;
  subjectKind: SubjectKind;
  subjectId: string;
  subjectName: string;
  projectId: string;
  seq: number;
  projectSeq: number;
  type: EventType;
  phase: string;
  stepId: string | null;
  stepIndex: number | null;
  stepCount: number | null;
  percent: number;
  message: string;
  details: Record<string, unknown> | null;
  time: Date;
}

/** What a writer supplies; sequence numbers and ids are assigned by the event log. */
export type NewEvent = Omit<EventDto, 'id' | 'seq' | 'projectSeq' | 'time' | 'stepId' | 'stepIndex' | 'stepCount' | 'percent' | 'details'> &
  Partial<Pick<EventDto, 'stepId' | 'stepIndex' | 'stepCount' | 'percent' | 'details'>>;

/** Opaque event cursor: carries both the subject and the project sequence numbers. */
export function eventCursor(e: Pick<EventDto, 'seq' | 'projectSeq'>): string {
  return Buffer.from(`ev1:${e.seq}:${e.projectSeq}`, 'utf8').toString('base64url');
}

/** Returns [seq, projectSeq], or null for anything that is not an event cursor. */
export function parseEventCursor(cursor: string): [number, number] | null {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(cursor)) return null;
  const m = /^ev1:(\d{1,15}):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? [Number(m[1]), Number(m[2])] : null;
}
