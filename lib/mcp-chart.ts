import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { KUBERNETES_MCP_METRICS_PORT, MetricsScrape } from './alerts/metrics-scrape';
import { resolveKubernetesMcpIdentity } from './config/kubernetes-mcp-auth';
import { EnvironmentConfig } from './config/types';
import { declareTlsSecret } from './external-secret';
import { KagentRemoteMcpServer } from './kagent-remote-mcp-server';
import { KUBERNETES_MCP_NAME, KubernetesMcpServer } from './kubernetes-mcp-server';
import { systemLabels } from './labels';
import { llamaStackPodLabels } from './llama-stack';
import { McpGateway } from './mcp-gateway';
import { mcpCallerNamespaces } from './mcp-servers-chart';
import { NetworkIsolation, peerAt } from './network-isolation';
import { PlatformNamespace } from './platform-namespace';
import { routingOf, tlsSecretInAppNamespaces } from './routing/routing';
import { SmokeCheck } from './smoke-check';
import { WorkloadAlerts } from './workload-alerts';

export interface McpChartProps {
  readonly env: EnvironmentConfig;
}

/** The `mcp` app: MCP servers for agents that are not part of Penpot, in their own namespace. */
export class McpChart extends Chart {
  readonly appNamespace: string;
  readonly gateway: McpGateway;
  readonly kubernetes: KubernetesMcpServer;

  constructor(scope: Construct, id: string, props: McpChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    this.appNamespace = env.kubernetesMcp.namespace;
    new PlatformNamespace(this, 'namespace', { name: this.appNamespace, partOf: 'mcp', enforce: 'restricted' });
    const k = env.kubernetesMcp;
    if (env.ingress.tlsSecretName && k.ingressHost && tlsSecretInAppNamespaces(routingOf(env))) declareTlsSecret(this, this.appNamespace, env.ingress.tlsSecretName, [k.ingressHost]);
    this.gateway = McpGateway.forEnvironment(this, 'gateway', env);
    const metricsPort = env.monitoring.prometheusRules ? KUBERNETES_MCP_METRICS_PORT : undefined;
    const server = new KubernetesMcpServer(this, 'kubernetes', {
      gateway: this.gateway, config: env.kubernetesMcp, images: env.images, identity: resolveKubernetesMcpIdentity(env), metricsPort,
    });
    if (env.kagent.enabled) {
      new KagentRemoteMcpServer(this, 'kubernetes-kagent', {
        endpoint: server.endpoint, agentNamespaces: env.kagent.agentNamespaces, credential: server.kagentCredential,
      });
    }
    this.kubernetes = server;

    const net = new NetworkIsolation(this, 'network', { namespace: this.appNamespace, dns: env.network.dns, labels: systemLabels('mcp') });
    const workload = { name: server.serviceAccountName, pods: server.pods };
    const port = [{ port: k.port }];
    net.allowEgress(workload, { cidrs: env.network.apiServer.cidrs }, env.network.apiServer.ports.map((p) => ({ port: p })));
    if (k.ingressHost) net.allowIngress(workload, peerAt(env.network.ingressController), port);
    if (k.exposure.type === 'NodePort') net.allowIngress(workload, { cidrs: env.network.mcpClientCidrs }, port);
    for (const namespace of mcpCallerNamespaces(env)) net.allowIngress(workload, { pods: {}, namespace }, port);
    // Llama Stack's chart allows the egress half of this flow: to its own instance when auth is on.
    const llama = server.llamaStack;
    if (llama) {
      const instance = { name: llama.endpoint.serviceName, pods: llama.pods };
      net.allowEgress(instance, { cidrs: env.network.apiServer.cidrs }, env.network.apiServer.ports.map((p) => ({ port: p })));
      net.allowIngress(instance, { pods: llamaStackPodLabels(), namespace: env.llamaStack.namespace }, port);
    } else if (env.llamaStack.enabled) {
      net.allowIngress(workload, { pods: llamaStackPodLabels(), namespace: env.llamaStack.namespace }, port);
    }
    if (env.monitoring.prometheusRules && metricsPort !== undefined) {
      // Its own metrics (upstream.md 2b), from Prometheus only.
      new MetricsScrape(this, 'metrics', {
        name: KUBERNETES_MCP_NAME, namespace: this.appNamespace, labels: systemLabels('mcp'), selectorLabels: env.monitoring.prometheusRules.labels,
        pods: server.pods, target: { port: metricsPort },
      });
      net.allowIngress(workload, peerAt(env.monitoring.prometheus), [{ port: metricsPort }]);
    }
    if (env.monitoring.prometheusRules) {
      new WorkloadAlerts(this, 'alerts', {
        deployment: server.workload.deployment,
        title: 'Kubernetes MCP server',
        ruleLabels: env.monitoring.prometheusRules.labels,
        labels: systemLabels('mcp'),
      });
    }

    // Keep last: it initializes every MCP endpoint registered with a gateway of this chart.
    if (env.smokeChecks.enabled) {
      new SmokeCheck(this, 'smoke-check', {
        app: 'mcp', namespace: this.appNamespace, config: env.smokeChecks, images: env.images, network: net, mcpEndpointsOf: this,
      });
    }
  }
}
