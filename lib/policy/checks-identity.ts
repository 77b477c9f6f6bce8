/**
 * Identity (issue 11): a Kubernetes MCP server that serves MCP without requiring a token lets everyone
 * who can connect read the cluster as the server. The construct writes why that is acceptable on the
 * server's ConfigMap (`penpot-mcp-platform/unauthenticated-acknowledged`: the environment's
 * `kubernetesMcp.auth.unauthenticatedAcknowledged`, or the platform's own reason for Llama Stack's
 * in-cluster instance and for a server only its own namespace reaches); the suite reports it as a
 * warning, exempt with that reason, and fails a server with neither.
 */
import { asRecord, kindOf } from '../checks/model';
import { PolicyCheck } from './model';

export const UNAUTHENTICATED_ACKNOWLEDGED_ANNOTATION = 'penpot-mcp-platform/unauthenticated-acknowledged';

const isServerConfig = (doc: any): boolean => kindOf(doc) === 'ConfigMap'
  && asRecord(asRecord(doc).metadata).labels?.['app.kubernetes.io/name'] === 'kubernetes-mcp-server'
  && typeof asRecord(asRecord(doc).data)['config.toml'] === 'string';

export const mcpAuthentication: PolicyCheck = {
  id: 'identity/mcp-authentication',
  severity: 'warning',
  description: 'every Kubernetes MCP server requires a bearer token (require_oauth), unless the environment acknowledges why not',
  appliesTo: isServerConfig,
  check(doc) {
    const toml: string = doc.data['config.toml'];
    if (/^require_oauth = true$/m.test(toml)) return [];
    const reason = asRecord(asRecord(doc).metadata).annotations?.[UNAUTHENTICATED_ACKNOWLEDGED_ANNOTATION];
    return [{
      field: 'data["config.toml"]',
      message: 'serves MCP without authentication: everyone who can connect reads the cluster as the server\'s ServiceAccount'
        + (reason ? '' : `; set kubernetesMcp.auth.mode (kubernetes-token) or acknowledge it (kubernetesMcp.auth.unauthenticatedAcknowledged)`),
      ...(typeof reason === 'string' && reason.trim() !== '' ? { acknowledged: reason } : {}),
    }];
  },
};

export const IDENTITY_CHECKS: readonly PolicyCheck[] = [mcpAuthentication];
