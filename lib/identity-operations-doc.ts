/**
 * The "Identities and keys" section of OPERATIONS.md: how tokens of the Kubernetes MCP server are issued,
 * renewed and revoked, and how Penpot MCP keys (which travel in URLs) are rotated.
 */
import { KAGENT_READER, readerServiceAccount, resolveKubernetesMcpIdentity } from './config/kubernetes-mcp-auth';
import { EnvironmentConfig } from './config/types';
import { KAGENT_CREDENTIAL_SECRET } from './kubernetes-mcp-server';

export const PENPOT_KEY_ROTATION = [
  '- **Penpot MCP keys travel in the URL** (`?userToken=`): penpotapp/mcp 2.17.0 reads the key only from that query parameter',
  '  (no header alternative), so the access logs of the ingress controller and of Penpot\'s frontend nginx hold every key that was used.',
  '  Keep those logs as private as the keys (or drop the query string from their log format), and prefer keys with an expiration date.',
  '- **Rotate a Penpot MCP key** that may have leaked (a shared log, a pasted config): the user opens *Your account -> Integrations*,',
  '  *Regenerate MCP key* (the old key stops working), and updates their client config. Sessions opened with the old key end when the',
  '  client reconnects.',
];

export function identityOperations(env: EnvironmentConfig): string[] {
  const lines = ['## Identities and keys', ''];
  const k = env.kubernetesMcp;
  if (k.enabled) {
    const id = resolveKubernetesMcpIdentity(env);
    if (id.mode === 'kubernetes-token') {
      lines.push(
        `- **Kubernetes MCP server**: every call needs a Kubernetes token, which the server forwards; the API server applies that identity's RBAC and audit.`,
        `  A reader's token: \`npm run -s token -- --env ${env.name} --reader <name> [--duration 24h]\` (stdout only).`
          + ` Readers: ${id.readers.length > 0 ? id.readers.map((r) => `\`${r}\` (ServiceAccount \`${k.namespace}/${readerServiceAccount(r)}\`)`).join(', ') : 'none yet (`kubernetesMcp.readers`)'}.`,
        '- **Revoke** one reader: remove the name from `kubernetesMcp.readers`, synth and sync (the ServiceAccount and with it every token of it go).'
          + ` To cut every token of a reader at once but keep the name: \`kubectl --context ${env.operations.kubeContext} -n ${k.namespace} delete serviceaccount <sa>\`, then sync.`,
      );
      if (id.readers.includes(KAGENT_READER)) {
        lines.push(`- **kagent's token** lives in Secret \`${k.namespace}/${KAGENT_CREDENTIAL_SECRET}\`: after the first sync of the \`mcp\` app, and before it expires,`
          + ` run \`npm run token -- --env ${env.name} --reader ${KAGENT_READER} --duration 8760h --write-secret\`.`);
      }
    } else if (id.mode === 'oidc') {
      lines.push(`- **Kubernetes MCP server**: tokens come from ${id.oidc?.issuerUrl} (MCP OAuth); revoke users there. The API server must trust the same issuer.`);
    } else {
      lines.push('- **Kubernetes MCP server**: no token (`kubernetesMcp.auth.mode: none`): it reads the cluster as its own ServiceAccount for whoever connects.');
    }
    if (id.llamaStackInstance && id.mode !== 'none') {
      lines.push('- **Llama Stack** calls its own in-cluster instance of the server, which only its pods reach and which reads as its own read-only ServiceAccount.');
    }
  }
  if (env.penpot.enabled && env.penpot.mcp.enabled) lines.push(...PENPOT_KEY_ROTATION);
  if (lines.length === 2) return [];
  lines.push('');
  return lines;
}
