/**
 * Small builders for pod and container fields that every workload sets the same way.
 * Values are set explicitly (not left to cdk8s-plus defaults) because stock images crash
 * under those defaults: see ../shared/reference/toolchain.md.
 */
import { Construct } from 'constructs';
import { ResourceSpec } from './config/types';
import { k8s } from './k8s';

/**
 * Who picks the user and group ids of the platform's pods:
 * - `image`: the manifests pin each image's own user (`runAsUser`/`runAsGroup`/`fsGroup`), as on k3s/k0s.
 * - `platform`: the manifests set none; OpenShift's restricted-v2 SCC assigns a UID and fsGroup
 *   from the namespace's range at admission (MustRunAsRange/MustRunAs) and refuses pods that ask
 *   for ids outside it, such as 1001 or 65532.
 */
export type PodIdentity = 'image' | 'platform';

const POD_IDENTITY_CONTEXT = 'penpot-mcp-platform:pod-identity';

/** Sets who picks pod ids for every construct below `scope`; call it before adding children. */
export function setPodIdentity(scope: Construct, identity: PodIdentity): void {
  scope.node.setContext(POD_IDENTITY_CONTEXT, identity);
}

/** The pod identity in force at `scope`. @default 'image' */
export function podIdentityAt(scope: Construct): PodIdentity {
  return scope.node.tryGetContext(POD_IDENTITY_CONTEXT) === 'platform' ? 'platform' : 'image';
}

/**
 * Pod-level security for an image that runs as a fixed non-root user (`uid`). Where the platform
 * assigns ids (see {@link PodIdentity}) the ids are left out; everything else stays.
 */
export function podSecurity(scope: Construct, uid: number, fsGroup: number = uid): k8s.PodSecurityContext {
  const pinned = podIdentityAt(scope) === 'image';
  return {
    ...(pinned ? { runAsUser: uid, runAsGroup: uid } : {}),
    runAsNonRoot: true,
    ...(pinned ? { fsGroup } : {}),
    // Only chown the volume when its root has the wrong group: fast restarts on big asset trees.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security: no privilege escalation, no capabilities. */
export function containerSecurity(readOnlyRootFilesystem: boolean): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem,
    capabilities: { drop: ['ALL'] },
  };
}

export function resourceRequirements(spec: ResourceSpec): k8s.ResourceRequirements {
  return {
    requests: {
      cpu: k8s.Quantity.fromString(spec.requests.cpu),
      memory: k8s.Quantity.fromString(spec.requests.memory),
    },
    limits: {
      cpu: k8s.Quantity.fromString(spec.limits.cpu),
      memory: k8s.Quantity.fromString(spec.limits.memory),
    },
  };
}

export interface ProbeTiming {
  readonly periodSeconds: number;
  readonly failureThreshold: number;
  readonly timeoutSeconds?: number;
}

export function httpProbe(path: string, port: string, timing: ProbeTiming): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromString(port) },
    periodSeconds: timing.periodSeconds,
    failureThreshold: timing.failureThreshold,
    timeoutSeconds: timing.timeoutSeconds ?? 5,
  };
}

export function tcpProbe(port: string, timing: ProbeTiming): k8s.Probe {
  return {
    tcpSocket: { port: k8s.IntOrString.fromString(port) },
    periodSeconds: timing.periodSeconds,
    failureThreshold: timing.failureThreshold,
    timeoutSeconds: timing.timeoutSeconds ?? 5,
  };
}

export function execProbe(command: readonly string[], timing: ProbeTiming): k8s.Probe {
  return {
    exec: { command: [...command] },
    periodSeconds: timing.periodSeconds,
    failureThreshold: timing.failureThreshold,
    timeoutSeconds: timing.timeoutSeconds ?? 5,
  };
}

export function literalEnv(vars: Readonly<Record<string, string>>): k8s.EnvVar[] {
  return Object.entries(vars).map(([name, value]) => ({ name, value }));
}

/**
 * Pod spec fields shared by every workload of the platform. Service links are off because
 * Kubernetes would otherwise inject `PENPOT_BACKEND_PORT=tcp://...`-style variables for the
 * Services of the namespace, and Penpot reads every `PENPOT_*` variable as configuration.
 */
export const POD_DEFAULTS = {
  enableServiceLinks: false,
  automountServiceAccountToken: false,
} as const;
