/**
 * Pod and container security (Polaris danger/warning set, kube-linter, the "restricted" Pod
 * Security Standard): what a compromised container could do to its node and cluster.
 */
import { asArray, asRecord, ContainerEntry, kindOf, podSpecOf, podSpecPathOf } from '../checks/model';
import { PolicyCheck, PolicyViolation } from './model';
import { containerEntries, containerName, isWorkload } from './workloads';

const podPath = (doc: any): string => podSpecPathOf(kindOf(doc)) ?? 'spec';
const podSecurity = (doc: any): Record<string, any> => asRecord(asRecord(podSpecOf(doc)).securityContext);
const containerSecurity = (e: ContainerEntry): Record<string, any> => asRecord(e.container.securityContext);

/** Runs `test` on every container (init included) and maps failures to violations. */
function perContainer(doc: any, test: (e: ContainerEntry) => { field: string; message: string } | undefined): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const entry of containerEntries(doc)) {
    const problem = test(entry);
    if (problem) out.push({ ...problem, container: containerName(entry) });
  }
  return out;
}

export const privilegeEscalation: PolicyCheck = {
  id: 'security/privilege-escalation',
  severity: 'danger',
  description: 'every container sets securityContext.allowPrivilegeEscalation: false',
  appliesTo: isWorkload,
  check: (doc) => perContainer(doc, (e) => (containerSecurity(e).allowPrivilegeEscalation === false ? undefined : {
    field: `${e.field}.securityContext.allowPrivilegeEscalation`,
    message: `container '${containerName(e)}' does not set allowPrivilegeEscalation: false (setuid binaries can gain privileges)`,
  })),
};

export const runAsNonRoot: PolicyCheck = {
  id: 'security/run-as-non-root',
  severity: 'danger',
  description: 'every container runs with runAsNonRoot: true (pod or container level) and no runAsUser 0',
  appliesTo: isWorkload,
  check(doc) {
    const pod = podSecurity(doc);
    const podField = `${podPath(doc)}.securityContext`;
    return containerEntries(doc).flatMap((e): PolicyViolation[] => {
      const sc = containerSecurity(e);
      const name = containerName(e);
      const out: PolicyViolation[] = [];
      const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
      if (nonRoot !== true) {
        out.push({
          field: sc.runAsNonRoot !== undefined ? `${e.field}.securityContext.runAsNonRoot` : `${podField}.runAsNonRoot`,
          container: name,
          message: `container '${name}' may run as root: runAsNonRoot is ${JSON.stringify(nonRoot ?? 'unset')} (container and pod level)`,
        });
      }
      const user = sc.runAsUser ?? pod.runAsUser;
      if (user === 0) {
        out.push({
          field: sc.runAsUser !== undefined ? `${e.field}.securityContext.runAsUser` : `${podField}.runAsUser`,
          container: name, message: `container '${name}' runs as UID 0 (root)`,
        });
      }
      return out;
    });
  },
};

export const privileged: PolicyCheck = {
  id: 'security/privileged',
  severity: 'danger',
  description: 'no container runs privileged',
  appliesTo: isWorkload,
  check: (doc) => perContainer(doc, (e) => (containerSecurity(e).privileged === true ? {
    field: `${e.field}.securityContext.privileged`,
    message: `container '${containerName(e)}' is privileged: it has full access to the node`,
  } : undefined)),
};

export const hostNamespaces: PolicyCheck = {
  id: 'security/host-namespaces',
  severity: 'danger',
  description: "pods do not share the node's network, PID or IPC namespace",
  appliesTo: isWorkload,
  check(doc) {
    const spec = asRecord(podSpecOf(doc));
    return (['hostNetwork', 'hostPID', 'hostIPC'] as const)
      .filter((k) => spec[k] === true)
      .map((k) => ({ field: `${podPath(doc)}.${k}`, message: `sets ${k}: true: the pod shares the node's ${k.slice(4)} namespace` }));
  },
};

export const hostPort: PolicyCheck = {
  id: 'security/host-port',
  severity: 'danger',
  description: 'no container port binds a hostPort',
  appliesTo: isWorkload,
  check(doc) {
    return containerEntries(doc).flatMap((e) => asArray(e.container.ports).flatMap((p, i) => {
      const hp = asRecord(p).hostPort;
      return hp !== undefined && hp !== 0 ? [{
        field: `${e.field}.ports[${i}].hostPort`, container: containerName(e),
        message: `container '${containerName(e)}' binds hostPort ${hp} on the node, bypassing Services and NetworkPolicies`,
      }] : [];
    }));
  },
};

