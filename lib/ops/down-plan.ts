/**
 * Pure planning step of `npm run down`: delete the app's objects but keep what holds data.
 * The Namespace and every PersistentVolumeClaim (the app's own and those a StatefulSet's
 * volumeClaimTemplates created) stay unless `--delete-namespace` / `--delete-data` say otherwise.
 * Every delete carries `--ignore-not-found`, so a second run finds nothing and changes nothing.
 */
import { OpsApp, OpsEnvironment } from './environment';
import { K8sObject, KubectlCall, call, resourceRef } from './kubectl';

export interface DownOptions {
  readonly deleteNamespace: boolean;
  readonly deleteData: boolean;
}

export interface ObservedDown {
  /** namespace -> names of the PersistentVolumeClaims in it. */
  readonly pvcs: ReadonlyMap<string, readonly string[]>;
}

export interface DownPlan {
  readonly errors: readonly string[];
  readonly lines: readonly string[];
  readonly calls: readonly KubectlCall[];
}

/** Namespaces holding the app's namespaced objects (whose PVCs `down` looks at). */
export function appNamespaces(app: OpsApp): string[] {
  return [...new Set(app.objects.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])))];
}

/** PVCs of the app: declared ones plus `<template>-<statefulset>-<ordinal>` found in the cluster. */
export function appClaims(app: OpsApp, observed: ObservedDown): { namespace: string; name: string }[] {
  const declared = app.objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => ({ namespace: o.metadata.namespace!, name: o.metadata.name }));
  const fromTemplates = app.objects.filter((o) => o.kind === 'StatefulSet').flatMap((sts) =>
    (sts.spec?.volumeClaimTemplates ?? []).flatMap((t: { metadata: { name: string } }) => {
      const pattern = new RegExp(`^${escape(t.metadata.name)}-${escape(sts.metadata.name)}-\\d+$`);
      return (observed.pvcs.get(sts.metadata.namespace!) ?? []).filter((n) => pattern.test(n)).map((name) => ({ namespace: sts.metadata.namespace!, name }));
    }));
  const seen = new Set<string>();
  return [...declared, ...fromTemplates].filter((c) => !seen.has(`${c.namespace}/${c.name}`) && !!seen.add(`${c.namespace}/${c.name}`));
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function groupByNamespace(objects: readonly K8sObject[]): Map<string, K8sObject[]> {
  const groups = new Map<string, K8sObject[]>();
  for (const o of objects) groups.set(o.metadata.namespace ?? '', [...(groups.get(o.metadata.namespace ?? '') ?? []), o]);
  return groups;
}

export function planDown(model: OpsEnvironment, app: OpsApp, observed: ObservedDown, options: DownOptions): DownPlan {
  const context = model.kubeContext;
  const namespaces = app.objects.filter((o) => o.kind === 'Namespace');
  if (options.deleteNamespace && !options.deleteData && namespaces.length > 0) {
    return {
      errors: [`--delete-namespace deletes every PersistentVolumeClaim in ${namespaces.map((n) => n.metadata.name).join(', ')} `
        + 'and the data on them; add --delete-data to confirm, or leave the Namespace'],
      lines: [],
      calls: [],
    };
  }

  const deleteArgs = ['delete', '--ignore-not-found'];
  const calls: KubectlCall[] = [];
  const workload = app.objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'PersistentVolumeClaim');
  // Cluster-scoped objects (ClusterRoles, bindings) first carry no namespace; the rest go per namespace.
  for (const [ns, objs] of groupByNamespace(workload)) {
    calls.push(call(context, [...(ns ? ['-n', ns] : []), ...deleteArgs, ...objs.map(resourceRef)]));
  }

  const claims = appClaims(app, observed);
  const lines = [`Down ${model.name}/${app.name} (context ${context}): delete the ${workload.length} objects of ${app.dir}/ (missing ones are ignored).`];
  if (options.deleteData) {
    for (const [ns, group] of groupByNamespace(claims.map((c) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: c })))) {
      calls.push(call(context, ['-n', ns, ...deleteArgs, ...group.map(resourceRef)]));
    }
    lines.push(`  delete PersistentVolumeClaims ${claims.map((c) => `${c.namespace}/${c.name}`).join(', ') || '(none found)'} and their data (--delete-data)`);
  } else {
    lines.push(`  keep   PersistentVolumeClaims ${claims.map((c) => `${c.namespace}/${c.name}`).join(', ') || '(none found)'}; --delete-data deletes them`);
  }
  if (options.deleteNamespace) {
    calls.push(call(context, [...deleteArgs, ...namespaces.map(resourceRef)]));
    lines.push(`  delete Namespace ${namespaces.map((n) => n.metadata.name).join(', ')} with everything left in it, Secrets included (--delete-namespace)`);
  } else if (namespaces.length > 0) {
    lines.push(`  keep   Namespace ${namespaces.map((n) => n.metadata.name).join(', ')} and its Secrets; --delete-namespace --delete-data deletes it`);
  }
  return { errors: [], lines, calls };
}
