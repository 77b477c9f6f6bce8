/**
 * The routing settings of `ingress` (issue 14): their input shape, defaults and rules. The shape
 * lives here and is referenced from lib/config/schema/environment.ts; the input rules that need
 * to know what was written (a Traefik setting under ingress-nginx, a body size the Gateway cannot
 * enforce) run on the parsed input, the value rules on the resolved configuration.
 */
import { z } from 'zod';
import { ingressControllerDefault } from '../config/cluster';
import { isDnsLabel, isDnsSubdomain, isPort } from '../config/rules';
import { num, section, str, strings } from '../config/schema/primitives';
import type { ConfigIssue } from '../config/resolve';
import type { EnvironmentConfig } from '../config/types';
import {
  defaultClassName, defaultListeners, GATEWAY_IMPLEMENTATIONS, GatewayReference, INGRESS_CONTROLLERS, IngressController,
  resolveRouting, RoutingFields, TraefikSettings,
} from './routing';

/** `ingress.*` keys added by the routing choice (spread into the `ingress` section of the schema). */
export const routingIngressShape = {
  controller: z.enum(INGRESS_CONTROLLERS).optional(),
  traefik: section({ entryPoints: strings().optional() }).optional(),
  gateway: section({
    name: str(),
    namespace: str(),
    sectionName: str().optional(),
    implementation: z.enum(GATEWAY_IMPLEMENTATIONS).optional(),
    create: section({
      gatewayClassName: str(),
      listeners: z.array(section({ name: str(), protocol: z.enum(['HTTP', 'HTTPS']), port: num() })).optional(),
    }).optional(),
  }).optional(),
};

/** The resolved routing settings of `ingress` (see lib/config/types.ts IngressConfig). */
export interface RoutingIngressConfig {
  /**
   * What routes the hosts: `ingress-nginx` (retired upstream in March 2026, kept for existing
   * clusters), `traefik` (k3s' default, Ingress objects) or `gateway-api` (HTTPRoutes). On
   * OpenShift Routes are used whatever this says. @default 'ingress-nginx'
   */
  readonly controller: IngressController;
  /** Traefik routers. @default { entryPoints: ['websecure'] } with a TLS Secret, else ['web'] */
  readonly traefik: TraefikSettings;
  /** The Gateway of `gateway-api` routing. @default undefined (required with gateway-api) */
  readonly gateway?: GatewayReference;
}

type Input = {
  readonly cluster?: { readonly platform?: 'kubernetes' | 'openshift' };
  readonly ingress?: {
    readonly controller?: IngressController;
    readonly className?: string;
    readonly tlsSecretName?: string;
    readonly allowedSourceCidrs?: readonly string[];
    readonly traefik?: { readonly entryPoints?: readonly string[] };
    readonly gateway?: RoutingFields['gateway'];
  };
  readonly penpot?: { readonly maxBodySizeBytes?: number };
  readonly network?: { readonly ingressController?: unknown };
};

/** Defaults of the routing keys of `ingress`, and the IngressClass that follows from the controller. */
export function applyRoutingDefaults(input: Input): RoutingIngressConfig & { readonly className: string } {
  const routing = resolveRouting({
    platform: input.cluster?.platform ?? 'kubernetes',
    controller: input.ingress?.controller,
    className: input.ingress?.className,
    tlsSecretName: input.ingress?.tlsSecretName,
    traefik: input.ingress?.traefik,
    gateway: input.ingress?.gateway,
  });
  const controller = input.ingress?.controller ?? 'ingress-nginx';
  return {
    controller,
    className: input.ingress?.className ?? defaultClassName(controller),
    traefik: routing.traefik,
    gateway: input.ingress?.gateway && routing.gateway,
  };
}

type Path = (string | number)[];
const show = (v: unknown): string => JSON.stringify(v);

/**
 * Rules on what was written: settings of another controller, a Gateway reference that is missing
 * or names a listener the project-created Gateway lacks, limits the controller cannot enforce.
 */
