/**
 * State a program keeps inside its pod. A workload that runs several pods (replicas > 1, or an
 * HPA that may scale it past one) must not keep per-request state in the pod: a follow-up
 * request that lands on another pod misses it. And state on an emptyDir (or the container's own
 * filesystem) is lost whenever the pod goes, whatever the replica count.
 *
 * Which paths hold state is program knowledge, so each program has a state model that reads
 * them from the configuration the manifests give it (for Llama Stack: its run config's SQLite
 * `db_path`s and file `storage_dir`s). The rules then look at where each path is mounted.
 */
import { llamaStackRunConfigsIn } from './llama-stack-run-config';
import { asArray, asRecord, containersOf, Finding, findingAt, ManifestObject, podSpecOf } from './model';

export const STATE_CHECKS = {
  emptyDir: 'state/pod-local',
  replicated: 'state/replicated-pod-local',
} as const;

/** A path a program writes state to. */
export interface StatePath {
  readonly workload: ManifestObject;
  readonly container: string;
  readonly path: string;
  /**
   * `sqlite`: a database file one process owns; `files`: plain files any pod could share on a
   * ReadWriteMany volume; `memory`: state the process keeps in memory behind an API route
   * (`path` is the route), safe with several pods only when the route is refused.
   */
  readonly kind: 'sqlite' | 'files' | 'memory';
  /** For `memory`: the program refuses the route to every caller. */
  readonly refused?: boolean;
  /** Where the path comes from, e.g. `run config storage.backends.kv_default.db_path`. */
  readonly source: string;
}

export type StateModel = (objects: readonly ManifestObject[]) => StatePath[];

/** Every string value under `key` anywhere in `node`, with its dotted path. */
function valuesOf(node: unknown, key: string, at = ''): { at: string; value: string }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => valuesOf(v, key, `${at}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => [
    ...(k === key && typeof v === 'string' ? [{ at: `${at}.${k}`.replace(/^\./, ''), value: v }] : []),
    ...valuesOf(v, key, `${at}.${k}`),
  ]);
}

/** Route decision of a Llama Stack `route_policy` for a caller no rule names: first match wins, no match denies (core/server/auth.py:213-245). */
function refusedToAll(policy: unknown, route: string): boolean {
  const rules = asArray(policy);
  if (rules.length === 0) return false;
  for (const rule of rules) {
    const scope = asRecord(rule.permit ?? rule.forbid);
    const matches = [scope.paths].flat().some((p: unknown) => typeof p === 'string'
      && (p === '*' || (p.endsWith('*') ? route.startsWith(p.slice(0, -1)) : p === route)));
    if (!matches) continue;
    // A conditional rule may match some caller: only an unconditional forbid refuses everyone.
    if (rule.forbid && !rule.when && !rule.unless) return true;
    if (rule.permit) return false;
  }
  return true;
}

/**
 * Llama Stack: every `db_path` is a SQLite file (the kv_sqlite/sql_sqlite backends and inline
 * vector stores such as sqlite-vec), every `storage_dir` a files directory (inline::localfs), and
 * the vector store registry lives in process memory (PER_POD_ROUTES in llama-stack-run-config.ts).
 */
export const llamaStackStateModel: StateModel = (objects) => llamaStackRunConfigsIn(objects).flatMap((r) => {
  const container = containersOf(podSpecOf(r.deployment.doc)).find((c) => asArray(c.command).includes('stack'))?.name ?? '';
  const policy = asRecord(asRecord(asRecord(r.runConfig).server).auth).route_policy;
  const vectorIo = asArray(asRecord(asRecord(r.runConfig).providers).vector_io).length > 0;
  return [
    ...(vectorIo ? [{
      workload: r.deployment, container, path: '/v1/vector_stores', kind: 'memory' as const,
      source: 'vector_io providers (store registry loaded at start only)', refused: refusedToAll(policy, '/v1/vector_stores'),
    }] : []),
    ...valuesOf(r.runConfig, 'db_path').map((v) => ({ workload: r.deployment, container, path: v.value, kind: 'sqlite' as const, source: `run config ${v.at}` })),
    ...valuesOf(r.runConfig, 'storage_dir').map((v) => ({ workload: r.deployment, container, path: v.value, kind: 'files' as const, source: `run config ${v.at}` })),
  ];
});

export const STATE_MODELS: readonly StateModel[] = [llamaStackStateModel];

/** The most pods the workload may run: its replicas, or the maxReplicas of an HPA that targets it. */
export function maxPods(objects: readonly ManifestObject[], workload: ManifestObject): { count: number; why: string } {
  const doc = workload.doc;
  const hpa = objects.find((o) => o.env === workload.env && o.doc?.kind === 'HorizontalPodAutoscaler'
    && o.doc.metadata?.namespace === doc.metadata?.namespace
    && o.doc.spec?.scaleTargetRef?.kind === doc.kind && o.doc.spec?.scaleTargetRef?.name === doc.metadata?.name);
  if (hpa) return { count: Number(hpa.doc.spec?.maxReplicas ?? 1), why: `HorizontalPodAutoscaler ${hpa.doc.metadata?.name} scales it to ${hpa.doc.spec?.maxReplicas}` };
  const replicas = Number(doc.spec?.replicas ?? 1);
  return { count: replicas, why: `replicas: ${replicas}` };
}

/** The volume behind the deepest mount that contains `path`, or undefined (the container's own filesystem). */
function volumeAt(workload: ManifestObject, containerName: string, path: string): { mountPath: string; volume: Record<string, any> } | undefined {
  const spec = asRecord(podSpecOf(workload.doc));
  const c = containersOf(spec).find((x) => x.name === containerName) ?? containersOf(spec)[0];
  const mounts = asArray(c?.volumeMounts)
    .filter((m: any) => typeof m?.mountPath === 'string' && (path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`)))
    .sort((a: any, b: any) => b.mountPath.length - a.mountPath.length);
  if (mounts.length === 0) return undefined;
  const volume = asArray(spec.volumes).find((v: any) => v?.name === mounts[0].name);
  return { mountPath: mounts[0].mountPath, volume: asRecord(volume) };
}

