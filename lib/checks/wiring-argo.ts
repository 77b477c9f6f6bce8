/**
 * Argo CD Applications against the tree they deploy: a path that does not exist makes the app
 * fail to generate manifests, and an object whose namespace differs from the destination lands
 * somewhere other than the app's namespace (or, without a namespace, wherever Argo defaults).
 */
import * as path from 'path';
import { ObjectIndex } from './lookup';
import {
  asArray, asRecord, asString, Dist, Finding, findingAt, groupOf, isClusterScoped, isRecord, kindOf, ManifestObject,
  namespaceOf, objectId, podSpecOf, podSpecPathOf,
} from './model';
import { refsOf } from './wiring-refs';

export const ARGO_CHECKS = {
  pathExists: 'wiring/app-path-exists',
  namespaceMatch: 'wiring/app-namespace-match',
  hooks: 'wiring/argo-hooks',
} as const;

interface DirSource {
  readonly path: string;
  readonly field: string;
  readonly recurse: boolean;
}

function isApplication(doc: any): boolean {
  return kindOf(doc) === 'Application' && groupOf(asRecord(doc).apiVersion) === 'argoproj.io';
}

/** `./dist/x/` and `dist/x` name the same folder. */
function normalizePath(p: string): string {
  return path.posix.normalize(p).replace(/^\.\//, '').replace(/\/+$/, '');
}

/**
 * Sources that read a folder of this repository. Helm chart sources (`chart`) and `ref`-only
 * sources have no folder here; a path in another git repository cannot be told apart, so any
 * set path is taken to be ours (all our Applications point at this repo's dist).
 */
function dirSources(doc: any): DirSource[] {
  const spec = asRecord(asRecord(doc).spec);
  const candidates: Array<[unknown, string]> = [
    ...(isRecord(spec.source) ? [[spec.source, 'spec.source'] as [unknown, string]] : []),
    ...asArray(spec.sources).map((s, i) => [s, `spec.sources[${i}]`] as [unknown, string]),
  ];
  const out: DirSource[] = [];
  for (const [src, field] of candidates) {
    const s = asRecord(src);
    const p = asString(s.path);
    if (p === undefined || s.chart !== undefined) continue;
    out.push({ path: normalizePath(p), field: `${field}.path`, recurse: asRecord(s.directory).recurse === true });
  }
  return out;
}

export function checkAppPathsExist(dist: Pick<Dist, 'objects' | 'dirs'>): Finding[] {
  const findings: Finding[] = [];
  for (const app of dist.objects.filter((m) => isApplication(m.doc))) {
    for (const src of dirSources(app.doc).filter((s) => !dist.dirs.has(s.path))) {
      findings.push(findingAt(ARGO_CHECKS.pathExists, app, `source path '${src.path}' is not a directory of the synthesized tree`, src.field));
    }
  }
  return findings;
}

/** Objects Argo reads from a directory source: top level only unless `directory.recurse`. */
function objectsIn(objects: readonly ManifestObject[], src: DirSource): ManifestObject[] {
  return objects.filter((m) => (src.recurse ? m.file.startsWith(`${src.path}/`) : path.posix.dirname(m.file) === src.path));
}

export function checkAppNamespaces(dist: Pick<Dist, 'objects' | 'dirs'>): Finding[] {
  const findings: Finding[] = [];
  for (const app of dist.objects.filter((m) => isApplication(m.doc))) {
    const dest = asString(asRecord(asRecord(app.doc.spec).destination).namespace);
    const shownDest = dest === undefined ? 'no destination.namespace' : `destination namespace '${dest}'`;
    for (const src of dirSources(app.doc)) {
      for (const m of objectsIn(dist.objects, src)) {
        if (isClusterScoped(kindOf(m.doc))) continue;
        const ns = namespaceOf(m.doc);
        if (ns === dest) continue;
        findings.push(findingAt(ARGO_CHECKS.namespaceMatch, m, ns
          ? `has namespace '${ns}' but ${objectId(app.doc)} deploys '${src.path}' with ${shownDest}`
          : `has no metadata.namespace; ${objectId(app.doc)} deploys '${src.path}' with ${shownDest} and every namespaced object must name it`,
        'metadata.namespace'));
      }
    }
  }
  return findings;
}

export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
/** Argo CD 3.x resource hooks and delete policies (user-guide/resource_hooks). */
const HOOK_PHASES = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'PostDelete', 'Skip'];
const DELETE_POLICIES = ['HookSucceeded', 'HookFailed', 'BeforeHookCreation'];

