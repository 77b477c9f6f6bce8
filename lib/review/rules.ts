/**
 * Which changes between two syntheses Argo CD cannot apply or that risk data, and what to do
 * about each. Facts from the Kubernetes API's validation (apps/v1, core/v1, batch/v1):
 * - StatefulSet: only replicas, template, updateStrategy, persistentVolumeClaimRetentionPolicy,
 *   minReadySeconds, ordinals and revisionHistoryLimit may change ("spec: Forbidden: updates to
 *   statefulset spec for fields other than ... are forbidden").
 * - Deployment, ReplicaSet, DaemonSet: spec.selector is immutable in apps/v1. Job: spec.selector
 *   and spec.template are immutable.
 * - PersistentVolumeClaim: after creation only spec.resources.requests may change, and only
 *   upwards, when the StorageClass allows expansion.
 * - Service: spec.clusterIP is immutable (which also forbids turning headless on or off);
 *   moving to or from ExternalName needs the clusterIP cleared.
 * Argo CD hooks (deleted and recreated each sync) and the operations folder (applied by hand,
 * never synced) are exempt from the immutability rules.
 */
import { describe } from './objects';
import { parseQuantity } from './quantity';
import { ContractSecret, FieldChange, ObjectChange, ReviewObject, ReviewWarning } from './model';

const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
const OPERATIONS_FOLDER = 'operations/';
const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const POD_SECURITY_ORDER = ['privileged', 'baseline', 'restricted'];
const STATEFULSET_MUTABLE = ['replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals', 'revisionHistoryLimit'];
const SELECTOR_KINDS = ['Deployment', 'ReplicaSet', 'DaemonSet'];
const PVC_IMMUTABLE = ['storageClassName', 'accessModes', 'volumeMode', 'volumeName', 'selector', 'dataSource', 'dataSourceRef'];

export interface RuleContext {
  readonly env: string;
  /** kubectl context of the environment; commands carry `--context` when known. */
  readonly kubeContext?: string;
}

type Changed = Extract<ObjectChange, { type: 'changed' }>;

/** Where the backup and restore runbook of the environment is. */
function backupHint(ctx: RuleContext): string {
  return `back up (dist/${ctx.env}/OPERATIONS.md, backup and restore)`;
}

function kubectl(ctx: RuleContext, namespace: string | undefined, rest: string): string {
  return `\`kubectl${ctx.kubeContext ? ` --context ${ctx.kubeContext}` : ''}${namespace ? ` -n ${namespace}` : ''} ${rest}\``;
}

