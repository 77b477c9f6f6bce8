/**
 * Penpot 2.17's own wiring rules (see reference/upstream.md section 1), checked per environment
 * and namespace. Each rule matches a way real installs break although every object is valid:
 * login loops (public URI), 403/502 on export (secret key), missing images (assets volume),
 * AccessDeniedException (volume owner) and nginx refusing to start (internal URIs).
 */
import { UIDS_ANNOTATION, UIDS_ASSIGNED_BY_SCC } from '../annotations';
import {
  ObjectIndex, podDeclaresPort, servicePortIndex, showPort, targetPortOf, workloadsSelectedBy,
} from './lookup';
import {
  asArray, asRecord, Finding, findingAt, isRecord, ManifestObject, objectId, podSpecOf, podSpecPathOf, kindOf,
} from './model';
import {
  Component, COMPONENTS, envOf, findPenpotInstalls, MainContainer, mainContainerOf, PenpotInstall,
} from './penpot-install';

export const PENPOT_CHECKS = {
  components: 'penpot/components',
  publicUri: 'penpot/public-uri',
  secretKey: 'penpot/secret-key',
  assetsVolume: 'penpot/assets-volume',
  assetsWritable: 'penpot/assets-writable',
  internalUris: 'penpot/internal-uris',
} as const;

const ASSETS_DIR = '/opt/data/assets';
const PENPOT_UID = 1001;
const PUBLIC_URI = /^https?:\/\/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:([0-9]{1,5}))?$/;

/** A component's first workload and its main container, for rules that need both. */
interface Part {
  readonly workload: ManifestObject;
  readonly main: MainContainer;
}

function partOf(install: PenpotInstall, component: Component): Part | undefined {
  const workload = install.workloads.get(component)?.[0];
  const main = workload && mainContainerOf(workload.doc, component);
  return workload && main ? { workload, main } : undefined;
}

/** Exactly one workload per component: the other rules compare components with each other. */
export function checkPenpotComponents(installs: readonly PenpotInstall[]): Finding[] {
  const findings: Finding[] = [];
  for (const install of installs) {
    const any = [...install.workloads.values()][0][0];
    for (const component of COMPONENTS) {
      const list = install.workloads.get(component) ?? [];
      if (list.length === 0) {
        findings.push(findingAt(PENPOT_CHECKS.components, any,
          `Penpot in namespace '${install.namespace}' of env '${install.env}' has no ${component} workload `
          + `(labels app.kubernetes.io/name=penpot, app.kubernetes.io/component=${component})`));
      }
      for (const extra of list.slice(1)) {
        findings.push(findingAt(PENPOT_CHECKS.components, extra,
          `is a second Penpot ${component} in namespace '${install.namespace}' (first: ${objectId(list[0].doc)})`));
      }
    }
  }
  return findings;
}

export function checkPublicUri(installs: readonly PenpotInstall[]): Finding[] {
  const findings: Finding[] = [];
  for (const install of installs) {
    const values: Array<{ component: Component; part: Part; value: string; field: string }> = [];
    for (const component of COMPONENTS) {
      const part = partOf(install, component);
      if (!part) continue;
      const at = (message: string, field: string) => findingAt(PENPOT_CHECKS.publicUri, part.workload, message, field);
      const e = envOf(part.main, 'PENPOT_PUBLIC_URI');
      if (!e) findings.push(at(`${component} does not set PENPOT_PUBLIC_URI`, `${part.main.field}.env`));
      else if (e.value === undefined) findings.push(at(`${component} takes PENPOT_PUBLIC_URI from valueFrom; it must be a literal so all components provably agree`, e.field));
      else if (!isPublicUri(e.value)) {
        findings.push(at(`${component} PENPOT_PUBLIC_URI '${e.value}' is not scheme://host[:port] in lowercase without path or trailing slash`, `${e.field}.value`));
      } else values.push({ component, part, value: e.value, field: `${e.field}.value` });
    }
    const reference = values.find((v) => v.component === 'backend') ?? values[0];
    for (const v of values.filter((v) => v.value !== reference.value)) {
      findings.push(findingAt(PENPOT_CHECKS.publicUri, v.part.workload,
        `${v.component} PENPOT_PUBLIC_URI '${v.value}' differs from the ${reference.component}'s '${reference.value}'`, v.field));
    }
  }
  return findings;
}

function isPublicUri(value: string): boolean {
  const m = PUBLIC_URI.exec(value);
  return m !== null && (m[5] === undefined || (Number(m[5]) >= 1 && Number(m[5]) <= 65535));
}

