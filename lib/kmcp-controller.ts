import { HelmAppRef } from './app-of-apps-chart';
import { KmcpControllerConfig } from './config/types';
import { parseImageRef, resolveImage } from './images';
import { kmcpControllerImage } from './kmcp-release';

/** Sync waves of the environment's Applications: CRDs, then the controller, then what uses them (wave 0). */
export const KMCP_CRDS_WAVE = -20;
export const KMCP_CONTROLLER_WAVE = -10;

/**
 * The MCPServer CRD (358,802 bytes) exceeds the 262,144-byte `last-applied-configuration`
 * annotation of client-side apply, so both charts are applied server-side (upstream.md section 3).
 */
const KMCP_SYNC_OPTIONS = ['CreateNamespace=true', 'ServerSideApply=true'];

/**
 * Chart values `image.repository` and `image.tag` (helm/kmcp/values.yaml, `kmcp.image` in
 * _helpers.tpl): always written, so the controller image is the release's own, pinned, and goes
 * through the registry mirror like every image of ours (the chart default names ghcr.io directly).
 */
export function kmcpControllerImageValues(version: string, mirrors: Readonly<Record<string, string>>): { repository: string; tag: string } {
  const ref = parseImageRef(resolveImage(kmcpControllerImage(version), mirrors));
  if (typeof ref === 'string' || !ref.tag) throw new Error(`kMCP controller image of ${version}: ${String(ref)}`);
  return { repository: `${ref.registry}/${ref.repository}`, tag: ref.tag };
}

/**
 * The two Argo CD Applications that install kMCP from its Helm charts: `kmcp-crds` in an earlier
 * sync wave than `kmcp` (the controller), both pinned to the same chart version and synced by hand
 * like the rest. Values are the chart's own keys (kagent-dev/kmcp helm/kmcp/values.yaml).
 */
export function kmcpControllerApps(c: KmcpControllerConfig, mirrors: Readonly<Record<string, string>>): HelmAppRef[] {
  const namespaceLabels = {
    // The chart's pods run as non-root with RuntimeDefault seccomp and no capabilities.
    'pod-security.kubernetes.io/enforce': 'restricted',
    'app.kubernetes.io/part-of': 'kmcp',
  };
  return [
    {
      name: 'kmcp-crds',
      destinationNamespace: c.namespace,
      helm: { repoURL: c.chartRepoURL, chart: 'kmcp-crds', version: c.chartVersion },
      syncWave: KMCP_CRDS_WAVE,
      syncOptions: KMCP_SYNC_OPTIONS,
      namespaceLabels,
    },
    {
      name: 'kmcp',
      destinationNamespace: c.namespace,
      helm: {
        repoURL: c.chartRepoURL,
        chart: 'kmcp',
        version: c.chartVersion,
        values: {
          image: kmcpControllerImageValues(c.chartVersion, mirrors),
          controller: { replicaCount: c.replicas, leaderElection: { enabled: c.leaderElection } },
          resources: { requests: { ...c.resources.requests }, limits: { ...c.resources.limits } },
        },
      },
      syncWave: KMCP_CONTROLLER_WAVE,
      syncOptions: KMCP_SYNC_OPTIONS,
      namespaceLabels,
    },
  ];
}
