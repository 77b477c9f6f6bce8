/**
 * Argo CD Applications against the tree they deploy: a path that does not exist makes the app
 * fail to generate manifests, and an object whose namespace differs from the destination lands
 * somewhere other than the app's namespace (or, without a namespace, wherever Argo defaults).
 */
import * as path from 'path';
import {
  asArray, asRecord, asString, Dist, Finding, findingAt, groupOf, isClusterScoped, isRecord, kindOf, ManifestObject,
  namespaceOf, objectId,
} from './model';

export const ARGO_CHECKS = {
  pathExists: 'wiring/app-path-exists',
  namespaceMatch: 'wiring/app-namespace-match',
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
