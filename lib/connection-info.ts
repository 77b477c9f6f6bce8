/**
 * Connection info for the MCP endpoints of an environment: where each server answers and
 * ready-to-paste client configs (Codex, Claude, MCP Inspector). Generated from the gateways'
 * endpoint records, so a URL cannot point at a Service or port that is not synthesized.
 */
import { stringify as toToml } from 'smol-toml';
import type { LlamaStackEndpoint } from './llama-stack';
import { ManifestObject } from './checks/model';
import { describeCaller, endpointCallers, openEndpoints } from './endpoint-access';
import { llamaStackConnectSection } from './llama-stack-connect';
import { McpEndpoint } from './mcp-gateway';

export const NODE_ADDRESS_PLACEHOLDER = '<NODE_IP>';
export const NODE_PORT_PLACEHOLDER = '<NODE_PORT>';

export interface EndpointUrls {
  /** From pods of the cluster (agents, kagent, Llama Stack). */
  readonly inCluster: string;
  readonly ingress?: string;
  readonly sameOrigin?: string;
  /** Through a node's address, e.g. over a VPN. */
  readonly nodePort?: string;
}

function withAuth(url: string, endpoint: McpEndpoint): string {
  return endpoint.auth ? `${url}?${endpoint.auth.queryParameter}=${endpoint.auth.placeholder}` : url;
}

export function endpointUrls(endpoint: McpEndpoint): EndpointUrls {
  const nodePort = endpoint.exposure.type === 'NodePort'
    ? `http://${NODE_ADDRESS_PLACEHOLDER}:${endpoint.exposure.nodePort ?? NODE_PORT_PLACEHOLDER}${endpoint.path}` : undefined;
  return {
    inCluster: `http://${endpoint.serviceName}.${endpoint.namespace}:${endpoint.servicePort}${endpoint.path}`,
    ingress: endpoint.ingressUrl,
    sameOrigin: endpoint.sameOriginUrl,
    nodePort,
  };
}

/** The URL a person uses from a laptop: a routed host, the same origin as Penpot, a node port; none = in-cluster only. */
export function laptopUrl(endpoint: McpEndpoint): string | undefined {
  const urls = endpointUrls(endpoint);
  const url = urls.ingress ?? urls.sameOrigin ?? urls.nodePort;
  return url ? withAuth(url, endpoint) : undefined;
}

/** Endpoints a laptop can reach (the others go to the in-cluster file only). */
export function laptopEndpoints(endpoints: readonly McpEndpoint[]): McpEndpoint[] {
  return endpoints.filter((e) => laptopUrl(e) !== undefined);
}

/** What a person pastes in MCP Inspector's header field (Inspector does not expand variables). */
export function inspectorHeaderPlaceholder(e: McpEndpoint): string {
  const source = e.bearer?.mode === 'oidc' ? 'an access token of the issuer'
    : e.bearer?.mode === 'static-token' ? `the token of Secret ${e.namespace}/${e.bearer.secret?.name}`
      : 'the output of npm run -s token -- --env ENV --reader NAME';
  return `Bearer <paste ${source}>`;
}

function codexEntry(e: McpEndpoint, url: string): Record<string, unknown> {
  // Codex rejects an inline bearer_token; it reads the variable at start (toolchain.md).
  return { url, ...(e.bearer ? { bearer_token_env_var: e.bearer.envVar } : {}) };
}

function claudeEntry(e: McpEndpoint, url: string): Record<string, unknown> {
  // Claude Code expands ${VAR} in headers.
  return { type: 'http', url, ...(e.bearer ? { headers: { Authorization: `Bearer \${${e.bearer.envVar}}` } } : {}) };
}

function inspectorEntry(e: McpEndpoint, url: string): Record<string, unknown> {
  return { type: 'streamable-http', url, ...(e.bearer ? { headers: { Authorization: inspectorHeaderPlaceholder(e) } } : {}) };
}

export function codexConfig(endpoints: readonly McpEndpoint[]): string {
  const servers = Object.fromEntries(laptopEndpoints(endpoints).map((e) => [e.name, codexEntry(e, laptopUrl(e)!)]));
  const vars = [...new Set(laptopEndpoints(endpoints).flatMap((e) => (e.bearer ? [e.bearer.envVar] : [])))];
  return `# Paste into ~/.codex/config.toml${vars.length > 0 ? `; export ${vars.join(', ')} first (see CONNECT.md)` : ''}\n${toToml({ mcp_servers: servers })}\n`;
}

export function claudeConfig(endpoints: readonly McpEndpoint[]): string {
  const servers = Object.fromEntries(laptopEndpoints(endpoints).map((e) => [e.name, claudeEntry(e, laptopUrl(e)!)]));
  return `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`;
}

export function inspectorConfig(endpoints: readonly McpEndpoint[]): string {
  const servers = Object.fromEntries(laptopEndpoints(endpoints).map((e) => [e.name, inspectorEntry(e, laptopUrl(e)!)]));
  return `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`;
}