function annotationList(doc: any, key: string): string[] | undefined {
  const value = asRecord(asRecord(asRecord(doc).metadata).annotations)[key];
  if (value === undefined) return undefined;
  return String(value).split(',').map((v) => v.trim());
}

/** The hook phases of an object; undefined for a normal resource. */
export function hookPhasesOf(doc: any): string[] | undefined {
  return annotationList(doc, HOOK_ANNOTATION);
}

/**
 * Argo CD hook annotations: a misspelled phase or delete policy is silently ignored by Argo (the
 * object becomes a normal resource, or is never cleaned up); a delete policy without a hook does
 * nothing. A pod may reference (ConfigMap, Secret, PVC, ServiceAccount) only normal resources:
 * hook objects exist only from their phase on and are deleted by their delete policy, so a
 * PostSync Job's script in a hook ConfigMap could be missing or gone when its pod starts.
 */
export function checkArgoHooks(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  const index = new ObjectIndex(objects);
  const field = (key: string) => `metadata.annotations["${key}"]`;
  for (const m of objects) {
    const phases = hookPhasesOf(m.doc);
    for (const phase of (phases ?? []).filter((p) => !HOOK_PHASES.includes(p))) {
      findings.push(findingAt(ARGO_CHECKS.hooks, m, `hook phase '${phase}' is not one Argo CD knows; allowed: ${HOOK_PHASES.join(', ')}`, field(HOOK_ANNOTATION)));
    }
    const policies = annotationList(m.doc, HOOK_DELETE_POLICY_ANNOTATION);
    for (const policy of (policies ?? []).filter((p) => !DELETE_POLICIES.includes(p))) {
      findings.push(findingAt(ARGO_CHECKS.hooks, m, `hook delete policy '${policy}' is not one Argo CD knows; allowed: ${DELETE_POLICIES.join(', ')}`,
        field(HOOK_DELETE_POLICY_ANNOTATION)));
    }
    if (policies && !phases) {
      findings.push(findingAt(ARGO_CHECKS.hooks, m, `has a hook delete policy but no ${HOOK_ANNOTATION} annotation, so it is a normal resource and the policy does nothing`,
        field(HOOK_DELETE_POLICY_ANNOTATION)));
    }

    const spec = podSpecOf(m.doc);
    if (!spec) continue;
    const ns = namespaceOf(m.doc);
    const refs: Array<{ kind: string; name: unknown; field: string }> = refsOf(m.doc).filter((r) => r.usage !== 'tls');
    const sa = spec.serviceAccountName ?? spec.serviceAccount;
    if (sa !== undefined) refs.push({ kind: 'ServiceAccount', name: sa, field: `${podSpecPathOf(kindOf(m.doc))}.serviceAccountName` });
    for (const r of refs) {
      const target = index.find(m.env, ns, r.kind, asString(r.name) ?? '');
      const targetPhases = target && hookPhasesOf(target.doc);
      if (!targetPhases) continue;
      findings.push(findingAt(ARGO_CHECKS.hooks, m, `references ${r.kind} '${String(r.name)}', which is an Argo CD ${targetPhases.join(',')} hook: `
        + 'hooks exist only from their phase on and are deleted by their delete policy, so it may be missing when this pod starts; make it a normal resource',
      r.field));
    }
  }
  return findings;
}
