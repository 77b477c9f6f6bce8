/**
 * Lookups across objects that several checks share: finding an object by kind and name within
 * an environment and namespace, which pods a Service selects, and whether a port exists.
 */
import {
  asArray, asRecord, containersOf, isRecord, kindOf, labelsMatch, ManifestObject, nameOf, namespaceOf,
  podLabelsOf, podSpecOf,
} from './model';

/** Objects grouped for lookup. Kinds are matched without group: the kinds looked up are all core. */
export class ObjectIndex {
  private readonly byKey = new Map<string, ManifestObject[]>();
  private readonly byNamespace = new Map<string, ManifestObject[]>();

  constructor(readonly objects: readonly ManifestObject[]) {
    for (const m of objects) {
      push(this.byKey, key(m.env, namespaceOf(m.doc), kindOf(m.doc), nameOf(m.doc)), m);
      push(this.byNamespace, key(m.env, namespaceOf(m.doc)), m);
    }
  }

  find(env: string, namespace: string, kind: string, name: string): ManifestObject | undefined {
    return this.byKey.get(key(env, namespace, kind, name))?.[0];
  }

  inNamespace(env: string, namespace: string): readonly ManifestObject[] {
    return this.byNamespace.get(key(env, namespace)) ?? [];
  }

  /** Objects that create pods, in one environment and namespace. */
  workloads(env: string, namespace: string): ManifestObject[] {
    return this.inNamespace(env, namespace).filter((m) => podSpecOf(m.doc) !== undefined);
  }
}

function key(...parts: string[]): string {
  return parts.join('\u0000');
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/**
 * The selector a Service routes by, or undefined when it routes to no pods of ours: ExternalName
 * Services and selector-less Services (endpoints managed by hand) are not wired to workloads.
 */
export function serviceSelectorOf(doc: any): Record<string, unknown> | undefined {
  const spec = asRecord(asRecord(doc).spec);
  if (spec.type === 'ExternalName') return undefined;
  const selector = asRecord(spec.selector);
  return Object.keys(selector).length > 0 ? selector : undefined;
}

/** Workloads in the Service's environment and namespace whose pods the Service selects. */
export function workloadsSelectedBy(index: ObjectIndex, service: ManifestObject): ManifestObject[] {
  const selector = serviceSelectorOf(service.doc);
  if (!selector) return [];
  return index.workloads(service.env, namespaceOf(service.doc))
    .filter((w) => labelsMatch(selector, podLabelsOf(w.doc)));
}

/** The port a Service port forwards to: `targetPort`, defaulting to `port` as Kubernetes does. */
export function targetPortOf(servicePort: unknown): unknown {
  const p = asRecord(servicePort);
  return p.targetPort ?? p.port;
}

/** Whether a container declares `port`: a number matches containerPort, a string the port name. */
export function containerDeclaresPort(container: unknown, port: unknown): boolean {
  return asArray(asRecord(container).ports).some((p) => isRecord(p)
    && (typeof port === 'number' ? p.containerPort === port : typeof port === 'string' && p.name === port));
}

/** Whether some container of the workload's pods declares `port`. */
export function podDeclaresPort(workload: any, port: unknown): boolean {
  return containersOf(podSpecOf(workload)).some((c) => containerDeclaresPort(c, port));
}

/** Index of the Service port matching a number (`port`) or a name, -1 when none does. */
export function servicePortIndex(service: any, port: unknown): number {
  return asArray(asRecord(asRecord(service).spec).ports).findIndex((p) => isRecord(p)
    && (typeof port === 'number' ? p.port === port : typeof port === 'string' && p.name === port));
}

/** Quoted for messages, so that `8080` and `'http'` read differently. */
export function showPort(port: unknown): string {
  return typeof port === 'string' ? `'${port}'` : String(port);
}