export function checkSecretKey(installs: readonly PenpotInstall[]): Finding[] {
  const findings: Finding[] = [];
  for (const install of installs) {
    const refs: Array<{ component: Component; part: Part; name: unknown; key: unknown; field: string }> = [];
    for (const component of ['backend', 'exporter'] as const) {
      const part = partOf(install, component);
      if (!part) continue;
      const at = (message: string, field: string) => findingAt(PENPOT_CHECKS.secretKey, part.workload, message, field);
      const e = envOf(part.main, 'PENPOT_SECRET_KEY');
      const ref = asRecord(e?.valueFrom?.secretKeyRef);
      if (!e) findings.push(at(`${component} does not set PENPOT_SECRET_KEY (the exporter crash-loops or uploads fail with 403)`, `${part.main.field}.env`));
      else if (e.value !== undefined) findings.push(at(`${component} sets PENPOT_SECRET_KEY as a literal; take it from a Secret with secretKeyRef`, `${e.field}.value`));
      else if (!isRecord(e.valueFrom?.secretKeyRef)) findings.push(at(`${component} PENPOT_SECRET_KEY does not come from a secretKeyRef`, `${e.field}.valueFrom`));
      else refs.push({ component, part, name: ref.name, key: ref.key, field: `${e.field}.valueFrom.secretKeyRef` });
    }
    const [backend, exporter] = refs;
    if (refs.length === 2 && (backend.name !== exporter.name || backend.key !== exporter.key)) {
      findings.push(findingAt(PENPOT_CHECKS.secretKey, exporter.part.workload,
        `exporter reads PENPOT_SECRET_KEY from ${exporter.name}/${exporter.key} but the backend from ${backend.name}/${backend.key}; they must share one key`,
        exporter.field));
    }
  }
  return findings;
}

const DEPRECATED_ENV: Readonly<Record<string, string>> = {
  PENPOT_ASSETS_STORAGE_BACKEND: 'PENPOT_OBJECTS_STORAGE_BACKEND',
  PENPOT_STORAGE_ASSETS_FS_DIRECTORY: 'PENPOT_OBJECTS_STORAGE_FS_DIRECTORY',
};

/** The PVC behind the volume mounted at the assets path, or a reason there is none. */
function assetsClaimOf(part: Part): { claim?: unknown; mountField?: string; problem?: string; readOnly?: boolean } {
  const mounts = asArray(part.main.container.volumeMounts);
  const i = mounts.findIndex((m) => typeof asRecord(m).mountPath === 'string' && asRecord(m).mountPath.replace(/\/+$/, '') === ASSETS_DIR);
  if (i < 0) return { problem: `mounts nothing at ${ASSETS_DIR}` };
  const mount = asRecord(mounts[i]);
  const mountField = `${part.main.field}.volumeMounts[${i}]`;
  const volume = asArray(podSpecOf(part.workload.doc)?.volumes).find((v) => asRecord(v).name === mount.name);
  const pvc = asRecord(asRecord(volume).persistentVolumeClaim);
  if (pvc.claimName === undefined) return { mountField, problem: `mounts volume '${mount.name}' at ${ASSETS_DIR}, which is not a PersistentVolumeClaim` };
  return { claim: pvc.claimName, mountField, readOnly: mount.readOnly === true };
}

