/**
 * Traefik pieces shared by its Ingress and Gateway API routing: Middlewares (`traefik.io/v1alpha1`,
 * schema in lib/checks/traefik-middleware-schema.ts) and how routers refer to them.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export const TRAEFIK_API_VERSION = 'traefik.io/v1alpha1';

/** The Traefik release whose CRDs, defaults and Gateway API provider this project follows (k3s ships Traefik v3). */
export const TRAEFIK_VERSION = 'v3.7.9';

export interface TraefikMiddlewareProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** One middleware type, e.g. `{ ipAllowList: { sourceRange: [...] } }`. */
  readonly spec: Record<string, unknown>;
}

export function traefikMiddleware(scope: Construct, id: string, props: TraefikMiddlewareProps): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: TRAEFIK_API_VERSION,
    kind: 'Middleware',
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
    spec: props.spec,
  });
}

/**
 * How an Ingress annotation names a Middleware of the Kubernetes CRD provider:
 * `<namespace>-<name>@kubernetescrd` (Traefik docs, Kubernetes Ingress provider, router.middlewares).
 */
export function traefikMiddlewareRef(namespace: string, name: string): string {
  return `${namespace}-${name}@kubernetescrd`;
}

/** The inverse of {@link traefikMiddlewareRef} for Middlewares of the CRD provider; undefined for other providers. */
export function parseTraefikMiddlewareRef(ref: string): { namespacedName: string } | undefined {
  const m = /^(.+)@kubernetescrd$/.exec(ref.trim());
  return m ? { namespacedName: m[1] } : undefined;
}
