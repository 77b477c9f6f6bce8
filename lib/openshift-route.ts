import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export const ROUTE_API_VERSION = 'route.openshift.io/v1';

export interface OpenShiftRouteProps {
  /** Name of the Route (stable: no hash suffix). */
  readonly name: string;
  readonly namespace: string;
  /** Host users type; it must lie in a domain the router serves (e.g. `*.apps.<cluster>`). */
  readonly host: string;
  /** Path prefix. @default undefined: the whole host */
  readonly path?: string;
  /** The Service the router sends traffic to (its endpoints, not its cluster IP). */
  readonly serviceName: string;
  /** Port of that Service, by name (names survive renumbering). */
  readonly servicePortName: string;
  /**
   * Server-side timeout in seconds (`haproxy.router.openshift.io/timeout`). The router's default
   * is 30 s, which cuts MCP streams and long uploads. @default 3600
   */
  readonly timeoutSeconds?: number;
  /** Only these source CIDRs may pass (`haproxy.router.openshift.io/ip_allowlist`). @default []: no restriction */
  readonly allowedSourceCidrs?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * An OpenShift Route with TLS terminated at the router (edge) and plain http redirected to
 * https. No certificate of its own: the router serves its default certificate, which covers
 * the cluster's apps domain. Field meanings: openshift/api route/v1 (see lib/checks/route-schema.ts).
 */
export class OpenShiftRoute extends Construct {
  readonly route: ApiObject;
  /** What users type, always https. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: OpenShiftRouteProps) {
    super(scope, id);
    const annotations: Record<string, string> = {
      'haproxy.router.openshift.io/timeout': `${props.timeoutSeconds ?? 3600}s`,
    };
    if (props.allowedSourceCidrs && props.allowedSourceCidrs.length > 0) {
      // Space-separated: any other delimiter makes the router ignore the list without a word
      // (OpenShift docs, route-specific annotations); ip_allowlist supersedes ip_whitelist.
      annotations['haproxy.router.openshift.io/ip_allowlist'] = props.allowedSourceCidrs.join(' ');
    }
    this.route = new ApiObject(this, 'route', {
      apiVersion: ROUTE_API_VERSION,
      kind: 'Route',
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels }, annotations },
      spec: {
        host: props.host,
        ...(props.path && props.path !== '/' ? { path: props.path } : {}),
        to: { kind: 'Service', name: props.serviceName, weight: 100 },
        // A name is looked up in the Service's endpoint ports, whose names are the Service's port names.
        port: { targetPort: props.servicePortName },
        tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' },
        wildcardPolicy: 'None',
      },
    });
    this.url = `https://${props.host}${props.path && props.path !== '/' ? props.path : ''}`;
  }
}
