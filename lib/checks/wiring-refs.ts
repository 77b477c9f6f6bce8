/**
 * References from pods (and Ingress TLS) to ConfigMaps, Secrets, PVCs and ServiceAccounts.
 * A missing one keeps pods in ContainerCreating or CreateContainerConfigError, which no schema
 * catches. Secrets never live in dist: they must be listed in the environment's secrets
 * contract (`dist/<env>/secrets.json`) that tells an operator what to create by hand.
 */
import { ObjectIndex } from './lookup';
import {
  asArray, asRecord, asString, containerEntriesOf, Dist, Finding, findingAt, isRecord, kindOf, ManifestObject,
  namespaceOf, podSpecOf, podSpecPathOf, SecretContract,
} from './model';

export const REF_CHECKS = {
  configMap: 'wiring/configmap-ref',
  pvc: 'wiring/pvc-ref',
  serviceAccount: 'wiring/serviceaccount-ref',
  secret: 'wiring/secret-ref',
  noSecretData: 'wiring/no-secret-data',
} as const;

type RefKind = 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim';
/** How a Secret is used decides which contract type it needs and whether `optional` applies. */
type Usage = 'env' | 'envFrom' | 'volume' | 'imagePull' | 'tls';

interface KeyRef {
  readonly key: unknown;
  readonly field: string;
}

export interface Ref {
  readonly kind: RefKind;
  readonly name: unknown;
  readonly field: string;
  readonly keys: readonly KeyRef[];
  readonly optional: boolean;
  readonly usage: Usage;
}

/** Items of a configMap/secret volume select keys: each must exist like a keyRef's key. */
function itemKeys(items: unknown, field: string): KeyRef[] {
  return asArray(items).map((item, i) => ({ key: asRecord(item).key, field: `${field}.items[${i}].key` }));
}

/** Every ConfigMap/Secret/PVC a workload's pods or an Ingress reference. */
export function refsOf(doc: any): Ref[] {
  const refs: Ref[] = [];
  const ref = (kind: RefKind, src: unknown, nameKey: string, field: string, usage: Usage, keys: KeyRef[] = []): void => {
    const s = asRecord(src);
    refs.push({ kind, name: s[nameKey], field: `${field}.${nameKey}`, keys, optional: s.optional === true, usage });
  };
  for (const { container, field } of containerEntriesOf(doc)) {
    asArray(container.env).forEach((env, j) => {
      const from = asRecord(asRecord(env).valueFrom);
      const f = `${field}.env[${j}].valueFrom`;
      if (isRecord(from.configMapKeyRef)) {
        ref('ConfigMap', from.configMapKeyRef, 'name', `${f}.configMapKeyRef`, 'env',
          [{ key: from.configMapKeyRef.key, field: `${f}.configMapKeyRef.key` }]);
      }
      if (isRecord(from.secretKeyRef)) {
        ref('Secret', from.secretKeyRef, 'name', `${f}.secretKeyRef`, 'env',
          [{ key: from.secretKeyRef.key, field: `${f}.secretKeyRef.key` }]);
      }
    });
    asArray(container.envFrom).forEach((src, j) => {
      const s = asRecord(src);
      if (isRecord(s.configMapRef)) ref('ConfigMap', s.configMapRef, 'name', `${field}.envFrom[${j}].configMapRef`, 'envFrom');
      if (isRecord(s.secretRef)) ref('Secret', s.secretRef, 'name', `${field}.envFrom[${j}].secretRef`, 'envFrom');
    });
  }
  const spec = podSpecOf(doc);
  const prefix = podSpecPathOf(kindOf(doc));
  if (spec && prefix) {
    asArray(spec.volumes).forEach((volume, k) => {
      const v = asRecord(volume);
      const f = `${prefix}.volumes[${k}]`;
      if (isRecord(v.configMap)) ref('ConfigMap', v.configMap, 'name', `${f}.configMap`, 'volume', itemKeys(v.configMap.items, `${f}.configMap`));
      if (isRecord(v.secret)) ref('Secret', v.secret, 'secretName', `${f}.secret`, 'volume', itemKeys(v.secret.items, `${f}.secret`));
      if (isRecord(v.persistentVolumeClaim)) ref('PersistentVolumeClaim', v.persistentVolumeClaim, 'claimName', `${f}.persistentVolumeClaim`, 'volume');
      asArray(asRecord(v.projected).sources).forEach((source, l) => {
        const s = asRecord(source);
        const sf = `${f}.projected.sources[${l}]`;
        if (isRecord(s.configMap)) ref('ConfigMap', s.configMap, 'name', `${sf}.configMap`, 'volume', itemKeys(s.configMap.items, `${sf}.configMap`));
        if (isRecord(s.secret)) ref('Secret', s.secret, 'name', `${sf}.secret`, 'volume', itemKeys(s.secret.items, `${sf}.secret`));
      });
    });
    asArray(spec.imagePullSecrets).forEach((s, k) => ref('Secret', s, 'name', `${prefix}.imagePullSecrets[${k}]`, 'imagePull'));
  }
  if (kindOf(doc) === 'Ingress') {
    asArray(asRecord(asRecord(doc).spec).tls).forEach((tls, i) => {
      // Without secretName the controller serves its default certificate: nothing is referenced.
      if (asRecord(tls).secretName !== undefined) ref('Secret', tls, 'secretName', `spec.tls[${i}]`, 'tls');
    });
  }
  return refs;
}

