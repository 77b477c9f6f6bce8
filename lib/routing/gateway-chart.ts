import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { declareTlsSecret } from '../external-secret';
import { systemLabels } from '../labels';
import { PlatformNamespace } from '../platform-namespace';
import { GATEWAY_API_GROUP, RoutedHost } from './routed-host';
import { GatewayReference, Routing } from './routing';

export const GATEWAY_API_VERSION = `${GATEWAY_API_GROUP}/v1`;
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface GatewayChartProps {
  readonly routing: Routing;
  /** The routed hosts that attach to the Gateway (build this chart after every other one). */
  readonly hosts: readonly RoutedHost[];
}

/**
 * The `gateway` app, for users without a Gateway: its namespace and a `Gateway` with the configured
 * listeners (HTTPS ones terminate TLS with `ingress.tlsSecretName`, which must then live in this
 * namespace). Routes of other namespaces may attach only where a listener's `allowedRoutes`
 * admits them (Gateway API default: the Gateway's own namespace), so every listener admits exactly
 * the namespaces that hold a routed host of this environment.
 */
export class GatewayChart extends Chart {
  readonly appNamespace: string;

  constructor(scope: Construct, id: string, props: GatewayChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const gateway = props.routing.gateway as GatewayReference;
    if (!gateway?.create) throw new Error('GatewayChart: the routing has no Gateway to create');
    this.appNamespace = gateway.namespace;
    new PlatformNamespace(this, 'namespace', { name: gateway.namespace, partOf: 'gateway', enforce: 'restricted' });
    const tls = props.routing.tlsSecretName;
    if (tls && gateway.create.listeners.some((l) => l.protocol === 'HTTPS')) {
      declareTlsSecret(this, gateway.namespace, tls, props.hosts.map((h) => h.host));
    }
    const admitted = [...new Set(props.hosts.map((h) => h.namespace))].sort();
    new ApiObject(this, 'gateway', {
      apiVersion: GATEWAY_API_VERSION,
      kind: 'Gateway',
      metadata: { name: gateway.name, namespace: gateway.namespace, labels: systemLabels('gateway') },
      spec: {
        gatewayClassName: gateway.create.gatewayClassName,
        listeners: gateway.create.listeners.map((l) => ({
          name: l.name,
          protocol: l.protocol,
          port: l.port,
          ...(l.protocol === 'HTTPS' ? { tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: tls }] } } : {}),
          allowedRoutes: {
            kinds: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute' }],
            namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: admitted }] } },
          },
        })),
      },
    });
  }
}
