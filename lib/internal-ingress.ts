import { Construct } from 'constructs';
import { k8s } from './k8s';
import { OpenShiftRoute } from './openshift-route';

/** What routes external traffic into the cluster. */
export type Router = 'ingress-nginx' | 'openshift';

export interface IngressRoute {
  /** Host users type. */
  readonly host: string;
  /** Path prefix. @default '/' */
  readonly path?: string;
  readonly serviceName: string;
  /** Name of the Service port (names survive port renumbering). */
  readonly servicePortName: string;
}

export interface InternalIngressProps {
  /** Name of the Ingress object. */
  readonly name: string;
  readonly namespace: string;
  readonly routes: readonly IngressRoute[];
  /** IngressClass (ingress-nginx). */
  readonly className: string;
  /** Existing `kubernetes.io/tls` Secret for every host of the Ingress. @default undefined: plain http */
  readonly tlsSecretName?: string;
  /** Only these source CIDRs may pass. @default []: no restriction */
  readonly allowedSourceCidrs?: readonly string[];
  /** Largest request body, in bytes; must match what the backend accepts. */
  readonly maxBodySizeBytes: number;
  /**
   * Read/send timeout towards the backend, in seconds. WebSockets (Penpot notifications) and
   * MCP streams stay open for long; ingress-nginx closes them after 60 s by default.
   * @default 3600
   */
  readonly streamTimeoutSeconds?: number;
  /** Pass responses through unbuffered (Server-Sent Events, MCP streamable HTTP). @default false */
  readonly unbuffered?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * `openshift` emits one edge Route per route instead of an Ingress: TLS at the router (http
   * redirected), `streamTimeoutSeconds` as the route timeout, the source allowlist as
   * `ip_allowlist`. `className`, `tlsSecretName` and the nginx-only settings (body size,
   * buffering) do not apply: HAProxy neither buffers nor limits bodies by default.
   * @default 'ingress-nginx'
   */
  readonly router?: Router;
}

/** ingress-nginx annotations for long-lived, large-upload internal traffic. */
export function ingressNginxAnnotations(props: InternalIngressProps): Record<string, string> {
  const timeout = String(props.streamTimeoutSeconds ?? 3600);
  const annotations: Record<string, string> = {
    // nginx reads a bare number as bytes.
    'nginx.ingress.kubernetes.io/proxy-body-size': String(props.maxBodySizeBytes),
    'nginx.ingress.kubernetes.io/proxy-read-timeout': timeout,
    'nginx.ingress.kubernetes.io/proxy-send-timeout': timeout,
    // HTTP/1.1 upstream with Upgrade/Connection passing is what WebSockets need.
    'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
  };
  if (props.unbuffered) annotations['nginx.ingress.kubernetes.io/proxy-buffering'] = 'off';
  if (props.allowedSourceCidrs && props.allowedSourceCidrs.length > 0) {
    annotations['nginx.ingress.kubernetes.io/whitelist-source-range'] = props.allowedSourceCidrs.join(',');
  }
  annotations['nginx.ingress.kubernetes.io/ssl-redirect'] = props.tlsSecretName ? 'true' : 'false';
  return annotations;
}

/**
 * An ingress-nginx Ingress for hosts on the internal domain: WebSocket-friendly timeouts, an
 * upload limit matching the backend, optional TLS and an optional source allowlist.
 */
export class InternalIngress extends Construct {
  /** The Ingress, unless the router is OpenShift's. */
  readonly ingress?: k8s.KubeIngress;
  /** The Routes, when the router is OpenShift's (one per route, in order). */
  readonly routes: readonly OpenShiftRoute[] = [];
  /** The scheme users type for the routed hosts. */
  readonly scheme: 'http' | 'https';

  constructor(scope: Construct, id: string, props: InternalIngressProps) {
    super(scope, id);
    if (props.router === 'openshift') {
      this.scheme = 'https';
      this.routes = props.routes.map((r, i) => new OpenShiftRoute(this, `route-${i}`, {
        name: props.routes.length === 1 ? props.name : `${props.name}-${i}`,
        namespace: props.namespace,
        host: r.host,
        path: r.path,
        serviceName: r.serviceName,
        servicePortName: r.servicePortName,
        timeoutSeconds: props.streamTimeoutSeconds,
        allowedSourceCidrs: props.allowedSourceCidrs,
        labels: props.labels,
      }));
      return;
    }
    this.scheme = props.tlsSecretName ? 'https' : 'http';
    const hosts = [...new Set(props.routes.map((r) => r.host))];
    this.ingress = new k8s.KubeIngress(this, 'ingress', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels },
        annotations: ingressNginxAnnotations(props),
      },
      spec: {
        ingressClassName: props.className,
        ...(props.tlsSecretName ? { tls: [{ hosts, secretName: props.tlsSecretName }] } : {}),
        rules: hosts.map((host) => ({
          host,
          http: {
            paths: props.routes.filter((r) => r.host === host).map((r) => ({
              path: r.path ?? '/',
              pathType: 'Prefix',
              backend: { service: { name: r.serviceName, port: { name: r.servicePortName } } },
            })),
          },
        })),
      },
    });
  }
}
