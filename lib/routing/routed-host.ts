import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { OpenShiftRoute } from '../openshift-route';
import { enforces, Routing, RoutingController, schemeOf } from './routing';
import { TRAEFIK_API_VERSION, traefikMiddleware, traefikMiddlewareRef } from './traefik';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
export const HTTPROUTE_API_VERSION = `${GATEWAY_API_GROUP}/v1`;

/** Where a routed path goes: a Service of the host's namespace, by port name and number. */
export interface RoutedBackend {
  readonly serviceName: string;
  /** Port name (Ingresses and OpenShift Routes refer to it; names survive renumbering). */
  readonly portName: string;
  /** The same port's number (HTTPRoute backendRefs can only name a port by number). */
  readonly port: number;
}

/** A further path of the host, e.g. `/.well-known/oauth-protected-resource` for MCP OAuth discovery. */
export interface RoutedPath {
  /** Path prefix. */
  readonly path: string;
  /** @default the host's backend */
  readonly backend?: RoutedBackend;
  /** Responses stream (Server-Sent Events): never buffered. @default false */
  readonly streaming?: boolean;
}

/** What the host serves, for the routing docs. */
export type RoutePurpose = 'web' | 'mcp' | 'api';

export interface RoutedHostProps {
  /** Name of the routing objects (stable: no hash suffix). */
  readonly name: string;
  readonly namespace: string;
  /** Host users type. */
  readonly host: string;
  readonly backend: RoutedBackend;
  /** Path prefix routed to `backend`. @default '/' */
  readonly path?: string;
  /** @default [] */
  readonly extraPaths?: readonly RoutedPath[];
  readonly purpose: RoutePurpose;
  /** Largest request body, in bytes; matches what the backend accepts. */
  readonly maxBodySizeBytes: number;
  /**
   * How long a request may stay open, in seconds: WebSockets, MCP streams, exports. What each
   * controller makes of it: {@link timeoutsInEffect}. @default 3600
   */
  readonly streamTimeoutSeconds?: number;
  /** Responses of `path` stream (Server-Sent Events, MCP streamable HTTP). @default false */
  readonly streaming?: boolean;
  /**
   * Prefixes below `path`, to the same backend, whose responses stream (Penpot's `/mcp/` proxy).
   * Only controllers that buffer responses route them apart (Traefik's buffering middleware holds
   * a whole response before sending it). @default []
   */
  readonly streamingPaths?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly routing: Routing;
}

/** The object kind that serves a routed host. */
export type RouteKind = 'Ingress' | 'Route' | 'HTTPRoute';

const DEFAULT_TIMEOUT_SECONDS = 3600;
/** Bodies up to this size stay in Traefik's memory; larger ones are buffered on its disk (Traefik's own default, 1 MiB). */
const TRAEFIK_MEM_BODY_BYTES = 1024 * 1024;

interface PathGroup {
  readonly paths: string[];
  readonly backend: RoutedBackend;
  readonly streaming: boolean;
}

