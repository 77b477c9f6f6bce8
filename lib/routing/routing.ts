/**
 * The routing choice of an environment: which controller turns a routed host into traffic, and
 * the settings each controller reads. Resolved once per environment ({@link routingOf}) and handed
 * to every {@link RoutedHost}, so all hosts of an environment are routed the same way.
 */
import type { EnvironmentConfig } from '../config/types';

/** What routes external traffic into the cluster. */
export type RoutingController = 'ingress-nginx' | 'traefik' | 'gateway-api' | 'openshift';

/** The controllers a user may choose in `ingress.controller` (OpenShift Routes follow `cluster.platform`). */
export const INGRESS_CONTROLLERS = ['ingress-nginx', 'traefik', 'gateway-api'] as const;
export type IngressController = typeof INGRESS_CONTROLLERS[number];

/**
 * Gateway API implementations whose behaviour this project knows (what they honour of an
 * HTTPRoute and where their data-plane pods run). `other` is any conformant implementation:
 * only portable HTTPRoute fields are used and its pods must be named in `network.ingressController`.
 */
export const GATEWAY_IMPLEMENTATIONS = ['traefik', 'envoy-gateway', 'istio', 'cilium', 'nginx-gateway-fabric', 'other'] as const;
export type GatewayImplementation = typeof GATEWAY_IMPLEMENTATIONS[number];

