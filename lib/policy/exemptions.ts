/**
 * The only place a policy violation may be accepted. Each entry names one check, one object
 * (`Kind namespace/name` exactly as the report prints it; no wildcards), optionally one container
 * and one environment, and says why. An entry that no longer matches a violation fails the run
 * as `policy/stale-exemption`; one naming an unknown check fails as `policy/invalid-exemption`.
 */
import { Exemption } from './model';

export type { Exemption } from './model';

const PENPOT_WRITABLE_ROOT = 'Upstream runs Penpot images with readOnlyRootFilesystem: false: the frontend entrypoint rewrites '
  + '/etc/nginx/nginx.conf and /var/www/app/js/config.js at start, the exporter and MCP server write temp files (upstream.md section 1)';

const ASSETS_OWNERSHIP_FIX = 'hostPath-backed volumes (local-path) ignore fsGroup; this init container chowns files of other owners to '
  + 'UID 1001 (AccessDeniedException otherwise) and needs root with CHOWN/DAC_OVERRIDE only; its namespace enforces baseline';

export const EXEMPTIONS: readonly Exemption[] = [
  { check: 'security/read-only-root-fs', object: 'Deployment penpot/penpot-frontend', reason: PENPOT_WRITABLE_ROOT },
  { check: 'security/read-only-root-fs', object: 'Deployment penpot/penpot-backend', reason: PENPOT_WRITABLE_ROOT },
  { check: 'security/read-only-root-fs', object: 'Deployment penpot/penpot-exporter', reason: PENPOT_WRITABLE_ROOT },
  { check: 'security/read-only-root-fs', object: 'Deployment penpot/penpot-mcp', reason: PENPOT_WRITABLE_ROOT },
  {
    check: 'security/automount-token', object: 'Deployment mcp-system/kubernetes-mcp-server',
    reason: 'In-cluster authentication is the purpose of this server. With kubernetesMcp.auth on (the default when it is reachable beyond '
      + 'its namespace) the token is bound to nothing and reads only API discovery at start, callers\' own tokens do the rest; with auth '
      + "'none' it is bound to the reader rules of kubernetesMcp.rbacProfile (the operator profile is a separate, acknowledged rbac/write-access risk)",
  },
  {
    check: 'security/automount-token', object: 'Deployment mcp-system/kubernetes-mcp-server-llama-stack',
    reason: "Llama Stack's in-cluster instance reads the cluster as its own ServiceAccount (cluster_auth_mode kubeconfig), "
      + 'bound to the same read-only reader rules as a reader (view plus nodes and events)',
  },
  { check: 'security/run-as-non-root', object: 'Deployment penpot/penpot-backend', container: 'fix-assets-ownership', reason: ASSETS_OWNERSHIP_FIX },
  { check: 'security/capabilities', object: 'Deployment penpot/penpot-backend', container: 'fix-assets-ownership', reason: ASSETS_OWNERSHIP_FIX },
];
