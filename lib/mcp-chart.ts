import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { SYNC_WAVE } from './argo-application';
import { EnvironmentConfig } from './config/types';
import { declareTlsSecret } from './external-secret';
import { k8s } from './k8s';
import { KubernetesMcpServer } from './kubernetes-mcp-server';
import { systemLabels } from './labels';
import { McpGateway } from './mcp-gateway';

export interface McpChartProps {
  readonly env: EnvironmentConfig;
}

/** The `mcp` app: MCP servers for agents that are not part of Penpot, in their own namespace. */
export class McpChart extends Chart {
  readonly appNamespace: string;
  readonly gateway: McpGateway;

  constructor(scope: Construct, id: string, props: McpChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    this.appNamespace = env.kubernetesMcp.namespace;
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: { name: this.appNamespace, labels: systemLabels('mcp'), annotations: { [SYNC_WAVE]: '-1' } },
    });
    const k = env.kubernetesMcp;
    if (env.ingress.tlsSecretName && k.ingressHost) declareTlsSecret(this, this.appNamespace, env.ingress.tlsSecretName, [k.ingressHost]);
    this.gateway = new McpGateway(this, 'gateway', {
      ingressClassName: env.ingress.className,
      tlsSecretName: env.ingress.tlsSecretName,
      allowedSourceCidrs: env.ingress.allowedSourceCidrs,
    });
    new KubernetesMcpServer(this, 'kubernetes', { gateway: this.gateway, config: env.kubernetesMcp, images: env.images });
  }
}
