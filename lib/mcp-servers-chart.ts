import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig } from './config/types';
import { KagentRemoteMcpServer } from './kagent-remote-mcp-server';
import { KmcpMcpServer } from './kmcp-mcp-server';
import { systemLabels } from './labels';
import { McpGateway } from './mcp-gateway';
import { NetworkIsolation } from './network-isolation';
import { PlatformNamespace } from './platform-namespace';
import { SmokeCheck } from './smoke-check';

export interface McpServersChartProps {
  readonly env: EnvironmentConfig;
}

/** Namespaces whose pods may call the platform's MCP servers: listed clients and kagent's agents. */
export function mcpCallerNamespaces(env: EnvironmentConfig): string[] {
  const agents = env.kagent.enabled ? env.kagent.agentNamespaces : [];
  return [...new Set([...env.network.mcpClientNamespaces, ...agents])];
}

/**
 * The `mcp-servers` app: kMCP `MCPServer`s (the controller turns each into a Deployment and a
 * Service), what the controller leaves out (volumes, Secrets, RBAC, security context), default-deny
 * networking for the pods it creates, and a kagent RemoteMCPServer per server that opts in.
 * Synced after the kMCP CRDs and controller (their Applications have earlier waves).
 */
export class McpServersChart extends Chart {
  readonly appNamespace: string;
  readonly gateway: McpGateway;

  constructor(scope: Construct, id: string, props: McpServersChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    this.appNamespace = env.kmcp.namespace;
    // Every pod here gets a restricted security context from the MCPServer spec (init container included).
    new PlatformNamespace(this, 'namespace', { name: this.appNamespace, partOf: 'mcp-servers', enforce: 'restricted' });
    this.gateway = McpGateway.forEnvironment(this, 'gateway', env);
    const net = new NetworkIsolation(this, 'network', { namespace: this.appNamespace, dns: env.network.dns, labels: systemLabels('mcp-servers') });
    const callers = mcpCallerNamespaces(env);
    const startBudgets: Record<string, number> = {};

    for (const config of env.kmcp.servers) {
      const server = new KmcpMcpServer(this, config.name, {
        gateway: this.gateway,
        namespace: this.appNamespace,
        config,
        mirrors: env.images.mirrors,
        pullPolicy: env.images.pullPolicy,
        storageClassName: env.storage.className,
        kmcpVersion: env.kmcp.controller.chartVersion,
      });
      startBudgets[server.endpoint.name] = server.startBudget.seconds;
      const workload = { name: config.name, pods: server.pods };
      for (const namespace of callers) net.allowIngress(workload, { pods: {}, namespace }, [{ port: config.port }]);
      if (config.egress.cidrs.length > 0) {
        net.allowEgress(workload, { cidrs: config.egress.cidrs }, config.egress.ports.map((port) => ({ port })));
      }
      if (config.clusterRoles.length > 0) {
        net.allowEgress(workload, { cidrs: env.network.apiServer.cidrs }, env.network.apiServer.ports.map((port) => ({ port })));
      }
      if (env.kagent.enabled && config.registerWithKagent) {
        new KagentRemoteMcpServer(this, `${config.name}-kagent`, { endpoint: server.endpoint, agentNamespaces: env.kagent.agentNamespaces });
      }
    }

    // Keep last: it initializes every MCP endpoint registered with this chart's gateway.
    if (env.smokeChecks.enabled && env.kmcp.servers.length > 0) {
      new SmokeCheck(this, 'smoke-check', {
        app: 'mcp-servers', namespace: this.appNamespace, config: env.smokeChecks, images: env.images, network: net, mcpEndpointsOf: this,
        // Argo CD cannot wait for MCPServers: the check waits for their pods, in 10 s steps.
        mcpStartBudgets: startBudgets, retryDelaySeconds: 10,
      });
    }
  }
}