export function checkAssetsVolume(installs: readonly PenpotInstall[]): Finding[] {
  const findings: Finding[] = [];
  for (const install of installs) {
    for (const component of COMPONENTS) {
      const part = partOf(install, component);
      for (const [old, replacement] of Object.entries(DEPRECATED_ENV)) {
        const e = part && envOf(part.main, old);
        if (part && e) findings.push(findingAt(PENPOT_CHECKS.assetsVolume, part.workload, `${component} sets deprecated ${old}; use ${replacement}`, `${e.field}.name`));
      }
    }
    const backend = partOf(install, 'backend');
    if (!backend) continue;
    const storage = envOf(backend.main, 'PENPOT_OBJECTS_STORAGE_BACKEND');
    // Only a literal non-fs backend (e.g. s3) makes the shared volume unnecessary.
    if (storage?.value !== undefined && storage.value !== 'fs') continue;
    const dir = envOf(backend.main, 'PENPOT_OBJECTS_STORAGE_FS_DIRECTORY');
    if (dir?.value !== ASSETS_DIR) {
      findings.push(findingAt(PENPOT_CHECKS.assetsVolume, backend.workload,
        `backend PENPOT_OBJECTS_STORAGE_FS_DIRECTORY is ${dir ? `'${dir.value ?? 'valueFrom'}'` : 'unset'}; it must be ${ASSETS_DIR}, where the frontend's nginx serves assets from`,
        dir ? `${dir.field}.value` : `${backend.main.field}.env`));
    }
    const claims: Array<{ component: Component; claim: unknown; field?: string }> = [];
    for (const component of ['backend', 'frontend'] as const) {
      const part = partOf(install, component);
      if (!part) continue;
      const a = assetsClaimOf(part);
      if (a.problem) findings.push(findingAt(PENPOT_CHECKS.assetsVolume, part.workload, `${component} ${a.problem}`, a.mountField ?? `${part.main.field}.volumeMounts`));
      else claims.push({ component, claim: a.claim, field: a.mountField });
      if (component === 'backend' && a.readOnly) {
        findings.push(findingAt(PENPOT_CHECKS.assetsVolume, part.workload, `backend mounts ${ASSETS_DIR} read-only but writes uploaded assets there`, `${a.mountField}.readOnly`));
      }
    }
    if (claims.length === 2 && claims[0].claim !== claims[1].claim) {
      const frontend = partOf(install, 'frontend')!;
      findings.push(findingAt(PENPOT_CHECKS.assetsVolume, frontend.workload,
        `frontend mounts PVC '${claims[1].claim}' at ${ASSETS_DIR} but the backend mounts '${claims[0].claim}'; both must share one volume`,
        claims[1].field));
    }
  }
  return findings;
}

/** Whether the install's Namespace in dist says its ids are assigned by OpenShift's SCC (lib/annotations.ts). */
function idsAssignedByScc(install: PenpotInstall, index: ObjectIndex): boolean {
  const ns = index.find(install.env, '', 'Namespace', install.namespace);
  return asRecord(asRecord(ns?.doc.metadata).annotations)[UIDS_ANNOTATION] === UIDS_ASSIGNED_BY_SCC;
}

export function checkAssetsWritable(installs: readonly PenpotInstall[], index: ObjectIndex = new ObjectIndex([])): Finding[] {
  const findings: Finding[] = [];
  for (const install of installs) {
    const scc = idsAssignedByScc(install, index);
    for (const component of ['frontend', 'backend'] as const) {
      const part = partOf(install, component);
      if (!part) continue;
      const podPath = podSpecPathOf(kindOf(part.workload.doc));
      const podSc = asRecord(podSpecOf(part.workload.doc)?.securityContext);
      const containerSc = asRecord(part.main.container.securityContext);
      const uid = containerSc.runAsUser ?? podSc.runAsUser;
      if (scc) {
        // restricted-v2 assigns a UID from the namespace's range and the fsGroup the volume is
        // made writable for (MustRunAs); pinned ids outside the range are refused at admission.
        for (const [key, value] of [['runAsUser', uid], ['fsGroup', podSc.fsGroup]] as const) {
          if (value === undefined) continue;
          findings.push(findingAt(PENPOT_CHECKS.assetsWritable, part.workload,
            `${component} pins ${key} ${value} in a namespace whose ids the restricted-v2 SCC assigns; leave it unset there`,
            key === 'runAsUser' && containerSc.runAsUser !== undefined ? `${part.main.field}.securityContext.runAsUser` : `${podPath}.securityContext.${key}`));
        }
        continue;
      }
      if (uid !== PENPOT_UID) {
        findings.push(findingAt(PENPOT_CHECKS.assetsWritable, part.workload,
          `${component} runs as ${uid === undefined ? 'an unset' : uid} user; Penpot images and the assets volume need runAsUser ${PENPOT_UID}`,
          containerSc.runAsUser !== undefined ? `${part.main.field}.securityContext.runAsUser` : `${podPath}.securityContext.runAsUser`));
      }
      if (podSc.fsGroup !== PENPOT_UID) {
        findings.push(findingAt(PENPOT_CHECKS.assetsWritable, part.workload,
          `${component} pod has fsGroup ${podSc.fsGroup ?? 'unset'}; it must be ${PENPOT_UID} so the assets volume is writable (else AccessDeniedException)`,
          `${podPath}.securityContext.fsGroup`));
      }
    }
  }
  return findings;
}

interface InternalUriRule {
  readonly from: Component;
  readonly env: string;
  /** Upstream default applied when the variable is unset; none means the variable is required. */
  readonly fallback?: string;
  /** Component the Service must select, when it exists in the install. */
  readonly selects?: Component;
  /** Only checked when the frontend's flags contain this (the nginx locations exist only then). */
  readonly flag?: string;
}

