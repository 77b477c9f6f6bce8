/**
 * The platform's own annotation keys: facts the synthesized objects carry so that the checks and
 * the policy suite, which read only dist/, can tell an intended choice from a mistake.
 */

/**
 * On a ClusterRole: the environment's reason (`kubernetesMcp.rbacRiskAcknowledged`) for granting
 * write access. The policy suite reports acknowledged write grants as exempt with this reason.
 */
export const RISK_ACKNOWLEDGED_ANNOTATION = 'penpot-mcp-platform/risk-acknowledged';

/**
 * On a Namespace: its pods' user and group ids are assigned by the cluster (value
 * {@link UIDS_ASSIGNED_BY_SCC}: OpenShift's restricted-v2 SCC), so the manifests pin none.
 */
export const UIDS_ANNOTATION = 'penpot-mcp-platform/uids';
export const UIDS_ASSIGNED_BY_SCC = 'assigned-by-scc';
