import { Construct } from 'constructs';
import {
  RemoteMcpServer, RemoteMcpServerSpecAllowedNamespacesFrom, RemoteMcpServerSpecHeadersFromValueFromType, RemoteMcpServerSpecProtocol,
} from '../imports/kagent-kagent.dev';
import { endpointUrls } from './connection-info';
import type { HeaderSecret } from './kubernetes-mcp-server';
import { MANAGED_BY } from './labels';
import { McpEndpoint } from './mcp-gateway';

export interface KagentRemoteMcpServerProps {
  /** The endpoint record of the server (its in-cluster URL is what agents call). */
  readonly endpoint: McpEndpoint;
  /** Namespaces whose kagent agents may reference this object. */
  readonly agentNamespaces: readonly string[];
  /**
   * The Secret (beside this object) whose `authorization` key holds the whole header value,
   * `Bearer <token>`, for a server that requires one. Never a literal. @default undefined: no header
   */
  readonly credential?: HeaderSecret;
}

/**
 * A kagent `RemoteMCPServer` (kagent.dev/v1alpha2) for one of the platform's MCP servers. It
 * lives beside the server (same namespace, same Argo app) and admits agents of the listed
 * namespaces through `allowedNamespaces` (kagent's Gateway-API-style cross-namespace rule; the
 * default would allow only agents in the server's own namespace). The URL is the server's
 * in-cluster Service URL from its endpoint record, so it cannot drift from the Service.
 */
export class KagentRemoteMcpServer extends Construct {
  readonly url: string;

  constructor(scope: Construct, id: string, props: KagentRemoteMcpServerProps) {
    super(scope, id);
    const e = props.endpoint;
    this.url = endpointUrls(e).inCluster;
    new RemoteMcpServer(this, 'remote', {
      metadata: {
        name: e.name,
        namespace: e.namespace,
        labels: { 'app.kubernetes.io/part-of': 'kagent', 'app.kubernetes.io/managed-by': MANAGED_BY },
      },
      spec: {
        description: e.title,
        url: this.url,
        protocol: RemoteMcpServerSpecProtocol.STREAMABLE_UNDERSCORE_HTTP,
        ...(props.credential ? {
          headersFrom: [{
            name: 'Authorization',
            valueFrom: { type: RemoteMcpServerSpecHeadersFromValueFromType.SECRET, name: props.credential.secretName, key: props.credential.key },
          }],
        } : {}),
        allowedNamespaces: {
          from: RemoteMcpServerSpecAllowedNamespacesFrom.SELECTOR,
          selector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...props.agentNamespaces] }],
          },
        },
      },
    });
  }
}