/** ingress-nginx annotations for long-lived, large-upload traffic (the routing of every release before issue 14). */
export function ingressNginxAnnotations(props: RoutedHostProps): Record<string, string> {
  const timeout = String(props.streamTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  const annotations: Record<string, string> = {
    // nginx reads a bare number as bytes.
    'nginx.ingress.kubernetes.io/proxy-body-size': String(props.maxBodySizeBytes),
    'nginx.ingress.kubernetes.io/proxy-read-timeout': timeout,
    'nginx.ingress.kubernetes.io/proxy-send-timeout': timeout,
    // HTTP/1.1 upstream with Upgrade/Connection passing is what WebSockets need.
    'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
  };
  if (props.streaming) annotations['nginx.ingress.kubernetes.io/proxy-buffering'] = 'off';
  if (props.routing.allowedSourceCidrs.length > 0) {
    annotations['nginx.ingress.kubernetes.io/whitelist-source-range'] = props.routing.allowedSourceCidrs.join(',');
  }
  annotations['nginx.ingress.kubernetes.io/ssl-redirect'] = props.routing.tlsSecretName ? 'true' : 'false';
  return annotations;
}

/**
 * One host on the internal domain, routed by the environment's controller: an ingress-nginx or a
 * Traefik `Ingress`, a Gateway API `HTTPRoute`, or an OpenShift edge `Route`. Every routed host of
 * the platform is one of these (a test keeps other files from writing routing objects), so each
 * keeps the same guarantees everywhere: WebSockets, long timeouts for streams and exports, the
 * backend's body size, TLS and the source allowlist, or a synth error where the controller
 * cannot enforce what was asked.
 */
export class RoutedHost extends Construct {
  /** Every routed host below a scope (an environment's App), in tree order. */
  static findAll(scope: Construct): RoutedHost[] {
    return scope.node.findAll().filter((c): c is RoutedHost => c instanceof RoutedHost);
  }

  readonly host: string;
  readonly namespace: string;
  readonly kind: RouteKind;
  readonly controller: RoutingController;
  readonly purpose: RoutePurpose;
  /** What users type: scheme, host and the routed path (none for `/`). */
  readonly url: string;
  readonly backend: RoutedBackend;
  /** Every routed path prefix, the main one first. */
  readonly paths: readonly string[];
  readonly timeoutSeconds: number;
  readonly maxBodySizeBytes: number;
  /** Paths on which the controller itself refuses larger bodies (elsewhere only the backend does). */
  readonly bodyLimitPaths: readonly string[];
  /** Names of the routing objects, for the docs (`Kind/name`). */
  readonly objects: string[] = [];

  constructor(scope: Construct, id: string, private readonly props: RoutedHostProps) {
    super(scope, id);
    const { routing } = props;
    const can = enforces(routing);
    if (routing.allowedSourceCidrs.length > 0 && !can.allowlist) {
      throw new Error(`RoutedHost ${props.host}: ${routing.controller}${routing.gateway ? ` (${routing.gateway.implementation})` : ''} cannot enforce a source allowlist`);
    }
    this.host = props.host;
    this.namespace = props.namespace;
    this.controller = routing.controller;
    this.purpose = props.purpose;
    this.backend = props.backend;
    this.timeoutSeconds = props.streamTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.maxBodySizeBytes = props.maxBodySizeBytes;
    const main = props.path ?? '/';
    this.paths = [main, ...(props.extraPaths ?? []).map((p) => p.path)];
    this.url = `${schemeOf(routing)}://${props.host}${main === '/' ? '' : main}`;
    switch (routing.controller) {
      case 'openshift':
        this.kind = 'Route';
        this.bodyLimitPaths = [];
        this.openShiftRoutes();
        break;
      case 'ingress-nginx':
        this.kind = 'Ingress';
        this.bodyLimitPaths = this.paths;
        this.ingress('ingress', props.name, this.allPaths(), ingressNginxAnnotations(props));
        break;
      case 'traefik':
        this.kind = 'Ingress';
        this.bodyLimitPaths = this.traefikIngresses();
        break;
      case 'gateway-api':
        this.kind = 'HTTPRoute';
        this.bodyLimitPaths = this.httpRoute(can.bodySize);
        break;
    }
  }

  /** Main path, extra paths, then (for controllers that split them) the streaming prefixes. */
  private allPaths(): { path: string; backend: RoutedBackend; streaming: boolean }[] {
    return [
      { path: this.props.path ?? '/', backend: this.props.backend, streaming: this.props.streaming ?? false },
      ...(this.props.extraPaths ?? []).map((p) => ({ path: p.path, backend: p.backend ?? this.props.backend, streaming: p.streaming ?? false })),
    ];
  }

  /**
   * Paths grouped by backend and streaming, in first-seen order. Only where responses would be
   * buffered (`splitStreaming`) do the streaming prefixes of the main path form groups of their own.
   */
  private pathGroups(splitStreaming: boolean): PathGroup[] {
    const all = splitStreaming ? [
      ...this.allPaths(),
      ...(this.props.streamingPaths ?? []).map((path) => ({ path, backend: this.props.backend, streaming: true })),
    ] : this.allPaths().map((p) => ({ ...p, streaming: false }));
    const groups: PathGroup[] = [];
    for (const p of all) {
      const group = groups.find((g) => g.backend.serviceName === p.backend.serviceName && g.backend.port === p.backend.port && g.streaming === p.streaming);
      if (group) group.paths.push(p.path);
      else groups.push({ paths: [p.path], backend: p.backend, streaming: p.streaming });
    }
    return groups;
  }

  private ingress(id: string, name: string, paths: readonly { path: string; backend: RoutedBackend }[], annotations: Record<string, string>, className?: string): void {
    const { props } = this;
    new k8s.KubeIngress(this, id, {
      metadata: { name, namespace: props.namespace, labels: { ...props.labels }, annotations },
      spec: {
        ingressClassName: className ?? props.routing.className,
        ...(props.routing.tlsSecretName ? { tls: [{ hosts: [props.host], secretName: props.routing.tlsSecretName }] } : {}),
        rules: [{
          host: props.host,
          http: {
            paths: paths.map((p) => ({
              path: p.path,
              pathType: 'Prefix',
              backend: { service: { name: p.backend.serviceName, port: { name: p.backend.portName } } },
            })),
          },
        }],
      },
    });
    this.objects.push(`Ingress/${name}`);
  }

  private openShiftRoutes(): void {
    const { props } = this;
    const paths = this.allPaths();
    paths.forEach((p, i) => {
      const name = paths.length === 1 ? props.name : `${props.name}-${i}`;
      new OpenShiftRoute(this, `route-${i}`, {
        name,
        namespace: props.namespace,
        host: props.host,
        path: p.path,
        serviceName: p.backend.serviceName,
        servicePortName: p.backend.portName,
        timeoutSeconds: props.streamTimeoutSeconds,
        allowedSourceCidrs: props.routing.allowedSourceCidrs,
        labels: props.labels,
      });
      this.objects.push(`Route/${name}`);
    });
  }

  /**
   * The Middlewares of this host (Traefik): the source allowlist, and the body limit for the
   * paths whose responses do not stream. Returns the names, `undefined` for what is not needed.
   */
  private traefikMiddlewares(bodyLimitNeeded: boolean): { allowlist?: string; bodyLimit?: string } {
    const { props } = this;
    const made: { allowlist?: string; bodyLimit?: string } = {};
    if (props.routing.allowedSourceCidrs.length > 0) {
      made.allowlist = `${props.name}-allowlist`;
      traefikMiddleware(this, 'allowlist', {
        name: made.allowlist, namespace: props.namespace, labels: props.labels,
        spec: { ipAllowList: { sourceRange: [...props.routing.allowedSourceCidrs] } },
      });
      this.objects.push(`Middleware/${made.allowlist}`);
    }
    if (bodyLimitNeeded) {
      made.bodyLimit = `${props.name}-body-limit`;
      // The buffering middleware is Traefik's only request-body limit: it reads the body (to
      // disk past memRequestBodyBytes) and answers 413 past maxRequestBodyBytes.
      traefikMiddleware(this, 'body-limit', {
        name: made.bodyLimit, namespace: props.namespace, labels: props.labels,
        spec: { buffering: { maxRequestBodyBytes: props.maxBodySizeBytes, memRequestBodyBytes: TRAEFIK_MEM_BODY_BYTES } },
      });
      this.objects.push(`Middleware/${made.bodyLimit}`);
    }
    return made;
  }

  /**
   * Traefik `Ingress`es: router annotations for entrypoints, TLS and Middlewares. The buffering
   * middleware also holds every response until it is complete, which would stall Server-Sent
   * Events: streaming paths get an Ingress of their own without it. Returns the paths with the
   * body limit.
   */
  private traefikIngresses(): string[] {
    const { props } = this;
    const groups = this.pathGroups(true);
    const buffered = groups.filter((g) => !g.streaming).flatMap((g) => g.paths.map((path) => ({ path, backend: g.backend })));
    const streaming = groups.filter((g) => g.streaming).flatMap((g) => g.paths.map((path) => ({ path, backend: g.backend })));
    const mw = this.traefikMiddlewares(buffered.length > 0);
    const annotations = (middlewares: (string | undefined)[]): Record<string, string> => {
      const refs = middlewares.filter((m): m is string => m !== undefined).map((m) => traefikMiddlewareRef(props.namespace, m));
      return {
        'traefik.ingress.kubernetes.io/router.entrypoints': props.routing.traefik.entryPoints.join(','),
        ...(props.routing.tlsSecretName ? { 'traefik.ingress.kubernetes.io/router.tls': 'true' } : {}),
        ...(refs.length > 0 ? { 'traefik.ingress.kubernetes.io/router.middlewares': refs.join(',') } : {}),
      };
    };
    if (buffered.length > 0) this.ingress('ingress', props.name, buffered, annotations([mw.allowlist, mw.bodyLimit]));
    if (streaming.length > 0) {
      this.ingress(buffered.length > 0 ? 'stream' : 'ingress', buffered.length > 0 ? `${props.name}-stream` : props.name, streaming, annotations([mw.allowlist]));
    }
    return buffered.map((p) => p.path);
  }

  /** One HTTPRoute: a rule per backend and streaming group, the timeouts, Traefik's Middlewares as ExtensionRef filters. */
  private httpRoute(canLimitBody: boolean): string[] {
    const { props } = this;
    const gateway = props.routing.gateway;
    if (!gateway) throw new Error(`RoutedHost ${props.host}: gateway-api routing needs a gateway reference`);
    const traefik = gateway.implementation === 'traefik';
    const groups = this.pathGroups(traefik && canLimitBody);
    const mw = traefik ? this.traefikMiddlewares(canLimitBody && groups.some((g) => !g.streaming)) : {};
    const timeout = `${this.timeoutSeconds}s`;
    const extensionRef = (name: string) => ({ type: 'ExtensionRef', extensionRef: { group: TRAEFIK_API_VERSION.split('/')[0], kind: 'Middleware', name } });
    new ApiObject(this, 'httproute', {
      apiVersion: HTTPROUTE_API_VERSION,
      kind: 'HTTPRoute',
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        parentRefs: [{
          group: GATEWAY_API_GROUP,
          kind: 'Gateway',
          name: gateway.name,
          namespace: gateway.namespace,
          ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}),
        }],
        hostnames: [props.host],
        rules: groups.map((g) => {
          const filters = [mw.allowlist, g.streaming ? undefined : mw.bodyLimit].filter((m): m is string => m !== undefined).map(extensionRef);
          return {
            matches: g.paths.map((value) => ({ path: { type: 'PathPrefix', value } })),
            ...(filters.length > 0 ? { filters } : {}),
            backendRefs: [{ kind: 'Service', name: g.backend.serviceName, port: g.backend.port }],
            // The whole exchange and each try towards the backend: see timeoutsInEffect.
            timeouts: { request: timeout, backendRequest: timeout },
          };
        }),
      },
    });
    this.objects.push(`HTTPRoute/${props.name}`);
    return mw.bodyLimit ? groups.filter((g) => !g.streaming).flatMap((g) => g.paths) : [];
  }
}
