/** Builds the per-environment context the checks read other objects through. */
import { kmcpWorkloads } from '../checks/kmcp-workloads';
import { ObjectIndex } from '../checks/lookup';
import { kindOf, ManifestObject, namespaceOf, podSpecOf } from '../checks/model';
import { PolicyContext } from './model';

function groupBy<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** A context over `objects`, which must all belong to environment `env`. */
export function contextFor(env: string, objects: readonly ManifestObject[]): PolicyContext {
  const index = new ObjectIndex(objects);
  const byNamespace = groupBy(objects, (m) => namespaceOf(m.doc));
  const byKind = groupBy(objects, (m) => kindOf(m.doc));
  // Pods created by controllers from our custom resources count as pods of their namespace too.
  const workloads = [...objects.filter((m) => podSpecOf(m.doc) !== undefined), ...kmcpWorkloads(objects)];
  const workloadsByNamespace = groupBy(workloads, (m) => namespaceOf(m.doc));
  return {
    env,
    objects,
    index,
    inNamespace: (ns) => byNamespace.get(ns) ?? [],
    workloads: (ns) => workloadsByNamespace.get(ns) ?? [],
    ofKind: (kind, ns) => (byKind.get(kind) ?? []).filter((m) => ns === undefined || namespaceOf(m.doc) === ns),
  };
}

/** One context per environment, in first-seen order of the environments. */
export function contextsByEnv(objects: readonly ManifestObject[]): Map<string, PolicyContext> {
  const out = new Map<string, PolicyContext>();
  for (const [env, list] of groupBy(objects, (m) => m.env)) out.set(env, contextFor(env, list));
  return out;
}
