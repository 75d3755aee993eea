/**
 * The object store behind the fake Kubernetes API server: objects by resource, namespace and
 * name, one global resourceVersion counter, and an event log that watches replay from a given
 * resourceVersion (as the real server's watch cache does).
 */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata: Record<string, unknown> & {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
};

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  resource: string;
  namespace: string;
  type: WatchEventType;
  object: KubeObject;
  resourceVersion: number;
}

type Listener = (event: StoreEvent) => void;

const clone = <T>(v: T): T => structuredClone(v);

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly log: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private rv = 1000;
  private uid = 0;

  private key(resource: string, namespace: string, name: string): string {
    return `${resource}/${namespace}/${name}`;
  }

  get currentResourceVersion(): string {
    return String(this.rv);
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects.get(this.key(resource, namespace, name));
    return o ? clone(o) : undefined;
  }

  list(resource: string, namespace: string): KubeObject[] {
    const prefix = `${resource}/${namespace}/`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, o]) => clone(o))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  /** Creates or replaces, stamping metadata as the API server does. */
  write(resource: string, namespace: string, obj: KubeObject): KubeObject {
    const key = this.key(resource, namespace, obj.metadata.name);
    const existing = this.objects.get(key);
    const stored = clone(obj);
    this.rv += 1;
    stored.metadata.namespace = namespace;
    stored.metadata.resourceVersion = String(this.rv);
    stored.metadata['uid'] = existing?.metadata['uid'] ?? `uid-${++this.uid}`;
    stored.metadata['creationTimestamp'] = existing?.metadata['creationTimestamp'] ?? new Date().toISOString();
    // As the real server: generation counts changes of the spec (or, without one, of the object), not every write.
    const generation = Number(existing?.metadata['generation'] ?? 0);
    const specChanged = !existing || JSON.stringify(existing['spec'] ?? null) !== JSON.stringify(stored['spec'] ?? null) || (stored['spec'] === undefined && JSON.stringify({ ...existing, metadata: null }) !== JSON.stringify({ ...stored, metadata: null }));
    stored.metadata['generation'] = specChanged ? generation + 1 : generation;
    this.objects.set(key, stored);
    this.emit({ resource, namespace, type: existing ? 'MODIFIED' : 'ADDED', object: clone(stored), resourceVersion: this.rv });
    return clone(stored);
  }

  delete(resource: string, namespace: string, name: string): KubeObject | undefined {
    const key = this.key(resource, namespace, name);
    const existing = this.objects.get(key);
    if (!existing) return undefined;
    this.objects.delete(key);
    this.rv += 1;
    const gone = clone(existing);
    gone.metadata.resourceVersion = String(this.rv);
    this.emit({ resource, namespace, type: 'DELETED', object: clone(gone), resourceVersion: this.rv });
    return gone;
  }

  /** Events after `resourceVersion`, or undefined when the log no longer reaches back that far. */
  eventsSince(resource: string, namespace: string, resourceVersion: number): StoreEvent[] {
    return this.log.filter((e) => e.resource === resource && e.namespace === namespace && e.resourceVersion > resourceVersion);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.log.push(event);
    if (this.log.length > 10_000) this.log.shift();
    for (const l of [...this.listeners]) l(event);
  }
}