export const hostPath: PolicyCheck = {
  id: 'security/host-path',
  severity: 'danger',
  description: 'no hostPath volumes',
  appliesTo: isWorkload,
  check(doc) {
    return asArray(asRecord(podSpecOf(doc)).volumes).flatMap((v, i) => (asRecord(v).hostPath !== undefined ? [{
      field: `${podPath(doc)}.volumes[${i}].hostPath`,
      message: `volume '${asRecord(v).name}' mounts host path ${JSON.stringify(asRecord(asRecord(v).hostPath).path)} of the node`,
    }] : []));
  },
};

export const capabilities: PolicyCheck = {
  id: 'security/capabilities',
  severity: 'danger',
  description: 'every container drops ALL capabilities and adds none',
  appliesTo: isWorkload,
  check(doc) {
    return containerEntries(doc).flatMap((e): PolicyViolation[] => {
      const caps = asRecord(containerSecurity(e).capabilities);
      const name = containerName(e);
      const out: PolicyViolation[] = [];
      if (!asArray(caps.drop).includes('ALL')) {
        out.push({
          field: `${e.field}.securityContext.capabilities.drop`, container: name,
          message: `container '${name}' does not drop ALL capabilities (drops ${JSON.stringify(asArray(caps.drop))})`,
        });
      }
      asArray(caps.add).forEach((cap, i) => out.push({
        field: `${e.field}.securityContext.capabilities.add[${i}]`, container: name,
        message: `container '${name}' adds capability ${JSON.stringify(cap)}`,
      }));
      return out;
    });
  },
};

const SECCOMP_OK = ['RuntimeDefault', 'Localhost'];

export const seccomp: PolicyCheck = {
  id: 'security/seccomp',
  severity: 'danger',
  description: 'every container runs under a seccomp profile RuntimeDefault or Localhost (pod or container level)',
  appliesTo: isWorkload,
  check(doc) {
    const podType = asRecord(podSecurity(doc).seccompProfile).type;
    return perContainer(doc, (e) => {
      const own = asRecord(containerSecurity(e).seccompProfile).type;
      const type = own ?? podType;
      if (SECCOMP_OK.includes(type)) return undefined;
      return {
        field: own !== undefined ? `${e.field}.securityContext.seccompProfile.type` : `${podPath(doc)}.securityContext.seccompProfile.type`,
        message: `container '${containerName(e)}' runs with seccomp ${JSON.stringify(type ?? 'unset (Unconfined)')}; expected RuntimeDefault or Localhost`,
      };
    });
  },
};

export const readOnlyRootFs: PolicyCheck = {
  id: 'security/read-only-root-fs',
  severity: 'warning',
  description: 'every container sets readOnlyRootFilesystem: true',
  appliesTo: isWorkload,
  check: (doc) => perContainer(doc, (e) => (containerSecurity(e).readOnlyRootFilesystem === true ? undefined : {
    field: `${e.field}.securityContext.readOnlyRootFilesystem`,
    message: `container '${containerName(e)}' can write to its root filesystem`,
  })),
};

export const automountToken: PolicyCheck = {
  id: 'security/automount-token',
  severity: 'warning',
  description: 'pods set automountServiceAccountToken: false',
  appliesTo: isWorkload,
  check(doc) {
    const value = asRecord(podSpecOf(doc)).automountServiceAccountToken;
    return value === false ? [] : [{
      field: `${podPath(doc)}.automountServiceAccountToken`,
      message: `mounts a ServiceAccount token (automountServiceAccountToken is ${JSON.stringify(value ?? 'unset')}): anyone in the pod can call the API server`,
    }];
  },
};

export const SENSITIVE_ENV = /(PASSWORD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

export const sensitiveEnv: PolicyCheck = {
  id: 'security/sensitive-env',
  severity: 'danger',
  description: 'env vars with secret-looking names take their value from a Secret, not a literal',
  appliesTo: isWorkload,
  check(doc) {
    return containerEntries(doc).flatMap((e) => asArray(e.container.env).flatMap((env, i) => {
      const { name, value } = asRecord(env);
      // Only the name is reported: echoing the value would copy the secret into logs.
      return typeof name === 'string' && SENSITIVE_ENV.test(name) && value !== undefined ? [{
        field: `${e.field}.env[${i}].value`, container: containerName(e),
        message: `container '${containerName(e)}' sets ${name} to a literal value; reference a Secret (valueFrom.secretKeyRef)`,
      }] : [];
    }));
  },
};

export const SECURITY_CHECKS: readonly PolicyCheck[] = [
  privilegeEscalation, runAsNonRoot, privileged, hostNamespaces, hostPort, hostPath, capabilities, seccomp,
  readOnlyRootFs, automountToken, sensitiveEnv,
];