const show = (name: unknown): string => (typeof name === 'string' ? `'${name}'` : String(name));

/**
 * ConfigMaps the cluster publishes in every namespace, with their keys: `kube-root-ca.crt` (the
 * root CA, by kube-controller-manager's root-ca-cert-publisher since Kubernetes 1.20).
 */
export const CLUSTER_PROVIDED_CONFIGMAPS: Readonly<Record<string, readonly string[]>> = { 'kube-root-ca.crt': ['ca.crt'] };

export function checkConfigMapRefs(objects: readonly ManifestObject[]): Finding[] {
  const index = new ObjectIndex(objects);
  const findings: Finding[] = [];
  for (const m of objects) {
    const ns = namespaceOf(m.doc);
    for (const r of refsOf(m.doc).filter((r) => r.kind === 'ConfigMap' && !r.optional)) {
      const provided = CLUSTER_PROVIDED_CONFIGMAPS[asString(r.name) ?? ''];
      if (provided) {
        for (const k of r.keys.filter((k) => typeof k.key !== 'string' || !provided.includes(k.key))) {
          findings.push(findingAt(REF_CHECKS.configMap, m, `ConfigMap ${show(r.name)} (published by the cluster) has no key ${show(k.key)}`, k.field));
        }
        continue;
      }
      const cm = index.find(m.env, ns, 'ConfigMap', asString(r.name) ?? '');
      if (!cm) {
        findings.push(findingAt(REF_CHECKS.configMap, m, `ConfigMap ${show(r.name)} does not exist in namespace '${ns}' of env '${m.env}'`, r.field));
        continue;
      }
      const present = { ...asRecord(cm.doc.data), ...asRecord(cm.doc.binaryData) };
      for (const k of r.keys.filter((k) => typeof k.key !== 'string' || !Object.prototype.hasOwnProperty.call(present, k.key))) {
        findings.push(findingAt(REF_CHECKS.configMap, m, `ConfigMap ${show(r.name)} has no key ${show(k.key)}`, k.field));
      }
    }
  }
  return findings;
}

export function checkPvcRefs(objects: readonly ManifestObject[]): Finding[] {
  const index = new ObjectIndex(objects);
  const findings: Finding[] = [];
  for (const m of objects) {
    const ns = namespaceOf(m.doc);
    // A StatefulSet creates its volumeClaimTemplates itself, so its own pods may name them.
    const templates = kindOf(m.doc) === 'StatefulSet'
      ? asArray(asRecord(m.doc.spec).volumeClaimTemplates).map((t) => asRecord(asRecord(t).metadata).name)
      : [];
    for (const r of refsOf(m.doc).filter((r) => r.kind === 'PersistentVolumeClaim')) {
      if (templates.includes(r.name) || index.find(m.env, ns, 'PersistentVolumeClaim', asString(r.name) ?? '')) continue;
      findings.push(findingAt(REF_CHECKS.pvc, m, `PersistentVolumeClaim ${show(r.name)} does not exist in namespace '${ns}' of env '${m.env}'`, r.field));
    }
  }
  return findings;
}

