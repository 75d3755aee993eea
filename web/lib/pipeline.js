// How the pipeline is drawn: which stage sits in which column, and labels. Display only: what may
// be promoted, approved or verified is the api's answer (status.freightAvailability, /whoami).

/** The edges into a stage: warehouses it takes freight from directly, and upstream stages. */
export function sourcesOf(stage) {
  const warehouses = [];
  const upstream = [];
  for (const req of stage?.spec?.requestedFreight ?? []) {
    if (req.sources?.direct) warehouses.push(req.origin?.name);
    for (const up of req.sources?.stages ?? []) upstream.push(up);
  }
  return { warehouses, upstream };
}

/** Columns: warehouses first, then each stage one column right of its deepest upstream. */
export function layout(warehouses, stages) {
  const depth = new Map();
  const byName = new Map(stages.map((s) => [s.metadata.name, s]));
  const visit = (name, seen = new Set()) => {
    if (depth.has(name)) return depth.get(name);
    if (seen.has(name)) return 1;
    seen.add(name);
    const { upstream } = sourcesOf(byName.get(name));
    const d = 1 + Math.max(0, ...upstream.filter((u) => byName.has(u)).map((u) => visit(u, seen)));
    depth.set(name, d);
    return d;
  };
  stages.forEach((s) => visit(s.metadata.name));
  const columns = [warehouses.map((w) => ({ kind: 'warehouse', item: w }))];
  for (const s of stages) (columns[depth.get(s.metadata.name)] ??= []).push({ kind: 'stage', item: s });
  return columns.filter(Boolean);
}

/** Stage names in pipeline order: by column, then by name. */
export function pipelineOrder(warehouses, stages) {
  return layout(warehouses, stages).slice(1).flat().map((n) => n.item.metadata.name);
}

/** The stages that take freight from `name`. */
export function downstreamOf(stages, name) {
  return stages.filter((s) => sourcesOf(s).upstream.includes(name)).map((s) => s.metadata.name);
}

export function currentFreightId(stage) {
  const items = stage.status?.freightHistory?.[0]?.items ?? {};
  return Object.values(items)[0]?.name;
}

export function freightLabel(freight, id) {
  const f = freight.find((x) => x.metadata.name === id);
  return f ? `${f.alias} (${f.images?.[0]?.tag ?? id.slice(0, 7)})` : id ? id.slice(0, 7) : '—';
}

/** The stage's latest verification: the one running, else the newest finished one. */
export function latestVerification(stage) {
  return stage.status?.currentVerification ?? stage.status?.freightHistory?.[0]?.verificationHistory?.[0];
}

export const actorOf = (p) => p.metadata?.annotations?.['kargo.akuity.io/create-actor'];
