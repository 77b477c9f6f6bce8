/**
 * Objects whose CustomResourceDefinition this project may not install. Argo CD dry-runs every
 * object of a sync first; one object whose kind the cluster does not know fails the dry-run of the
 * **whole** app, so nothing of it deploys (upstream.md section 5; Argo CD sync-options
 * `SkipDryRunOnMissingResource`). Such objects are marked to skip the dry-run: the rest of the
 * app deploys, and only they fail until the CRD exists. Kinds whose CRD an environment installs
 * itself (kMCP's CRDs chart, in an earlier wave) and APIs of the platform an environment targets
 * (Argo CD's Application, OpenShift's Route) are not marked. One table serves the marking at synth,
 * the check over dist/ and the prerequisites list in OPERATIONS.md.
 */
import { ApiObject, Chart } from 'cdk8s';

export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
export const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';

/** API groups every Kubernetes API server serves (no CRD needed). */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'apps', 'authentication.k8s.io',
  'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io',
  'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'networking.k8s.io', 'node.k8s.io', 'policy',
  'rbac.authorization.k8s.io', 'resource.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io',
]);

/** Where a custom kind comes from. */
export interface CustomKind {
  /** CRD name, `<plural>.<group>` (what `kubectl get crd` lists). */
  readonly crd: string;
  /** Who installs it, for the runbook. */
  readonly providedBy: string;
  /**
   * `platform`: part of what the environment runs on (Argo CD itself, OpenShift): every object of
   * this project already needs it, so there is nothing to skip. `optional`: an integration the
   * cluster may lack.
   */
  readonly scope: 'platform' | 'optional';
}

/** Custom kinds this project writes, keyed `group/Kind`. */
export const CUSTOM_KINDS: Readonly<Record<string, CustomKind>> = {
  'argoproj.io/Application': { crd: 'applications.argoproj.io', providedBy: 'Argo CD', scope: 'platform' },
  'route.openshift.io/Route': { crd: 'routes.route.openshift.io (built-in API of OpenShift)', providedBy: 'OpenShift', scope: 'platform' },
  'kagent.dev/MCPServer': { crd: 'mcpservers.kagent.dev', providedBy: "kMCP's `kmcp-crds` chart", scope: 'optional' },
  'kagent.dev/RemoteMCPServer': { crd: 'remotemcpservers.kagent.dev', providedBy: 'kagent (its CRDs chart)', scope: 'optional' },
  'monitoring.coreos.com/PrometheusRule': { crd: 'prometheusrules.monitoring.coreos.com', providedBy: 'prometheus-operator (e.g. kube-prometheus-stack)', scope: 'optional' },
  'monitoring.coreos.com/ServiceMonitor': { crd: 'servicemonitors.monitoring.coreos.com', providedBy: 'prometheus-operator (e.g. kube-prometheus-stack)', scope: 'optional' },
  'monitoring.coreos.com/PodMonitor': { crd: 'podmonitors.monitoring.coreos.com', providedBy: 'prometheus-operator (e.g. kube-prometheus-stack)', scope: 'optional' },
  'gateway.networking.k8s.io/HTTPRoute': { crd: 'httproutes.gateway.networking.k8s.io', providedBy: 'the Gateway API CRDs (standard channel) of your gateway controller', scope: 'optional' },
  'gateway.networking.k8s.io/Gateway': { crd: 'gateways.gateway.networking.k8s.io', providedBy: 'the Gateway API CRDs (standard channel) of your gateway controller', scope: 'optional' },
  'traefik.io/Middleware': { crd: 'middlewares.traefik.io', providedBy: 'Traefik (k3s installs it with its bundled Traefik)', scope: 'optional' },
  'traefik.io/IngressRoute': { crd: 'ingressroutes.traefik.io', providedBy: 'Traefik (k3s installs it with its bundled Traefik)', scope: 'optional' },
};

/**
 * CRDs that a Helm chart installed by an environment ships: kMCP's `kmcp-crds` holds the MCPServer
 * CRD (kagent-dev/kmcp Makefile `helm-package`: `cp config/crd/bases/kagent.dev_mcpservers.yaml
 * helm/kmcp-crds/templates/mcpserver-crd.yaml`).
 */
export const CHART_CRDS: Readonly<Record<string, readonly string[]>> = {
  'kmcp-crds': ['kagent.dev/MCPServer'],
};

/** API group of an apiVersion: '' for the core group (`v1`). */
export function apiGroupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function kindKey(apiVersion: unknown, kind: unknown): string {
  return `${apiGroupOf(apiVersion)}/${String(kind)}`;
}

/** The custom kind of an object, or undefined for built-in kinds. Unknown custom kinds get a guessed CRD name. */
export function customKindOf(apiVersion: unknown, kind: unknown): CustomKind | undefined {
  const group = apiGroupOf(apiVersion);
  if (BUILT_IN_GROUPS.has(group)) return undefined;
  return CUSTOM_KINDS[kindKey(apiVersion, kind)]
    ?? { crd: `${String(kind).toLowerCase()}s.${group}`, providedBy: `whatever installs the ${group} API`, scope: 'optional' };
}

/** `group/Kind` keys an environment installs CRDs for, from the charts of its Helm Applications. */
export function installedKinds(charts: readonly string[]): Set<string> {
  return new Set(charts.flatMap((c) => CHART_CRDS[c] ?? []));
}

/** Whether an object of this kind must skip Argo CD's dry-run (or live in an app of its own). */
export function needsSkipDryRun(apiVersion: unknown, kind: unknown, installed: ReadonlySet<string>): boolean {
  const custom = customKindOf(apiVersion, kind);
  return custom !== undefined && custom.scope === 'optional' && !installed.has(kindKey(apiVersion, kind));
}

/** Whether an annotation value (comma-separated sync options) holds the skip. */
export function hasSkipDryRun(annotationValue: unknown): boolean {
  return typeof annotationValue === 'string' && annotationValue.split(',').map((v) => v.trim()).includes(SKIP_DRY_RUN);
}

/**
 * Marks every object of `charts` whose CRD the environment does not install with
 * `argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true`. Runs at synth over what
 * every construct built, so an integration added later (routes, alerts) is covered without it
 * having to know. Existing sync options on an object are kept.
 */
export function markObjectsWithMissingCrds(charts: readonly Chart[], installed: ReadonlySet<string>): void {
  for (const chart of charts) {
    for (const node of chart.node.findAll()) {
      if (!(node instanceof ApiObject) || !needsSkipDryRun(node.apiVersion, node.kind, installed)) continue;
      const current = (node.toJson()?.metadata?.annotations ?? {})[SYNC_OPTIONS_ANNOTATION] as string | undefined;
      if (hasSkipDryRun(current)) continue;
      node.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, current ? `${current},${SKIP_DRY_RUN}` : SKIP_DRY_RUN);
    }
  }
}
