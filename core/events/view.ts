/**
 * A lifecycle event as the api lists it and as a generic webhook receives it: Kubernetes'
 * Event (core/v1) shape, as Kargo records its events, plus Shunt's `id` (the resume token).
 */
import type { LifecycleEvent } from './types.js';

export interface EventView {
  apiVersion: 'v1';
  kind: 'Event';
  /** The event's id in its project: `since=` and SSE's `Last-Event-ID` take it. */
  id: number;
  metadata: { name: string; namespace: string; creationTimestamp: string; annotations: Record<string, string> };
  type: LifecycleEvent['type'];
  reason: LifecycleEvent['reason'];
  message: string;
  involvedObject: { kind: string; name: string; namespace: string };
  /** Kargo's event annotations, also under `metadata.annotations` as Kubernetes keeps them. */
  annotations: Record<string, string>;
  firstTimestamp: string;
  lastTimestamp: string;
  count: 1;
  source: { component: 'shunt' };
}

export function renderEvent(project: string, event: LifecycleEvent): EventView {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    id: event.id,
    // Kubernetes names an event `<object>.<unique suffix>`.
    metadata: { name: `${event.involvedObject.name}.${event.id.toString(16).padStart(8, '0')}`, namespace: project, creationTimestamp: event.time, annotations: event.annotations },
    type: event.type,
    reason: event.reason,
    message: event.message,
    involvedObject: { ...event.involvedObject, namespace: project },
    annotations: event.annotations,
    firstTimestamp: event.time,
    lastTimestamp: event.time,
    count: 1,
    source: { component: 'shunt' },
  };
}
