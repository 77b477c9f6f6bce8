/**
 * A small evaluator of the Pod Security Standards (baseline and restricted, Kubernetes 1.33),
 * for checking that a namespace's `pod-security.kubernetes.io/enforce` level admits its own pods.
 * Covers the controls manifests can get wrong; Windows pods and AppArmor/SELinux options are out of scope.
 */
import { asArray, asRecord, containersOf, isRecord, podSpecOf } from '../checks/model';

export const PSS_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PssLevel = (typeof PSS_LEVELS)[number];

const BASELINE_CAPS = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID',
  'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUMES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);

function allContainers(spec: Record<string, any>): Record<string, any>[] {
  return [...containersOf(spec), ...asArray(spec.ephemeralContainers).filter(isRecord)];
}

function baselineProblems(spec: Record<string, any>): string[] {
  const out: string[] = [];
  const pod = asRecord(spec.securityContext);
  for (const k of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[k] === true) out.push(`${k}: true`);
  for (const v of asArray(spec.volumes)) if (asRecord(v).hostPath !== undefined) out.push(`hostPath volume '${asRecord(v).name}'`);
  if (asRecord(pod.seccompProfile).type === 'Unconfined') out.push('pod seccompProfile Unconfined');
  for (const s of asArray(pod.sysctls)) {
    const name = asRecord(s).name;
    if (!SAFE_SYSCTLS.has(name)) out.push(`unsafe sysctl ${JSON.stringify(name)}`);
  }
  for (const c of allContainers(spec)) {
    const sc = asRecord(c.securityContext);
    const who = `container '${c.name}'`;
    if (sc.privileged === true) out.push(`${who} privileged`);
    for (const cap of asArray(asRecord(sc.capabilities).add)) if (!BASELINE_CAPS.has(cap)) out.push(`${who} adds ${cap}`);
    for (const p of asArray(c.ports)) {
      const hp = asRecord(p).hostPort;
      if (hp !== undefined && hp !== 0) out.push(`${who} hostPort ${hp}`);
    }
    if (asRecord(sc.seccompProfile).type === 'Unconfined') out.push(`${who} seccompProfile Unconfined`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${who} procMount ${sc.procMount}`);
  }
  return out;
}

function restrictedProblems(spec: Record<string, any>): string[] {
  const out: string[] = [];
  const pod = asRecord(spec.securityContext);
  for (const v of asArray(spec.volumes).map(asRecord)) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type !== undefined && !RESTRICTED_VOLUMES.has(type)) out.push(`volume '${v.name}' of type ${type}`);
  }
  if (pod.runAsUser === 0) out.push('pod runAsUser 0');
  const podSeccomp = asRecord(pod.seccompProfile).type;
  for (const c of allContainers(spec)) {
    const sc = asRecord(c.securityContext);
    const who = `container '${c.name}'`;
    if (sc.allowPrivilegeEscalation !== false) out.push(`${who} allowPrivilegeEscalation not false`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) out.push(`${who} runAsNonRoot not true`);
    if (sc.runAsUser === 0) out.push(`${who} runAsUser 0`);
    const seccomp = asRecord(sc.seccompProfile).type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${who} seccompProfile ${seccomp ?? 'unset'}`);
    const caps = asRecord(sc.capabilities);
    if (!asArray(caps.drop).includes('ALL')) out.push(`${who} does not drop ALL capabilities`);
    for (const cap of asArray(caps.add)) if (cap !== 'NET_BIND_SERVICE') out.push(`${who} adds ${cap}`);
  }
  return out;
}

/** Controls of `level` the workload's pods break; [] when the level admits them (or for non-workloads). */
export function podSecurityProblems(doc: any, level: PssLevel): string[] {
  const spec = podSpecOf(doc);
  if (spec === undefined || level === 'privileged') return [];
  const baseline = baselineProblems(spec);
  return level === 'baseline' ? baseline : [...baseline, ...restrictedProblems(spec)];
}