/** One listener of a Gateway the project creates. */
export interface GatewayListener {
  /** Listener name, what `sectionName` refers to. */
  readonly name: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Port the Gateway listens on (for Traefik: the entrypoint's port, 8000 `web` / 8443 `websecure` in its Helm chart). */
  readonly port: number;
}

/** A Gateway the project creates for users who have none. */
export interface GatewayCreation {
  /** GatewayClass of the implementation, e.g. `traefik` or `eg`. */
  readonly gatewayClassName: string;
  /**
   * @default one listener: `https` (HTTPS, TLS from `ingress.tlsSecretName`) when a TLS Secret is
   * set, else `http` (HTTP); ports 8443/8000 for Traefik (its entrypoints), 443/80 otherwise
   */
  readonly listeners: readonly GatewayListener[];
}

/** The Gateway HTTPRoutes attach to (`parentRefs`). */
export interface GatewayReference {
  readonly name: string;
  readonly namespace: string;
  /** Listener to attach to. @default undefined: every listener that admits the route */
  readonly sectionName?: string;
  /** Which implementation runs the Gateway (what it enforces, where its pods are). */
  readonly implementation: GatewayImplementation;
  /** Set when the project creates the Gateway itself (in `namespace`). @default undefined: the Gateway exists */
  readonly create?: GatewayCreation;
}

export interface TraefikSettings {
  /** Entrypoints the routers listen on. @default ['websecure'] with a TLS Secret, else ['web'] (k3s' Traefik) */
  readonly entryPoints: readonly string[];
}

/** Everything a routed host needs to know about how its environment routes. */
export interface Routing {
  readonly controller: RoutingController;
  /** IngressClass (ingress-nginx, Traefik). */
  readonly className: string;
  /** TLS Secret for the hosts. @default undefined: plain http (OpenShift: TLS at the router) */
  readonly tlsSecretName?: string;
  /** Source CIDRs allowed through. @default [] */
  readonly allowedSourceCidrs: readonly string[];
  readonly traefik: TraefikSettings;
  /** Only for `gateway-api`. */
  readonly gateway?: GatewayReference;
}

/** Routing settings as written (before defaults). */
export interface RoutingFields {
  readonly controller?: IngressController;
  readonly traefik?: { readonly entryPoints?: readonly string[] };
  readonly gateway?: Omit<GatewayReference, 'implementation' | 'create'> & {
    readonly implementation?: GatewayImplementation;
    readonly create?: { readonly gatewayClassName: string; readonly listeners?: readonly GatewayListener[] };
  };
}

/** Default listeners of a project-created Gateway (see {@link GatewayCreation.listeners}). */
export function defaultListeners(implementation: GatewayImplementation, tlsSecretName: string | undefined): GatewayListener[] {
  const traefik = implementation === 'traefik';
  return tlsSecretName
    ? [{ name: 'https', protocol: 'HTTPS', port: traefik ? 8443 : 443 }]
    : [{ name: 'http', protocol: 'HTTP', port: traefik ? 8000 : 80 }];
}

/** Default IngressClass per controller: k3s' Traefik registers `traefik`, ingress-nginx `nginx`. */
export function defaultClassName(controller: RoutingController): string {
  return controller === 'traefik' ? 'traefik' : 'nginx';
}

/** Resolves explicit routing settings (the config resolver and tests call this). */
export function resolveRouting(input: {
  readonly platform: 'kubernetes' | 'openshift';
  readonly controller?: IngressController;
  readonly className?: string;
  readonly tlsSecretName?: string;
  readonly allowedSourceCidrs?: readonly string[];
  readonly traefik?: RoutingFields['traefik'];
  readonly gateway?: RoutingFields['gateway'];
}): Routing {
  const controller: RoutingController = input.platform === 'openshift' ? 'openshift' : input.controller ?? 'ingress-nginx';
  const g = input.gateway;
  const implementation = g?.implementation ?? 'other';
  return {
    controller,
    className: input.className ?? defaultClassName(controller),
    tlsSecretName: input.tlsSecretName,
    allowedSourceCidrs: [...(input.allowedSourceCidrs ?? [])],
    traefik: { entryPoints: [...(input.traefik?.entryPoints ?? [input.tlsSecretName ? 'websecure' : 'web'])] },
    gateway: controller === 'gateway-api' && g ? {
      name: g.name,
      namespace: g.namespace,
      sectionName: g.sectionName,
      implementation,
      create: g.create ? {
        gatewayClassName: g.create.gatewayClassName,
        listeners: [...(g.create.listeners ?? defaultListeners(implementation, input.tlsSecretName))],
      } : undefined,
    } : undefined,
  };
}

/** How an environment routes: OpenShift Routes on OpenShift, else `ingress.controller` (default ingress-nginx). */
export function routingOf(env: EnvironmentConfig): Routing {
  const { ingress } = env;
  return {
    controller: env.cluster.platform === 'openshift' ? 'openshift' : ingress.controller,
    className: ingress.className,
    tlsSecretName: ingress.tlsSecretName,
    allowedSourceCidrs: ingress.allowedSourceCidrs,
    traefik: ingress.traefik,
    gateway: ingress.controller === 'gateway-api' ? ingress.gateway : undefined,
  };
}

/** The scheme users type for routed hosts: OpenShift edge Routes are always https, others follow the TLS Secret. */
export function schemeOf(routing: Routing): 'http' | 'https' {
  return routing.controller === 'openshift' || routing.tlsSecretName ? 'https' : 'http';
}

/**
 * Whether the app namespaces hold the TLS Secret: Ingresses read it from their own namespace; a
 * Gateway reads it from the Gateway's; OpenShift's router brings its own certificate.
 */
export function tlsSecretInAppNamespaces(routing: Routing): boolean {
  return routing.tlsSecretName !== undefined && (routing.controller === 'ingress-nginx' || routing.controller === 'traefik');
}

/** Whether the controller can enforce a source allowlist and a request-body limit. */
export function enforces(routing: Routing): { allowlist: boolean; bodySize: boolean } {
  switch (routing.controller) {
    case 'ingress-nginx': return { allowlist: true, bodySize: true };
    case 'traefik': return { allowlist: true, bodySize: true };
    // HAProxy neither buffers nor limits bodies; `ip_allowlist` is a Route annotation.
    case 'openshift': return { allowlist: true, bodySize: false };
    case 'gateway-api': {
      // Portable HTTPRoutes carry neither; Traefik adds both as Middlewares through ExtensionRef filters.
      const traefik = routing.gateway?.implementation === 'traefik';
      return { allowlist: traefik, bodySize: traefik };
    }
  }
}
