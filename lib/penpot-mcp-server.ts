import { Construct } from 'constructs';
import { ImagesConfig, PenpotMcpConfig } from './config/types';
import { resolveImage } from './images';
import { WorkloadIdentity, selectorLabels } from './labels';
import { McpEndpoint, McpGateway } from './mcp-gateway';
import { PENPOT_UID, PenpotMcpEndpoints } from './penpot-core';
import { containerSecurity, literalEnv, podSecurity, resourceRequirements, tcpProbe } from './pods';
import { Workload } from './workload';

export const PENPOT_MCP_HTTP_PORT = 4401;
export const PENPOT_MCP_WS_PORT = 4402;
/** Debug REPL that can run code: set explicitly so policies can name it, never declared or exposed. */
export const PENPOT_MCP_REPL_PORT = 4403;

export interface PenpotMcpServerProps {
  readonly gateway: McpGateway;
  readonly namespace: string;
  readonly version: string;
  readonly config: PenpotMcpConfig;
  readonly images: ImagesConfig;
  /** Penpot's public URI: clients reach the server same-origin at `<uri>/mcp/stream`. */
  readonly publicUri: string;
  /** Valkey URI, used only with more than one replica. */
  readonly redisUri: string;
}

/**
 * Penpot's official MCP server (`penpotapp/mcp`): streamable HTTP on 4401, the plugin's
 * WebSocket bridge on 4402. Multi-user: each user's key travels as `userToken`.
 */
export class PenpotMcpServer extends Construct {
  readonly endpoints: PenpotMcpEndpoints;
  readonly endpoint: McpEndpoint;
  /** Selector labels of the server's pods (for NetworkPolicies). */
  readonly pods: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PenpotMcpServerProps) {
    super(scope, id);
    const name = 'penpot-mcp';
    const identity: WorkloadIdentity = { name: 'penpot', instance: 'penpot', component: 'mcp', partOf: 'penpot', version: props.version };
    const { config } = props;
    this.pods = selectorLabels(identity);
    new Workload(this, 'workload', {
      name,
      namespace: props.namespace,
      identity,
      replicas: config.replicas,
      pod: {
        securityContext: podSecurity(this, PENPOT_UID),
        containers: [{
          name: 'mcp',
          image: resolveImage(`docker.io/penpotapp/mcp:${props.version}`, props.images.mirrors),
          imagePullPolicy: props.images.pullPolicy,
          // 4403 (REPL) is deliberately not declared: nothing may target it.
          ports: [
            { name: 'http', containerPort: PENPOT_MCP_HTTP_PORT, protocol: 'TCP' },
            { name: 'ws', containerPort: PENPOT_MCP_WS_PORT, protocol: 'TCP' },
          ],
          env: literalEnv({
            PENPOT_MCP_SERVER_PORT: String(PENPOT_MCP_HTTP_PORT),
            PENPOT_MCP_WEBSOCKET_PORT: String(PENPOT_MCP_WS_PORT),
            PENPOT_MCP_REPL_PORT: String(PENPOT_MCP_REPL_PORT),
            PENPOT_MCP_REMOTE_MODE: 'true',
            PENPOT_MCP_LOG_LEVEL: config.logLevel,
            // Sessions must be shared once a Service balances over several pods.
            ...(config.replicas > 1 ? { PENPOT_MCP_REDIS_URI: props.redisUri } : {}),
          }),
          // No HTTP health route upstream: TCP on the MCP port.
          readinessProbe: tcpProbe('http', { periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: tcpProbe('http', { periodSeconds: 20, failureThreshold: 6 }),
          resources: resourceRequirements(config.resources),
          securityContext: containerSecurity(false),
        }],
      },
    });
    this.endpoint = props.gateway.expose({
      name: 'penpot',
      title: 'Penpot MCP server (design files; each user connects with their own MCP key)',
      namespace: props.namespace,
      serviceName: name,
      identity,
      ports: [{ name: 'http', port: PENPOT_MCP_HTTP_PORT }, { name: 'ws', port: PENPOT_MCP_WS_PORT }],
      mcpPortName: 'http',
      exposure: config.exposure,
      ingressHost: config.host,
      sameOriginUrl: `${props.publicUri}/mcp/stream`,
      auth: {
        queryParameter: 'userToken',
        placeholder: '<YOUR_PENPOT_MCP_KEY>',
        howToGetIt: 'In Penpot: Your account -> Integrations -> enable MCP and copy the key; keep the design file open '
          + 'in a browser tab and connect the plugin (File -> MCP Server -> Connect).',
      },
    });
    this.endpoints = {
      http: { serviceName: name, port: PENPOT_MCP_HTTP_PORT },
      websocket: { serviceName: name, port: PENPOT_MCP_WS_PORT },
    };
  }
}
