/**
 * RBAC profiles of the Kubernetes MCP server (`kubernetesMcp.rbacProfile`): what its
 * ServiceAccount may do and how loudly the platform says so. `read-only` is the default and the
 * earlier behaviour; `operator` is the user's OpenShift setup (seed 002, "Permisos RBAC por
 * Defecto"): full CRUD on pods, services, configmaps, secrets, deployments, jobs and cronjobs.
 */
import type { ConfigIssue } from './resolve';
import { EnvironmentConfig, EnvironmentInput, KubernetesMcpConfig, KubernetesMcpRbacProfile } from './types';

export const KUBERNETES_MCP_RBAC_PROFILES: readonly KubernetesMcpRbacProfile[] = ['read-only', 'operator'];

/** A PolicyRule as plain data (the construct turns it into a ClusterRole rule). */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** Create, read (get/list/watch), update (update/patch), delete: seed 002's "Gestión completa (CRUD)". */
export const CRUD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;

/** Seed 002's set, cluster-wide (its chart binds a ClusterRole). No exec/attach, no wildcard. */
export const OPERATOR_PROFILE_RULES: readonly RbacRule[] = [
  { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'secrets'], verbs: CRUD_VERBS },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: CRUD_VERBS },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: CRUD_VERBS },
];

export function applyKubernetesMcpRbacDefaults(
  k: NonNullable<EnvironmentInput['kubernetesMcp']>,
): Pick<KubernetesMcpConfig, 'rbacProfile' | 'rbacRiskAcknowledged'> {
  return { rbacProfile: k.rbacProfile ?? 'read-only', rbacRiskAcknowledged: k.rbacRiskAcknowledged };
}

const show = (v: unknown): string => JSON.stringify(v);

export function validateKubernetesMcpRbac(env: EnvironmentConfig): ConfigIssue[] {
  const k = env.kubernetesMcp;
  if (!k.enabled) return [];
  const issues: ConfigIssue[] = [];
  const add = (field: string, problem: string): void => { issues.push({ field: `environments.${env.name}.kubernetesMcp.${field}`, problem }); };
  if (!KUBERNETES_MCP_RBAC_PROFILES.includes(k.rbacProfile)) {
    add('rbacProfile', `${show(k.rbacProfile)} is not a profile; allowed: ${KUBERNETES_MCP_RBAC_PROFILES.join(' or ')}`);
  }
  if (k.rbacRiskAcknowledged !== undefined) {
    if (k.rbacProfile !== 'operator') {
      add('rbacRiskAcknowledged', `acknowledges a risk the ${show(k.rbacProfile)} profile does not take; allowed: remove it, or use rbacProfile 'operator'`);
    } else if (k.rbacRiskAcknowledged.trim().length < 20) {
      add('rbacRiskAcknowledged', `${show(k.rbacRiskAcknowledged)} is not a reason; allowed: a sentence saying why agents need write access here`);
    }
  }
  if (k.helmReleaseAccess) {
    const reason = k.helmReleaseAccessAcknowledged;
    if (reason === undefined) {
      add('helmReleaseAccessAcknowledged', 'is missing while helmReleaseAccess is true: the server could list every Secret of the cluster '
        + '(Helm keeps release values in Secrets); allowed: a sentence saying why agents need Helm releases here, or helmReleaseAccess: false');
    } else if (reason.trim().length < 20) {
      add('helmReleaseAccessAcknowledged', `${show(reason)} is not a reason; allowed: a sentence saying why agents need Helm releases here`);
    }
  } else if (k.helmReleaseAccessAcknowledged !== undefined) {
    add('helmReleaseAccessAcknowledged', 'acknowledges a risk that helmReleaseAccess: false does not take; allowed: remove it, or set helmReleaseAccess: true');
  }
  return issues;
}

/** Loud warnings about an environment's choices, for synth's console and the generated docs. */
export function riskWarnings(env: EnvironmentConfig): string[] {
  const k = env.kubernetesMcp;
  if (!k.enabled) return [];
  const helm = k.helmReleaseAccess
    ? [`environments.${env.name}: kubernetesMcp.helmReleaseAccess is true: every client of the Kubernetes MCP server can list every Secret `
      + `of the cluster, data included (Helm keeps release values in Secrets). Acknowledged in config: ${k.helmReleaseAccessAcknowledged}`]
    : [];
  if (k.rbacProfile !== 'operator') return helm;
  const resources = OPERATOR_PROFILE_RULES.flatMap((r) => r.resources).join(', ');
  return [
    ...helm,
    `environments.${env.name}: kubernetesMcp.rbacProfile is 'operator': every client of the Kubernetes MCP server can create, change and `
    + `delete ${resources} in EVERY namespace, read every Secret, and start pods with any image and any ServiceAccount of a namespace `
    + '(which reaches whatever those accounts may do). The server runs with read_only and disable_destructive off. '
    + (k.rbacRiskAcknowledged
      ? `Acknowledged in config: ${k.rbacRiskAcknowledged}`
      : 'Not acknowledged: `npm run policy` fails until kubernetesMcp.rbacRiskAcknowledged says why.'),
  ];
}