export function routingInputIssues(input: Input): { path: Path; problem: string }[] {
  const out: { path: Path; problem: string }[] = [];
  const add = (path: Path, problem: string) => { out.push({ path: ['ingress', ...path], problem }); };
  const ingress = input.ingress ?? {};
  const controller = ingress.controller ?? 'ingress-nginx';
  if (input.cluster?.platform === 'openshift') {
    for (const key of ['controller', 'traefik', 'gateway'] as const) {
      if (ingress[key] !== undefined) add([key], 'is not used on OpenShift: hosts become edge Routes served by the router; allowed: leave it unset');
    }
    return out;
  }
  if (controller !== 'traefik' && ingress.traefik !== undefined) {
    add(['traefik'], `is set but ingress.controller is ${show(controller)}${controller === 'gateway-api' ? ' (a Gateway\'s listeners are its entrypoints: set ingress.gateway.create.listeners or sectionName)' : ''}; allowed: ingress.controller: "traefik", or remove ingress.traefik`);
  }
  if (controller !== 'gateway-api' && ingress.gateway !== undefined) {
    add(['gateway'], `is set but ingress.controller is ${show(controller)}; allowed: ingress.controller: "gateway-api", or remove ingress.gateway`);
  }
  if (controller === 'traefik' && ingress.className === 'nginx') {
    add(['className'], '"nginx" is ingress-nginx\'s IngressClass: Traefik would ignore these Ingresses; allowed: the class k3s\' Traefik registers, "traefik" (the default), or your Traefik\'s class');
  }
  if (controller === 'gateway-api') {
    if (ingress.className !== undefined) {
      add(['className'], 'is not used with gateway-api: HTTPRoutes have no IngressClass, they attach to ingress.gateway; allowed: remove ingress.className');
    }
    const gateway = ingress.gateway;
    if (!gateway) {
      add(['gateway'], 'is missing: gateway-api routing attaches every HTTPRoute to a Gateway; allowed: { name, namespace, implementation } of your Gateway, or add create: { gatewayClassName } to have it created');
    } else {
      const implementation = gateway.implementation ?? 'other';
      const listeners = gateway.create ? gateway.create.listeners ?? defaultListeners(implementation, ingress.tlsSecretName) : undefined;
      if (listeners && gateway.sectionName !== undefined && !listeners.some((l) => l.name === gateway.sectionName)) {
        add(['gateway', 'sectionName'], `${show(gateway.sectionName)} is not a listener of the Gateway this project creates; allowed: ${listeners.map((l) => show(l.name)).join(', ')}`);
      }
      (gateway.create?.listeners ?? []).forEach((l, i) => {
        if (l.protocol === 'HTTPS' && !ingress.tlsSecretName) {
          add(['gateway', 'create', 'listeners', i, 'protocol'], 'is HTTPS but ingress.tlsSecretName is unset: the listener would have no certificate; allowed: set ingress.tlsSecretName (a kubernetes.io/tls Secret in the Gateway\'s namespace), or HTTP');
        }
      });
      if (implementation !== 'traefik') {
        const why = `${show(implementation)} cannot enforce it through a portable HTTPRoute (only Traefik's Middlewares via ExtensionRef filters are supported here); `;
        if ((ingress.allowedSourceCidrs ?? []).length > 0) {
          add(['allowedSourceCidrs'], `${why}it would be dropped silently; allowed: implementation: "traefik", or enforce it at the Gateway with your implementation's own policy (e.g. Envoy Gateway SecurityPolicy) and remove it here`);
        }
        if (input.penpot?.maxBodySizeBytes !== undefined) {
          out.push({ path: ['penpot', 'maxBodySizeBytes'], problem: `is set but the Gateway (${why.trimEnd().replace(/;$/, '')}) would not enforce it at the edge; allowed: implementation: "traefik", or remove it (Penpot's frontend still enforces its default 367001600)` });
        }
        if (input.network?.ingressController === undefined
          && ingressControllerDefault({ ...resolveRouting({ platform: 'kubernetes', controller, gateway }) }) === undefined) {
          out.push({ path: ['network', 'ingressController'], problem: `is missing: where ${show(implementation)} runs the Gateway's data-plane pods is not known here, and the NetworkPolicies must admit exactly them; allowed: { namespace, podLabels } of those pods (see README "Routing", host-network data planes)` });
        }
      }
    }
  }
  return out;
}

/** Value rules of the resolved routing settings. */
export function validateRouting(env: EnvironmentConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (field: string, problem: string): void => { issues.push({ field: `environments.${env.name}.${field}`, problem }); };
  const { traefik, gateway } = env.ingress;
  traefik.entryPoints.forEach((e, i) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(e)) add(`ingress.traefik.entryPoints[${i}]`, `${show(e)} is not an entrypoint name; allowed: names such as web or websecure`);
  });
  if (traefik.entryPoints.length === 0) add('ingress.traefik.entryPoints', 'is empty: no router would listen; allowed: e.g. ["websecure"]');
  if (!gateway) return issues;
  if (!isDnsSubdomain(gateway.name)) add('ingress.gateway.name', `${show(gateway.name)} is not a Gateway name; allowed: a DNS-1123 name`);
  if (!isDnsLabel(gateway.namespace)) add('ingress.gateway.namespace', `${show(gateway.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
  if (gateway.create) {
    const own = [env.penpot.enabled ? env.penpot.namespace : undefined, env.kubernetesMcp.enabled ? env.kubernetesMcp.namespace : undefined,
      env.llamaStack.enabled ? env.llamaStack.namespace : undefined, env.kmcp.enabled ? env.kmcp.namespace : undefined];
    if (own.includes(gateway.namespace)) {
      add('ingress.gateway.namespace', `${show(gateway.namespace)} is the namespace of one of the platform's apps: the created Gateway gets a namespace (and Argo CD app) of its own; allowed: another name, e.g. "gateway"`);
    }
    if (!isDnsSubdomain(gateway.create.gatewayClassName)) add('ingress.gateway.create.gatewayClassName', `${show(gateway.create.gatewayClassName)} is not a GatewayClass name`);
    const seen = new Set<string>();
    gateway.create.listeners.forEach((l, i) => {
      if (!isDnsLabel(l.name)) add(`ingress.gateway.create.listeners[${i}].name`, `${show(l.name)} is not a listener name; allowed: a DNS-1123 label`);
      if (seen.has(l.name)) add(`ingress.gateway.create.listeners[${i}].name`, `${show(l.name)} is used twice; allowed: unique listener names`);
      seen.add(l.name);
      if (!isPort(l.port)) add(`ingress.gateway.create.listeners[${i}].port`, `${show(l.port)} is out of range; allowed: 1-65535`);
    });
    if (gateway.create.listeners.length === 0) add('ingress.gateway.create.listeners', 'is empty: nothing could attach; allowed: at least one listener');
  }
  return issues;
}

/** The routing an input resolves to (for defaults that depend on it, e.g. the controller's pods). */
export function routingOfInput(input: Input) {
  return resolveRouting({
    platform: input.cluster?.platform ?? 'kubernetes',
    controller: input.ingress?.controller,
    className: input.ingress?.className,
    tlsSecretName: input.ingress?.tlsSecretName,
    allowedSourceCidrs: input.ingress?.allowedSourceCidrs,
    traefik: input.ingress?.traefik,
    gateway: input.ingress?.gateway,
  });
}