const INTERNAL_URIS: readonly InternalUriRule[] = [
  { from: 'frontend', env: 'PENPOT_BACKEND_URI', fallback: 'http://penpot-backend:6060', selects: 'backend' },
  { from: 'frontend', env: 'PENPOT_EXPORTER_URI', fallback: 'http://penpot-exporter:6061', selects: 'exporter' },
  { from: 'frontend', env: 'PENPOT_MCP_URI', fallback: 'http://penpot-mcp:4401', flag: 'enable-mcp' },
  { from: 'frontend', env: 'PENPOT_MCP_URI_WS', fallback: 'http://penpot-mcp:4402', flag: 'enable-mcp' },
  { from: 'exporter', env: 'PENPOT_INTERNAL_URI', selects: 'frontend' },
];

const CLUSTER_URI = /^http:\/\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\.svc(?:\.cluster\.local)?)?)?(?::([0-9]{1,5}))?$/;

/** Why `uri` does not reach a working Service, or undefined when it does. */
function uriProblem(uri: string, install: PenpotInstall, index: ObjectIndex, selects?: Component): string | undefined {
  const m = CLUSTER_URI.exec(uri);
  if (!m) return `is not http://<service>[.<namespace>[.svc[.cluster.local]]][:<port>]`;
  const [name, namespace, port] = [m[1], m[3] ?? install.namespace, m[5] === undefined ? 80 : Number(m[5])];
  const svc = index.find(install.env, namespace, 'Service', name);
  if (!svc) return `names Service '${name}', which does not exist in namespace '${namespace}' of env '${install.env}'`;
  const i = servicePortIndex(svc.doc, port);
  if (i < 0) return `uses port ${port}, which ${objectId(svc.doc)} does not declare`;
  const target = targetPortOf(asArray(asRecord(svc.doc.spec).ports)[i]);
  const selected = workloadsSelectedBy(index, svc);
  if (selected.length === 0) return `reaches ${objectId(svc.doc)}, which selects no pods`;
  const deaf = selected.find((w) => !podDeclaresPort(w.doc, target));
  if (deaf) return `reaches ${objectId(svc.doc)} whose target port ${showPort(target)} is not declared by ${objectId(deaf.doc)}`;
  const expected = selects && install.workloads.get(selects)?.[0];
  if (expected && !selected.includes(expected)) return `reaches ${objectId(svc.doc)}, which does not select the Penpot ${selects} ${objectId(expected.doc)}`;
  return undefined;
}

function flagsOf(part: Part): string[] {
  return (envOf(part.main, 'PENPOT_FLAGS')?.value ?? '').split(/\s+/).filter(Boolean);
}

export function checkInternalUris(installs: readonly PenpotInstall[], index: ObjectIndex): Finding[] {
  const findings: Finding[] = [];
  for (const install of installs) {
    const frontend = partOf(install, 'frontend');
    for (const rule of INTERNAL_URIS) {
      const part = partOf(install, rule.from);
      if (!part) continue;
      const e = envOf(part.main, rule.env);
      const at = (message: string, field: string) => findingAt(PENPOT_CHECKS.internalUris, part.workload, message, field);
      if (!e) {
        if (rule.flag && !(frontend && flagsOf(frontend).includes(rule.flag))) continue;
        if (rule.fallback === undefined) {
          findings.push(at(`${rule.from} does not set ${rule.env}; it must point at the frontend Service`, `${part.main.field}.env`));
          continue;
        }
        const problem = uriProblem(rule.fallback, install, index, rule.selects);
        if (problem) findings.push(at(`${rule.from} leaves ${rule.env} unset, so the upstream default ${rule.fallback} applies, which ${problem}`, `${part.main.field}.env`));
        continue;
      }
      if (e.value === undefined) {
        findings.push(at(`${rule.from} takes ${rule.env} from valueFrom; it must be a literal so it can be checked`, e.field));
        continue;
      }
      const problem = uriProblem(e.value, install, index, rule.selects);
      if (problem) findings.push(at(`${rule.from} ${rule.env} '${e.value}' ${problem}`, `${e.field}.value`));
    }
  }
  return findings;
}

export const PENPOT_CHECK_IDS: readonly string[] = Object.values(PENPOT_CHECKS);

export function checkPenpotContract(objects: readonly ManifestObject[]): Finding[] {
  const installs = findPenpotInstalls(objects);
  if (installs.length === 0) return [];
  const index = new ObjectIndex(objects);
  return [
    ...checkPenpotComponents(installs),
    ...checkPublicUri(installs),
    ...checkSecretKey(installs),
    ...checkAssetsVolume(installs),
    ...checkAssetsWritable(installs, index),
    ...checkInternalUris(installs, index),
  ];
}
