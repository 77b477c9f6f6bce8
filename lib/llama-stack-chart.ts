import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { inferencePort, llamaStackSettings } from './config/llama-stack';
import { EnvironmentConfig } from './config/types';
import { declareTlsSecret } from './external-secret';
import { KubernetesMcpServer } from './kubernetes-mcp-server';
import { systemLabels } from './labels';
import { LLAMA_STACK_NAME, LlamaStack } from './llama-stack';
import { NetworkIsolation, peerAt } from './network-isolation';
import { PlatformNamespace } from './platform-namespace';
import { routingOf, tlsSecretInAppNamespaces } from './routing/routing';
import { WorkloadAlerts } from './workload-alerts';

export interface LlamaStackChartProps {
  readonly env: EnvironmentConfig;
  /** The Kubernetes MCP server Llama Stack is wired to (its chart allows the other half of the flow). */
  readonly kubernetesMcp: KubernetesMcpServer;
}

/** The `llama-stack` app: Llama Stack in its own namespace, under default-deny networking. */
export class LlamaStackChart extends Chart {
  readonly appNamespace: string;
  readonly llamaStack: LlamaStack;

  constructor(scope: Construct, id: string, props: LlamaStackChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, kubernetesMcp } = props;
    const l = env.llamaStack;
    this.appNamespace = l.namespace;
    new PlatformNamespace(this, 'namespace', { name: this.appNamespace, partOf: LLAMA_STACK_NAME, enforce: 'restricted' });
    if (env.ingress.tlsSecretName && l.ingressHost && tlsSecretInAppNamespaces(routingOf(env))) declareTlsSecret(this, this.appNamespace, env.ingress.tlsSecretName, [l.ingressHost]);
    const { storage, auth } = llamaStackSettings(env);
    this.llamaStack = new LlamaStack(this, 'llama-stack', {
      storage,
      auth,
      storageClassName: env.storage.className,
      kubeContext: env.operations.kubeContext,
      config: l,
      images: env.images,
      // With auth on, the server's in-cluster-only instance (Llama Stack's connector sends no header).
      mcpServers: [kubernetesMcp.llamaStack?.endpoint ?? kubernetesMcp.endpoint],
      routing: routingOf(env),
    });

    const net = new NetworkIsolation(this, 'network', { namespace: this.appNamespace, dns: env.network.dns, labels: systemLabels(LLAMA_STACK_NAME) });
    const workload = { name: LLAMA_STACK_NAME, pods: this.llamaStack.pods };
    const api = [{ port: this.llamaStack.port }];
    // The MCP chart admits these pods on the same port (the other half of the flow).
    const mcp = kubernetesMcp.llamaStack ?? kubernetesMcp;
    net.allowEgress(workload, { pods: mcp.pods, namespace: kubernetesMcp.namespace }, [{ port: mcp.port }]);
    net.allowEgress(workload, { cidrs: l.inference.cidrs }, [{ port: inferencePort(l.inference.url) }]);
    if (l.ingressHost) net.allowIngress(workload, peerAt(env.network.ingressController), api);
    for (const namespace of l.clientNamespaces) net.allowIngress(workload, { pods: {}, namespace }, api);
    // The kubernetes auth provider posts each caller's token to the API server (SelfSubjectReview).
    if (auth.mode === 'kubernetes') {
      net.allowEgress(workload, { cidrs: env.network.apiServer.cidrs }, env.network.apiServer.ports.map((port) => ({ port })));
    }
    const db = this.llamaStack.database;
    if (db?.kind === 'bundled') net.allow(workload, { name: `${LLAMA_STACK_NAME}-postgres`, pods: db.pods }, [{ port: db.port }]);
    if (db?.kind === 'external') net.allowEgress(workload, { cidrs: db.cidrs }, [{ port: db.port }]);

    if (env.monitoring.prometheusRules) {
      new WorkloadAlerts(this, 'alerts', {
        deployment: this.llamaStack.workload.deployment,
        title: 'Llama Stack',
        ruleLabels: env.monitoring.prometheusRules.labels,
        labels: systemLabels(LLAMA_STACK_NAME),
      });
    }
  }
}