/**
 * For agents running in pods of the cluster, never for laptops: every endpoint's Service URL. A header
 * placeholder names the variable the agent's own token must come from (kagent: its Secret).
 */
export function inClusterConfig(endpoints: readonly McpEndpoint[]): string {
  const servers = Object.fromEntries(endpoints.map((e) => [e.name, {
    type: 'http', url: withAuth(endpointUrls(e).inCluster, e),
    ...(e.bearer ? { headers: { Authorization: `Bearer \${${e.bearer.envVar}}` } } : {}),
  }]));
  return `${JSON.stringify({ inClusterOnly: 'These URLs resolve only inside the cluster (pods of the namespaces CONNECT.md lists). Not for laptops.', mcpServers: servers }, null, 2)}\n`;
}

export const CLIENT_CONFIG_FILES = {
  codex: 'mcp-clients/codex-config.toml',
  claude: 'mcp-clients/claude-mcp.json',
  inspector: 'mcp-clients/inspector-config.json',
  inCluster: 'mcp-clients/in-cluster-only.json',
} as const;

/** A warning block every reader sees before any URL: one entry per endpoint that carries a risk. */
function riskBlock(endpoints: readonly McpEndpoint[]): string[] {
  const risky = endpoints.filter((e) => e.risk);
  if (risky.length === 0) return [];
  return [
    '> [!WARNING]',
    '> **RISK: WRITE ACCESS TO THE CLUSTER.**',
    ...risky.flatMap((e) => ['>', `> \`${e.name}\`: ${e.risk}`]),
    '',
  ];
}

function credentialText(e: McpEndpoint): string {
  if (e.bearer?.mode === 'static-token') return `bearer token (static, Secret \`${e.bearer.secret?.name}\`)`;
  if (e.bearer) return e.bearer.mode === 'oidc' ? 'bearer token of the OIDC issuer (MCP OAuth)' : 'bearer token (a Kubernetes token)';
  if (e.auth) return `per-user key in the URL (\`${e.auth.queryParameter}\`)`;
  return 'none';
}

/** The heading line of the open-endpoint count (its test parses the number). */
export const OPEN_ENDPOINTS_HEADING = 'Endpoints reachable from outside their namespace without a credential:';

/** Who reaches what, with which credential and as whom against the Kubernetes API; and the endpoints open beyond their namespace. */
function accessSection(objects: readonly ManifestObject[], endpoints: readonly McpEndpoint[]): string[] {
  const lines = ['## Who may connect, and as whom it reads the cluster', '',
    'Callers are read from the NetworkPolicies (who may *connect*); the credential decides who may *use* the endpoint.', '',
    '| caller | endpoint | credential | identity used against the Kubernetes API |', '|---|---|---|---|'];
  for (const e of endpoints) {
    for (const c of endpointCallers(objects, e)) {
      lines.push(`| ${describeCaller(objects, c)} | \`${e.name}\` | ${credentialText(e)} | ${e.apiIdentity ?? 'none (no Kubernetes API access)'} |`);
    }
  }
  const open = openEndpoints(objects, endpoints);
  const unacknowledged = open.filter((o) => !o.acknowledged);
  lines.push('', `${OPEN_ENDPOINTS_HEADING} **${open.length}** (not acknowledged: **${unacknowledged.length}**).`, '');
  if (open.length > 0) {
    lines.push('> [!WARNING]');
    for (const o of open) {
      lines.push(`> \`${o.endpoint.name}\` takes no credential; ${o.callers.map((c) => describeCaller(objects, c)).join(', ')} may connect. `
        + (o.acknowledged ? `Acknowledged: ${o.acknowledged}` : 'NOT acknowledged: anyone who can connect uses it.'));
    }
    lines.push('');
  }
  return lines;
}

export interface ConnectMarkdownInput {
  readonly environment: string;
  readonly endpoints: readonly McpEndpoint[];
  /** The environment's synthesized objects: callers come from its NetworkPolicies. */
  readonly objects: readonly ManifestObject[];
  readonly llamaStacks?: readonly LlamaStackEndpoint[];
}

/** Penpot's `userToken` travels in the URL (penpot 2.17.0 mcp/packages/server/src/PenpotMcpServer.ts reads only `req.query.userToken`). */
export const USER_TOKEN_IN_URL_NOTE = 'The key travels in the URL: penpotapp/mcp 2.17.0 reads it only from the `userToken` query parameter '
  + '(no header alternative), so every request line with it lands in the access logs of the ingress controller and of Penpot\'s '
  + 'frontend nginx (the MCP server itself logs only a fingerprint). Keep those logs as private as the keys, or drop the query '
  + 'string from their log format. Rotate a key that may have leaked: Your account -> Integrations -> Regenerate MCP key (the old key '
  + 'stops working), and prefer keys with an expiration date.';