function claimAccessModes(objects: readonly ManifestObject[], workload: ManifestObject, claimName: unknown): string[] {
  const pvc = objects.find((o) => o.env === workload.env && o.doc?.kind === 'PersistentVolumeClaim'
    && o.doc.metadata?.namespace === workload.doc.metadata?.namespace && o.doc.metadata?.name === claimName);
  return asArray(pvc?.doc.spec?.accessModes);
}

/** Findings for every state path of every program with a state model (see the file comment). */
export function checkPodLocalState(objects: readonly ManifestObject[], models: readonly StateModel[] = STATE_MODELS): Finding[] {
  const findings: Finding[] = [];
  for (const s of models.flatMap((m) => m(objects))) {
    const pods = maxPods(objects, s.workload);
    if (s.kind === 'memory') {
      if (pods.count > 1 && !s.refused) {
        findings.push(findingAt(STATE_CHECKS.replicated, s.workload,
          `route ${s.path} (${s.source}) with ${pods.why}: each pod knows only what it made or loaded at start; allowed: refuse the route while replicated, or one replica`));
      }
      continue;
    }
    const at = volumeAt(s.workload, s.container, s.path);
    const what = `${s.kind === 'sqlite' ? 'SQLite database' : 'files directory'} ${s.path} (${s.source})`;
    if (!at || at.volume.emptyDir !== undefined) {
      findings.push(findingAt(STATE_CHECKS.emptyDir, s.workload,
        `${what} is ${at ? `on the emptyDir ${at.volume.name}` : 'on the container filesystem'}: lost whenever the pod is replaced; allowed: a PersistentVolumeClaim (one replica) or shared stores`));
    }
    if (pods.count <= 1) continue;
    if (s.kind === 'sqlite') {
      findings.push(findingAt(STATE_CHECKS.replicated, s.workload,
        `${what} with ${pods.why}: each pod would need the same SQLite file, which SQLite does not share between pods; allowed: a shared database backend, or one replica`));
    } else if (at?.volume.persistentVolumeClaim !== undefined) {
      const modes = claimAccessModes(objects, s.workload, at.volume.persistentVolumeClaim.claimName);
      if (!modes.includes('ReadWriteMany')) {
        findings.push(findingAt(STATE_CHECKS.replicated, s.workload,
          `${what} with ${pods.why} is on PersistentVolumeClaim ${at.volume.persistentVolumeClaim.claimName} (${modes.join(', ') || 'no access mode'}): the pods cannot all mount it; allowed: ReadWriteMany, or one replica`));
      }
    } else {
      findings.push(findingAt(STATE_CHECKS.replicated, s.workload,
        `${what} with ${pods.why} is on ${at ? `volume ${at.volume.name}` : 'the container filesystem'}, which the pods do not share; allowed: a ReadWriteMany PersistentVolumeClaim, or one replica`));
    }
  }
  return findings;
}
