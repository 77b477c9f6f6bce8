/**
 * Finding the Penpot workloads of a namespace and reading their main container, so that the
 * Penpot rules (penpot.ts) can talk about "the backend" instead of walking manifests.
 */
import {
  asArray, asRecord, asString, isRecord, ManifestObject, namespaceOf, podLabelsOf, podSpecOf, podSpecPathOf, kindOf,
} from './model';

export const COMPONENTS = ['frontend', 'backend', 'exporter'] as const;
export type Component = (typeof COMPONENTS)[number];

/** Penpot workloads of one environment and namespace, by component (several when misconfigured). */
export interface PenpotInstall {
  readonly env: string;
  readonly namespace: string;
  readonly workloads: ReadonlyMap<Component, readonly ManifestObject[]>;
}

/** The Penpot component a workload runs, from `app.kubernetes.io/name: penpot` + `.../component`. */
export function penpotComponentOf(doc: any): Component | undefined {
  if (podSpecOf(doc) === undefined) return undefined;
  // Pod labels win; object labels are accepted because some generators label only the object.
  const labels = { ...asRecord(asRecord(asRecord(doc).metadata).labels), ...podLabelsOf(doc) };
  if (labels['app.kubernetes.io/name'] !== 'penpot') return undefined;
  const component = labels['app.kubernetes.io/component'];
  return (COMPONENTS as readonly unknown[]).includes(component) ? (component as Component) : undefined;
}

export function findPenpotInstalls(objects: readonly ManifestObject[]): PenpotInstall[] {
  const installs = new Map<string, { env: string; namespace: string; workloads: Map<Component, ManifestObject[]> }>();
  for (const m of objects) {
    const component = penpotComponentOf(m.doc);
    if (!component) continue;
    const namespace = namespaceOf(m.doc);
    const key = `${m.env}\u0000${namespace}`;
    const install = installs.get(key) ?? { env: m.env, namespace, workloads: new Map() };
    installs.set(key, install);
    install.workloads.set(component, [...(install.workloads.get(component) ?? []), m]);
  }
  return [...installs.values()];
}

export interface MainContainer {
  readonly container: Record<string, any>;
  readonly field: string;
}

/** The container running the component: named like it (or `penpot-<component>`), else the first. */
export function mainContainerOf(doc: any, component: Component): MainContainer | undefined {
  const containers = asArray(podSpecOf(doc)?.containers);
  let i = containers.findIndex((c) => isRecord(c) && (c.name === component || c.name === `penpot-${component}`));
  if (i < 0) i = containers.findIndex(isRecord);
  if (i < 0) return undefined;
  return { container: containers[i], field: `${podSpecPathOf(kindOf(doc))}.containers[${i}]` };
}

export interface EnvEntry {
  readonly index: number;
  /** The literal `value`, undefined when the variable comes from `valueFrom`. */
  readonly value?: string;
  readonly valueFrom?: Record<string, any>;
  readonly field: string;
}

/** The entry Kubernetes uses for `name` (the last one when set twice), or undefined. */
export function envOf(main: MainContainer, name: string): EnvEntry | undefined {
  const env = asArray(main.container.env);
  for (let i = env.length - 1; i >= 0; i--) {
    const e = asRecord(env[i]);
    if (e.name !== name) continue;
    const valueFrom = isRecord(e.valueFrom) ? e.valueFrom : undefined;
    // Kubernetes treats an absent value without valueFrom as the empty string.
    const value = valueFrom ? undefined : (asString(e.value) ?? (e.value === undefined ? '' : String(e.value)));
    return { index: i, value, valueFrom, field: `${main.field}.env[${i}]` };
  }
  return undefined;
}
