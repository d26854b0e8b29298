/** React side of event-stream.ts: the events of one subject, from a query's page on, live. */
import type { TypedDocumentNode } from '@apollo/client';
import { print } from 'graphql';
import { useEffect, useRef, useState } from 'react';
import type { EventFieldsFragment } from '../gql/graphql';
import { useApi } from './context';
import { openEventStream } from './event-stream';

export type LiveEvent = EventFieldsFragment;

export interface LiveLog {
  events: LiveEvent[];
  /** the newest event (initial or live) */
  latest: LiveEvent | null;
  /** set while the subscription reports an error (it keeps retrying) */
  error: string | null;
}

/**
 * `initial` is the page the screen's query returned (oldest first) and `after` its end cursor; the
 * subscription resumes there, so nothing is missed between the query and the subscription.
 */
export function useLiveEvents(
  // any subscription document taking `after`
  doc: TypedDocumentNode<any, any>,
  field: string,
  variables: Record<string, unknown> | null,
  initial: readonly LiveEvent[] | undefined,
  after: string | null | undefined,
  order: 'seq' | 'projectSeq' = 'seq',
): LiveLog {
  const api = useApi();
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const started = useRef<string | null>(null);
  const key = variables ? JSON.stringify(variables) : null;

  useEffect(() => {
    if (!key || initial === undefined) return;
    // start once per subject, from the first page the query gave (refetches do not restart it)
    if (started.current === key) return;
    started.current = key;
    setEvents([...initial]);
    const stream = openEventStream<LiveEvent>({
      client: api.ws,
      query: print(doc),
      field,
      variables: JSON.parse(key) as Record<string, unknown>,
      after: after ?? null,
      seqOf: (e) => e[order],
      lastSeq: initial.at(-1)?.[order] ?? 0,
      onEvent: (e) => {
        setError(null);
        setEvents((list) => [...list, e].slice(-500));
      },
      onError: setError,
    });
    return () => {
      started.current = null;
      stream.close();
    };
  }, [key, initial === undefined]); // the other inputs only matter when the subject changes

  return { events, latest: events.at(-1) ?? null, error };
}