export function showValue(v: unknown): string {
  if (v === undefined) return '(none)';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function showChange(c: FieldChange): string {
  return `${c.path} ${showValue(c.before)} -> ${showValue(c.after)}`;
}

function under(fields: readonly FieldChange[], prefix: string): FieldChange[] {
  return fields.filter((f) => f.path === prefix || f.path.startsWith(`${prefix}.`) || f.path.startsWith(`${prefix}[`));
}

function warning(ctx: RuleContext, level: ReviewWarning['level'], o: ReviewObject, problem: string, action: string): ReviewWarning {
  return { level, env: ctx.env, subject: describe(o), problem, action };
}

function exempt(o: ReviewObject): boolean {
  return o.file.startsWith(OPERATIONS_FOLDER) || o.doc?.metadata?.annotations?.[HOOK_ANNOTATION] !== undefined;
}

/** Names of the claims a StatefulSet's controller made from its templates: `<template>-<set>-<ordinal>`. */
function statefulSetClaims(o: ReviewObject): string[] {
  const replicas = Number(o.doc?.spec?.replicas ?? 1);
  const start = Number(o.doc?.spec?.ordinals?.start ?? 0);
  return (o.doc?.spec?.volumeClaimTemplates ?? []).flatMap((t: any) =>
    Array.from({ length: Math.max(replicas, 1) }, (_, i) => `${t?.metadata?.name}-${o.name}-${start + i}`));
}

function statefulSetWarnings(ctx: RuleContext, c: Changed): ReviewWarning[] {
  const forbidden = c.fields.filter((f) => f.path.startsWith('spec.') && !STATEFULSET_MUTABLE.some((m) => under([f], `spec.${m}`).length > 0));
  if (forbidden.length === 0) return [];
  const ns = c.after.namespace;
  const claims = statefulSetClaims(c.before);
  const selectorChanged = under(forbidden, 'spec.selector').length > 0;
  const steps = [selectorChanged
    ? `Delete the StatefulSet (its claims stay): ${kubectl(ctx, ns, `delete statefulset ${c.after.name}`)}, then sync: the new one starts its pods and re-attaches the claims (a short outage).`
    : `Delete the StatefulSet but not its pods: ${kubectl(ctx, ns, `delete statefulset ${c.after.name} --cascade=orphan`)}, then sync: the new one adopts the running pods and their claims (no restart, no data loss).`];
  const templates = under(forbidden, 'spec.volumeClaimTemplates');
  const sizes = templates.filter((f) => f.path.endsWith('.resources.requests.storage'));
  for (const s of sizes) {
    const [before, after] = [parseQuantity(s.before), parseQuantity(s.after)];
    if (before !== undefined && after !== undefined && after > before) {
      steps.push(`Existing claims keep their size; grow each (${claims.join(', ')}) with `
        + `${kubectl(ctx, ns, `patch pvc ${claims[0]} -p '{"spec":{"resources":{"requests":{"storage":"${s.after}"}}}}'`)}: `
        + `this works only if the claim's StorageClass has allowVolumeExpansion: true (local-path has not: then ${backupHint(ctx)}, delete the claim, sync and restore).`);
    } else if (before !== undefined && after !== undefined && after < before) {
      steps.push(`Claims never shrink: the existing ones (${claims.join(', ')}) keep ${s.before}; only a new claim (back up, delete it, sync, restore) gets ${s.after}.`);
    }
  }
  if (templates.some((f) => /\.(storageClassName|accessModes)$/.test(f.path))) {
    steps.push(`Existing claims (${claims.join(', ')}) keep their class and access modes (a claim cannot change them): to move the data, ${backupHint(ctx)}, `
      + `delete the StatefulSet and the claims, sync, then restore.`);
  }
  return [warning(ctx, 'blocking', c.after,
    `changes ${forbidden.map(showChange).join('; ')}. Kubernetes refuses updates to these fields of a StatefulSet: the Argo CD sync fails.`,
    steps.join(' '))];
}

function selectorWarnings(ctx: RuleContext, c: Changed): ReviewWarning[] {
  const changed = under(c.fields, 'spec.selector');
  if (changed.length === 0) return [];
  const kind = c.after.kind.toLowerCase();
  return [warning(ctx, 'blocking', c.after,
    `changes ${changed.map(showChange).join('; ')}. A ${c.after.kind}'s selector is immutable: the Argo CD sync fails.`,
    `Delete it: ${kubectl(ctx, c.after.namespace, `delete ${kind} ${c.after.name}`)}, then sync: its pods are recreated (a short outage).`)];
}

function jobWarnings(ctx: RuleContext, c: Changed): ReviewWarning[] {
  const changed = [...under(c.fields, 'spec.selector'), ...under(c.fields, 'spec.template')];
  if (changed.length === 0) return [];
  return [warning(ctx, 'blocking', c.after,
    `changes ${changed.map(showChange).join('; ')}. A Job's selector and pod template are immutable: the Argo CD sync fails.`,
    `Delete the Job once it has finished: ${kubectl(ctx, c.after.namespace, `delete job ${c.after.name}`)}, then sync.`)];
}

function claimWarnings(ctx: RuleContext, c: Changed): ReviewWarning[] {
  const out: ReviewWarning[] = [];
  const ns = c.after.namespace;
  const immutable = PVC_IMMUTABLE.flatMap((f) => under(c.fields, `spec.${f}`));
  const move = `${backupHint(ctx)}, scale its readers to 0, delete it (${kubectl(ctx, ns, `delete pvc ${c.after.name}`)}), sync, then restore`;
  if (immutable.length > 0) {
    out.push(warning(ctx, 'blocking', c.after,
      `changes ${immutable.map(showChange).join('; ')}. A claim's class, access modes and volume cannot change: the Argo CD sync fails, and the data stays on the old volume.`,
      `Keep the old value in the configuration, or move the data: ${move}.`));
  }
  for (const s of under(c.fields, 'spec.resources.requests.storage')) {
    const [before, after] = [parseQuantity(s.before), parseQuantity(s.after)];
    if (before === undefined || after === undefined || after === before) continue;
    if (after < before) {
      out.push(warning(ctx, 'blocking', c.after, `shrinks from ${s.before} to ${s.after}. Claims cannot shrink: the Argo CD sync fails.`,
        `Keep ${s.before}, or recreate the claim smaller: ${move}.`));
    } else {
      out.push(warning(ctx, 'caution', c.after, `grows from ${s.before} to ${s.after}. This applies only when its StorageClass has allowVolumeExpansion: true; otherwise the sync fails.`,
        `Check first: \`kubectl get storageclass ${c.after.doc?.spec?.storageClassName ?? '<class>'} -o jsonpath={.allowVolumeExpansion}\` prints true. If not: ${move}.`));
    }
  }
  return out;
}

function serviceWarnings(ctx: RuleContext, c: Changed): ReviewWarning[] {
  const ip = under(c.fields, 'spec.clusterIP').filter((f) => f.before !== undefined || f.after !== undefined);
  const type = under(c.fields, 'spec.type').filter((f) => f.before === 'ExternalName' || f.after === 'ExternalName');
  if (ip.length + type.length === 0) return [];
  return [warning(ctx, 'blocking', c.after,
    `changes ${[...ip, ...type].map(showChange).join('; ')}. A Service's clusterIP is immutable (headless or not is fixed at creation): the Argo CD sync fails.`,
    `Delete the Service: ${kubectl(ctx, c.after.namespace, `delete service ${c.after.name}`)}, then sync (clients lose it for a moment).`)];
}

function podSecurityWarnings(ctx: RuleContext, c: Changed): ReviewWarning[] {
  const before = c.before.doc?.metadata?.labels?.[ENFORCE_LABEL] ?? 'privileged';
  const after = c.after.doc?.metadata?.labels?.[ENFORCE_LABEL] ?? 'privileged';
  if (before === after) return [];
  const stricter = POD_SECURITY_ORDER.indexOf(after) > POD_SECURITY_ORDER.indexOf(before);
  return [warning(ctx, 'caution', c.after,
    `Pod Security level changes from ${before} to ${after} (label ${ENFORCE_LABEL}). `
      + (stricter
        ? `From the sync on, the namespace refuses new pods that do not meet ${after}; running pods keep running until replaced.`
        : `Pods of ${c.after.name} may then run with less isolation than ${before} allows.`),
    stricter
      ? `Before the sync, list the running pods that would be refused: ${kubectl(ctx, undefined, `label --dry-run=server --overwrite namespace ${c.after.name} ${ENFORCE_LABEL}=${after}`)} (one warning per pod); the synthesized pods meet it (npm run policy).`
      : `Make sure this is meant (it follows from the configuration, e.g. hostPath-backed storage needs a root init container).`)];
}

/** Warnings about one changed object. */
export function changeWarnings(ctx: RuleContext, c: Changed): ReviewWarning[] {
  if (c.after.kind === 'Namespace') return podSecurityWarnings(ctx, c);
  if (exempt(c.after)) return [];
  switch (c.after.kind) {
    case 'StatefulSet': return statefulSetWarnings(ctx, c);
    case 'Job': return jobWarnings(ctx, c);
    case 'PersistentVolumeClaim': return claimWarnings(ctx, c);
    case 'Service': return serviceWarnings(ctx, c);
    default: return SELECTOR_KINDS.includes(c.after.kind) ? selectorWarnings(ctx, c) : [];
  }
}

/** Claims an object mounts (kMCP MCPServer volumes). */
function mountedClaims(o: ReviewObject): string[] {
  const volumes = o.doc?.spec?.deployment?.volumes ?? o.doc?.spec?.template?.spec?.volumes ?? [];
  return volumes.flatMap((v: any) => (v?.persistentVolumeClaim?.claimName ? [String(v.persistentVolumeClaim.claimName)] : []));
}

/** Objects whose removal loses or strands data. */
function holdsData(o: ReviewObject): boolean {
  if (o.kind === 'PersistentVolumeClaim' || o.kind === 'Namespace') return true;
  if (o.kind === 'StatefulSet') return (o.doc?.spec?.volumeClaimTemplates ?? []).length > 0;
  if (o.kind === 'MCPServer') return mountedClaims(o).length > 0;
  return false;
}

/** Where a removed object went: the same name in another namespace, or the only new object of its kind beside it. */
function successor(removed: ReviewObject, removedAll: readonly ReviewObject[], added: readonly ReviewObject[]): { how: 'moved' | 'renamed'; to: ReviewObject } | undefined {
  const sameKind = added.filter((a) => a.kind === removed.kind);
  const moved = sameKind.find((a) => a.name === removed.name && a.namespace !== removed.namespace);
  if (moved) return { how: 'moved', to: moved };
  const beside = sameKind.filter((a) => a.namespace === removed.namespace);
  const gone = removedAll.filter((r) => r.kind === removed.kind && r.namespace === removed.namespace);
  return beside.length === 1 && gone.length === 1 ? { how: 'renamed', to: beside[0] } : undefined;
}

function fate(s: ReturnType<typeof successor>, noun: string): string {
  if (!s) return 'removed';
  return s.how === 'moved'
    ? `moved to namespace ${s.to.namespace} (objects cannot change namespace: a new ${noun} is created there, empty)`
    : `renamed to ${s.to.name} (a new ${noun}, empty)`;
}

const PRUNE = 'A sync with prune deletes the old one and its data; without prune Argo CD leaves it behind as an orphan (OutOfSync, "requires pruning").';

/** Warnings about removed objects that hold data (renames and namespace moves are recognised). */
export function removalWarnings(ctx: RuleContext, changes: readonly ObjectChange[]): ReviewWarning[] {
  const removed = changes.flatMap((c) => (c.type === 'removed' ? [c.before] : []));
  const added = changes.flatMap((c) => (c.type === 'added' ? [c.after] : []));
  const dataHolders = removed.filter(holdsData);
  const out: ReviewWarning[] = [];
  const covered = new Set<string>();
  const keep = (s: ReturnType<typeof successor>, what: string) => (s
    ? `To keep the data, revert the ${s.how === 'moved' ? 'namespace change' : 'rename'}; or, before pruning, ${s.how === 'moved' ? `${backupHint(ctx)} in the old namespace and restore into the new one` : `copy ${what} into the new claim (scale the readers to 0, run a pod that mounts both, cp -a)`}.`
    : `If the data is still wanted, ${backupHint(ctx)} before pruning; sync without prune to keep it for now.`);

  for (const o of dataHolders.filter((r) => r.kind === 'MCPServer')) {
    const claims = mountedClaims(o);
    claims.forEach((c) => covered.add(`${o.namespace}/${c}`));
    const s = successor(o, removed, added);
    const newClaims = s ? mountedClaims(s.to) : [];
    out.push(warning(ctx, 'blocking', o,
      `kMCP server ${!s ? 'removed' : `${s.how === 'moved' ? `moved to namespace ${s.to.namespace}` : `renamed to ${s.to.name}`}: `
        + `the new server gets a new, empty claim (${newClaims.join(', ') || 'none'})`}. Its claim ${claims.join(', ')} holds the server's files. ${PRUNE}`,
      keep(s, `the files of ${claims.join(', ')}`)));
  }
  for (const o of dataHolders.filter((r) => r.kind === 'PersistentVolumeClaim' && !covered.has(`${r.namespace}/${r.name}`))) {
    const s = successor(o, removed, added);
    out.push(warning(ctx, 'blocking', o, `${fate(s, 'claim')}. ${PRUNE}`, keep(s, 'the data')));
  }
  for (const o of dataHolders.filter((r) => r.kind === 'StatefulSet')) {
    const s = successor(o, removed, added);
    out.push(warning(ctx, 'blocking', o,
      `${fate(s, 'StatefulSet with new claims')}. Its claims (${statefulSetClaims(o).join(', ')}) are not synthesized objects: they stay with their data in ${o.namespace}, used by nothing, and the new StatefulSet starts empty.`,
      s ? `To keep the data, revert the ${s.how === 'moved' ? 'namespace change' : 'rename'}; or ${backupHint(ctx)} before the sync and restore into the new StatefulSet.`
        : `If the data is still wanted, ${backupHint(ctx)} first; delete the claims by hand once it is safe.`));
  }
  for (const o of dataHolders.filter((r) => r.kind === 'Namespace')) {
    out.push(warning(ctx, 'blocking', o,
      `removed. A sync with prune deletes the Namespace and everything in it: its Secrets, its claims and their data.`,
      `Move the data first (${backupHint(ctx)}), or sync without prune and delete the Namespace by hand when it is empty.`));
  }
  return out;
}

function contractKey(s: ContractSecret): string {
  return `${s.namespace}/${s.name}`;
}

/** Warnings about a changed secrets contract (`secrets.json`): Secrets live outside git and must follow it. */
export function contractWarnings(ctx: RuleContext, before: readonly ContractSecret[], after: readonly ContractSecret[]): ReviewWarning[] {
  const out: ReviewWarning[] = [];
  const old = new Map(before.map((s) => [contractKey(s), s]));
  const now = new Map(after.map((s) => [contractKey(s), s]));
  const create = `npm run secrets -- --env ${ctx.env}`;
  const subject = (s: ContractSecret) => `Secret ${s.namespace}/${s.name}`;
  const gone = before.filter((s) => !now.has(contractKey(s)));
  const fresh = after.filter((s) => !old.has(contractKey(s)));
  for (const s of fresh) {
    const from = gone.find((g) => g.name === s.name) ?? (gone.length === 1 && fresh.length === 1 ? gone[0] : undefined);
    out.push({
      level: 'caution', env: ctx.env, subject: subject(s),
      problem: `is new in the secrets contract${from ? ` (it replaces ${from.namespace}/${from.name})` : ''}; ${(s.readBy ?? []).join(', ') || 'its readers'} do not start until it exists.`,
      action: `Before the sync: \`${create}\` creates it${from ? `; values are not carried over: copy those that must stay (e.g. a database password the data was initialised with) from ${from.namespace}/${from.name}` : ''}.`,
    });
  }
  for (const s of gone) {
    out.push({
      level: 'caution', env: ctx.env, subject: subject(s),
      problem: 'is no longer in the secrets contract; the live Secret stays in the cluster (Secrets are not synced).',
      action: `Once the sync is done and nothing reads it: ${kubectl(ctx, s.namespace, `delete secret ${s.name}`)}.`,
    });
  }
  for (const s of after) {
    const prev = old.get(contractKey(s));
    if (!prev) continue;
    const added = s.keys.filter((k) => !prev.keys.some((p) => p.key === k.key)).map((k) => k.key);
    const dropped = prev.keys.filter((p) => !s.keys.some((k) => k.key === p.key)).map((k) => k.key);
    if (added.length > 0) {
      out.push({
        level: 'caution', env: ctx.env, subject: subject(s),
        problem: `gains key${added.length > 1 ? 's' : ''} ${added.join(', ')}; the live Secret lacks ${added.length > 1 ? 'them' : 'it'}, so its readers fail to start.`,
        action: `Before the sync: add ${added.length > 1 ? 'them' : 'it'} to the live Secret (${kubectl(ctx, s.namespace, `edit secret ${s.name}`)}), or recreate it with \`${create} --rotate ${s.namespace}/${s.name}\` (new random values).`,
      });
    }
    if (dropped.length > 0) {
      out.push({
        level: 'caution', env: ctx.env, subject: subject(s),
        problem: `no longer has key${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')}; nothing reads ${dropped.length > 1 ? 'them' : 'it'} any more.`,
        action: 'Nothing is needed; remove the key from the live Secret when convenient.',
      });
    }
  }
  return out;
}