export function renderConnectMarkdown(input: ConnectMarkdownInput): string {
  const { environment, endpoints, objects } = input;
  const lines = [
    `# MCP endpoints of environment \`${environment}\``,
    '',
    ...riskBlock(endpoints),
    'Generated by `npm run synth`; do not edit. Every endpoint speaks MCP streamable HTTP (no `/sse`).',
    `Ready-to-paste client configs for laptops: \`${CLIENT_CONFIG_FILES.codex}\`, \`${CLIENT_CONFIG_FILES.claude}\`, \`${CLIENT_CONFIG_FILES.inspector}\`; `
      + `for agents in pods only: \`${CLIENT_CONFIG_FILES.inCluster}\`. No file holds a token: clients read it from a variable.`,
    '',
  ];
  if (endpoints.length === 0) lines.push('This environment has no MCP server.', '');
  else lines.push(...accessSection(objects, endpoints));
  for (const e of endpoints) {
    const urls = endpointUrls(e);
    lines.push(`## \`${e.name}\`: ${e.title}`, '', '| reached from | URL |', '|---|---|');
    if (urls.ingress) {
      const via = e.ingressKind === 'Route' ? 'OpenShift Route, TLS at the router' : e.ingressKind === 'HTTPRoute' ? 'Gateway API HTTPRoute' : 'ingress';
      lines.push(`| dedicated host (${via}) | \`${withAuth(urls.ingress, e)}\` |`);
    }
    if (urls.sameOrigin) lines.push(`| same origin as Penpot | \`${withAuth(urls.sameOrigin, e)}\` |`);
    if (urls.nodePort) lines.push(`| a node address (VPN) | \`${withAuth(urls.nodePort, e)}\` |`);
    lines.push(`| pods in the cluster (in-cluster only) | \`${withAuth(urls.inCluster, e)}\` |`, '');
    const callers = endpointCallers(objects, e);
    lines.push(callers.length > 0
      ? `Its NetworkPolicy admits: ${callers.map((c) => describeCaller(objects, c)).join('; ')}.`
      : 'Its NetworkPolicy admits no caller.', '');
    if (e.auth) lines.push(`Key: ${e.auth.howToGetIt} Replace \`${e.auth.placeholder}\` with it.`, '', USER_TOKEN_IN_URL_NOTE, '');
    if (e.bearer) {
      const staticToken = e.bearer.mode === 'static-token' && e.bearer.secret;
      const fetchToken = staticToken
        ? `kubectl -n ${e.namespace} get secret ${staticToken.name} -o jsonpath='{.data.${staticToken.key}}' | base64 -d`
        : `npm run -s token -- --env ${environment} --reader <you>`;
      lines.push(`Credential: every request needs \`Authorization: Bearer <token>\` (without one: 401 with \`WWW-Authenticate\`). Get a token with ${e.bearer.howToGetIt}; `
        + `clients read it from \`${e.bearer.envVar}\`: \`export ${e.bearer.envVar}="$(${fetchToken})"\`. `
        + (staticToken ? 'One token for every caller: rotate it by changing the Secret and restarting the server.'
          : `The server forwards it to the API server, which applies that identity's RBAC and audit.`), '');
      if (e.bearer.agents) lines.push(e.bearer.agents.replace(/<env>/g, environment), '');
    }
    if (e.exposure.type === 'NodePort') {
      lines.push(`\`${NODE_ADDRESS_PLACEHOLDER}\` is the node's address as your client sees it (e.g. its WireGuard IP).`);
      if (e.exposure.nodePort === undefined) {
        lines.push(`\`${NODE_PORT_PLACEHOLDER}\` is allocated by the cluster: \`kubectl -n ${e.namespace} get svc ${e.nodePortServiceName} -o jsonpath='{.spec.ports[0].nodePort}'\``);
      }
      lines.push('Over a VPN, idle streams can be dropped silently and the reconnect answered 409; set `PersistentKeepalive = 25`'
        + ' on the WireGuard peer, or run the server stateless.', '');
    }
    const url = laptopUrl(e);
    if (!url) {
      lines.push(`In-cluster only: no laptop config (its entry is in \`${CLIENT_CONFIG_FILES.inCluster}\`).`, '');
      continue;
    }
    lines.push(
      'Codex (`~/.codex/config.toml`):', '', '```toml', toToml({ mcp_servers: { [e.name]: codexEntry(e, url) } }).trim(), '```', '',
      'Claude (`.mcp.json`):', '', '```json',
      JSON.stringify({ mcpServers: { [e.name]: claudeEntry(e, url) } }, null, 2), '```', '',
      `MCP Inspector: transport **Streamable HTTP**, URL \`${url}\``
        + (e.bearer ? `, custom header \`Authorization\` with value \`${inspectorHeaderPlaceholder(e)}\` (Inspector does not expand variables).` : '.'), '',
    );
  }
  for (const l of input.llamaStacks ?? []) lines.push(...llamaStackSection(l));
  return lines.join('\n');
}

/** Llama Stack is no MCP server but a client of them: its own section (lib/llama-stack-connect.ts). */
function llamaStackSection(l: LlamaStackEndpoint): string[] {
  return llamaStackConnectSection(l);
}
