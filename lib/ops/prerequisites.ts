/**
 * Custom resources an app's folder holds, whose CRDs (and controllers) must be in the cluster
 * before `npm run up` can apply it: a plain apply of an MCPServer without kMCP's CRD fails with
 * "no matches for kind", and without kMCP's controller nothing ever runs it.
 */
import { OpsApp, OpsEnvironment } from './environment';

export interface CrdRequirement {
  /** `plural.group`, as `kubectl get customresourcedefinition` names it. */
  readonly crd: string;
  readonly kind: string;
  /** What installs it (and the controller that acts on it), with the commands. */
  readonly installedBy: string;
}

function kmcpInstall(model: OpsEnvironment): string {
  const k = model.kmcp;
  const repo = `oci://${(k?.chartRepoURL ?? 'ghcr.io/kagent-dev/kmcp/helm').replace(/^oci:\/\//, '')}`;
  const version = k?.chartVersion ?? '0.3.0';
  const ns = k?.namespace ?? 'kmcp-system';
  const helm = `\`helm install kmcp-crds ${repo}/kmcp-crds --version ${version} -n ${ns} --create-namespace\`, then \`helm install kmcp ${repo}/kmcp --version ${version} -n ${ns}\``;
  return `kMCP's CRDs and controller must be installed first: `
    + (k?.install === false ? `kmcp.controller.install is false, so install them yourself: ${helm}`
      : `in Argo CD sync ${model.name}-kmcp-crds, then ${model.name}-kmcp; without Argo CD: ${helm}`);
}

/** Kinds this project synthesizes that need a CRD. Route is not one: OpenShift serves it from its own API server. */
const CUSTOM_KINDS: Record<string, { crd: string; installedBy: (model: OpsEnvironment) => string }> = {
  'kagent.dev/MCPServer': { crd: 'mcpservers.kagent.dev', installedBy: kmcpInstall },
  'kagent.dev/RemoteMCPServer': { crd: 'remotemcpservers.kagent.dev', installedBy: () => 'kagent must be installed first (its CRDs define RemoteMCPServer; its controller connects agents to it)' },
  'monitoring.coreos.com/PrometheusRule': { crd: 'prometheusrules.monitoring.coreos.com', installedBy: () => 'the prometheus-operator CRDs must be installed first (e.g. kube-prometheus-stack)' },
};

export function requiredCrds(model: OpsEnvironment, app: OpsApp): CrdRequirement[] {
  const seen = new Map<string, CrdRequirement>();
  for (const o of app.objects) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    const custom = CUSTOM_KINDS[`${group}/${o.kind}`];
    if (custom && !seen.has(custom.crd)) seen.set(custom.crd, { crd: custom.crd, kind: o.kind, installedBy: custom.installedBy(model) });
  }
  return [...seen.values()];
}

/** The plan's lines about them; `present` is undefined offline (not checked). */
export function prerequisiteLines(required: readonly CrdRequirement[], present?: ReadonlySet<string>): { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  for (const r of required) {
    if (present === undefined) lines.push(`  needs ${r.crd} (${r.kind}): ${r.installedBy}.`);
    else if (present.has(r.crd)) lines.push(`  found CustomResourceDefinition ${r.crd} (${r.kind})`);
    else errors.push(`CustomResourceDefinition ${r.crd} is missing, so ${r.kind} objects cannot be applied: ${r.installedBy}.`);
  }
  return { lines, errors };
}