export function checkServiceAccountRefs(objects: readonly ManifestObject[]): Finding[] {
  const index = new ObjectIndex(objects);
  const findings: Finding[] = [];
  for (const m of objects) {
    const spec = podSpecOf(m.doc);
    if (!spec) continue;
    // serviceAccount is the deprecated alias the API server still honours.
    const field = spec.serviceAccountName !== undefined ? 'serviceAccountName' : 'serviceAccount';
    const name = spec[field];
    // 'default' is created by Kubernetes in every namespace.
    if (name === undefined || name === 'default') continue;
    const ns = namespaceOf(m.doc);
    if (!index.find(m.env, ns, 'ServiceAccount', asString(name) ?? '')) {
      findings.push(findingAt(REF_CHECKS.serviceAccount, m,
        `ServiceAccount ${show(name)} does not exist in namespace '${ns}' of env '${m.env}'`, `${podSpecPathOf(kindOf(m.doc))}.${field}`));
    }
  }
  return findings;
}

const TYPES_FOR: Partial<Record<Usage, readonly string[]>> = {
  tls: ['kubernetes.io/tls'],
  imagePull: ['kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg'],
};

/** What is wrong with one use of a contracted Secret, if anything. */
function contractProblems(r: Ref, entry: SecretContract): Array<{ message: string; field: string }> {
  const problems: Array<{ message: string; field: string }> = [];
  const declared = asArray(entry.keys).map((k) => asRecord(k).key);
  for (const k of r.keys.filter((k) => !declared.includes(k.key))) {
    problems.push({ message: `Secret ${show(r.name)} has no key ${show(k.key)} in the secrets contract (keys: ${declared.join(', ') || 'none'})`, field: k.field });
  }
  const types = TYPES_FOR[r.usage];
  if (types && !types.includes(entry.type)) {
    problems.push({ message: `Secret ${show(r.name)} is used as ${r.usage === 'tls' ? 'a TLS certificate' : 'an image pull secret'} but the contract gives type '${entry.type}' (expected ${types.join(' or ')})`, field: r.field });
  }
  // A Secret the operator may leave out must be referenced as optional, or the pod cannot start without it.
  if (entry.optional === true && !r.optional && (r.usage === 'env' || r.usage === 'envFrom' || r.usage === 'volume')) {
    problems.push({ message: `Secret ${show(r.name)} is optional in the secrets contract but referenced without optional: true, so pods will not start when it is absent`, field: r.field });
  }
  return problems;
}

export function checkSecretRefs(dist: Pick<Dist, 'objects' | 'contracts'>): Finding[] {
  const index = new ObjectIndex(dist.objects);
  const findings: Finding[] = [];
  for (const m of dist.objects) {
    const ns = namespaceOf(m.doc);
    const contract = dist.contracts.get(m.env);
    // optional: true does not exempt a Secret here: the contract is the operator's full list of what may be created.
    for (const r of refsOf(m.doc).filter((r) => r.kind === 'Secret')) {
      const secrets = asArray(contract?.secrets).filter((s) => asRecord(s).name === r.name) as SecretContract[];
      const entry = secrets.find((s) => s.namespace === ns);
      if (entry) {
        for (const p of contractProblems(r, entry)) findings.push(findingAt(REF_CHECKS.secret, m, p.message, p.field));
        continue;
      }
      // A Secret object in dist proves existence (its keys cannot be known: it carries no data).
      if (index.find(m.env, ns, 'Secret', asString(r.name) ?? '')) continue;
      const why = !contract
        ? `env '${m.env}' has no secrets contract (dist/${m.env}/secrets.json)`
        : secrets.length > 0
          ? `the secrets contract of env '${m.env}' lists it only in namespace(s) ${secrets.map((s) => `'${s.namespace}'`).join(', ')}`
          : `it is not in the secrets contract of env '${m.env}'`;
      findings.push(findingAt(REF_CHECKS.secret, m, `Secret ${show(r.name)} in namespace '${ns}' is not accounted for: ${why}`, r.field));
    }
  }
  return findings;
}

export function checkNoSecretData(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of objects.filter((m) => kindOf(m.doc) === 'Secret')) {
    for (const field of ['data', 'stringData']) {
      const keys = Object.keys(asRecord(m.doc[field]));
      // Only key names are reported: echoing values would copy the secret into logs.
      if (keys.length > 0) {
        findings.push(findingAt(REF_CHECKS.noSecretData, m,
          `carries ${field} (${keys.join(', ')}): secret values must not enter git; list the Secret in the secrets contract instead`, field));
      }
    }
  }
  return findings;
}
