// The project's data as the stream keeps it: a `reset` replaces the lists, `added`, `changed` and
// `removed` edit one object. Pure: returns new data, leaves the old untouched.

// Verifications are not kept: the stage views carry them (the page re-reads on their events).
const LISTS = { Stage: 'stages', Freight: 'freight', Promotion: 'promotions' };

/** The order of each list as the api gives it. */
const ORDER = {
  stages: (a, b) => a.metadata.name.localeCompare(b.metadata.name),
  freight: (a, b) => b.discoveredAt.localeCompare(a.discoveredAt) || a.metadata.name.localeCompare(b.metadata.name),
  promotions: (a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name),
};

/** `data` after the stream's `event` ({event, data}); the same object when it changes nothing. */
export function applyEvent(data, event) {
  if (!data) return data;
  if (event.event === 'reset') {
    const { stages = [], freight = [], promotions = [] } = event.data ?? {};
    return { ...data, stages, freight, promotions };
  }
  if (event.event !== 'added' && event.event !== 'changed' && event.event !== 'removed') return data;
  const list = LISTS[event.data?.kind];
  if (!list) return data;
  const items = (data[list] ?? []).filter((o) => o.metadata.name !== event.data.name);
  if (event.event !== 'removed') items.push(event.data.object);
  return { ...data, [list]: items.sort(ORDER[list]) };
}
