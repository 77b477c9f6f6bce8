/**
 * OpenShift Route wiring: every backend is an existing Service of the Route's namespace and the
 * Route's port exists on it. The API server accepts a Route to nothing; the router then answers
 * 503 "Application is not available".
 */
import { ObjectIndex, servicePortIndex, showPort, targetPortOf, workloadsSelectedBy } from './lookup';
import {
  asArray, asRecord, containersOf, Finding, findingAt, groupOf, isRecord, kindOf, labelsMatch, ManifestObject, nameOf, namespaceOf,
  objectId, podSpecOf,
} from './model';

export const ROUTE_CHECKS = {
  routeBackend: 'wiring/route-backend',
} as const;

const isRoute = (m: ManifestObject): boolean => kindOf(m.doc) === 'Route' && groupOf(asRecord(m.doc).apiVersion) === 'route.openshift.io';

/**
 * Whether a Route's `port.targetPort` exists on the Service. Upstream (openshift/api route/v1
 * RoutePort): a string is looked up among the endpoints' port names, which are the Service's
 * port names; a number is the port on the pods, i.e. a Service port's target port.
 */
function routePortExists(index: ObjectIndex, svc: ManifestObject, port: unknown): boolean {
  if (typeof port === 'string') return servicePortIndex(svc.doc, port) >= 0;
  if (typeof port !== 'number') return false;
  const pods = workloadsSelectedBy(index, svc);
  return asArray(asRecord(asRecord(svc.doc).spec).ports).some((p) => {
    const target = targetPortOf(p);
    if (target === port) return true;
    // A named target port: the number is what the selected pods declare under that name.
    return typeof target === 'string' && pods.some((w) => containersOf(podSpecOf(w.doc)).some((c) =>
      asArray(c.ports).some((cp) => isRecord(cp) && cp.name === target && cp.containerPort === port)));
  });
}

export function checkRouteBackends(objects: readonly ManifestObject[]): Finding[] {
  const index = new ObjectIndex(objects);
  const findings: Finding[] = [];
  for (const route of objects.filter(isRoute)) {
    const spec = asRecord(asRecord(route.doc).spec);
    const ns = namespaceOf(route.doc);
    const backends = [
      { ref: asRecord(spec.to), field: 'spec.to' },
      ...asArray(spec.alternateBackends).map((b, i) => ({ ref: asRecord(b), field: `spec.alternateBackends[${i}]` })),
    ];
    const services: ManifestObject[] = [];
    for (const { ref, field } of backends) {
      const kind = ref.kind ?? 'Service';
      if (kind !== 'Service' && kind !== '') {
        findings.push(findingAt(ROUTE_CHECKS.routeBackend, route, `backend kind '${String(kind)}' is not Service`, `${field}.kind`));
        continue;
      }
      const name = typeof ref.name === 'string' ? ref.name : '';
      const svc = index.find(route.env, ns, 'Service', name);
      if (!svc) findings.push(findingAt(ROUTE_CHECKS.routeBackend, route, `backend Service '${name}' does not exist in namespace '${ns}'`, `${field}.name`));
      else services.push(svc);
    }
    const port = asRecord(spec.port).targetPort;
    if (port === undefined) continue;
    for (const svc of services.filter((s) => !routePortExists(index, s, port))) {
      findings.push(findingAt(ROUTE_CHECKS.routeBackend, route,
        `port.targetPort ${showPort(port)} is not ${typeof port === 'string' ? 'a port name' : 'a target port'} of ${objectId(svc.doc)}`,
        'spec.port.targetPort'));
    }
  }
  return findings;
}

export const ROUTING_CHECKS = {
  httpRouteBackend: 'wiring/httproute-backend',
  httpRouteParent: 'wiring/httproute-parent',
  traefikMiddleware: 'wiring/traefik-middleware',
  uniqueHost: 'wiring/unique-host',
  clientUrlRouted: 'wiring/client-url-routed',
} as const;

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const isKind = (m: ManifestObject, kind: string, group: string): boolean => kindOf(m.doc) === kind && groupOf(asRecord(m.doc).apiVersion) === group;
const isHttpRoute = (m: ManifestObject): boolean => isKind(m, 'HTTPRoute', GATEWAY_GROUP);
const isGateway = (m: ManifestObject): boolean => isKind(m, 'Gateway', GATEWAY_GROUP);
const isIngress = (m: ManifestObject): boolean => kindOf(m.doc) === 'Ingress';

/** Whether a ReferenceGrant in `to` lets HTTPRoutes of `from` refer to Service `name` (Gateway API ReferenceGrant v1beta1). */
function referenceGranted(objects: readonly ManifestObject[], env: string, from: string, to: string, name: string): boolean {
  return objects.some((g) => g.env === env && isKind(g, 'ReferenceGrant', GATEWAY_GROUP) && namespaceOf(g.doc) === to
    && asArray(asRecord(g.doc.spec).from).some((f) => f?.group === GATEWAY_GROUP && f?.kind === 'HTTPRoute' && f?.namespace === from)
    && asArray(asRecord(g.doc.spec).to).some((t) => (t?.group ?? '') === '' && t?.kind === 'Service' && (t?.name === undefined || t.name === name)));
}

/**
 * Every HTTPRoute backendRef resolves: a Service (core group, the default kind) in the route's
 * namespace or in one whose ReferenceGrant admits it, with a port of that number (backendRefs name
 * ports by number only) whose target port the selected pods declare. Otherwise the implementation
 * sets `ResolvedRefs: False` and answers 500 (or 404) for the rule.
 */
export function checkHttpRouteBackends(objects: readonly ManifestObject[]): Finding[] {
  const index = new ObjectIndex(objects);
  const findings: Finding[] = [];
  for (const route of objects.filter(isHttpRoute)) {
    const ns = namespaceOf(route.doc);
    asArray(asRecord(route.doc.spec).rules).forEach((rule, i) => {
      asArray(asRecord(rule).backendRefs).forEach((ref, j) => {
        const field = `spec.rules[${i}].backendRefs[${j}]`;
        const group = ref?.group ?? '';
        const kind = ref?.kind ?? 'Service';
        if (group !== '' || kind !== 'Service') {
          findings.push(findingAt(ROUTING_CHECKS.httpRouteBackend, route, `backend ${group || 'core'}/${kind} is not a Service`, `${field}.kind`));
          return;
        }
        const target = typeof ref?.namespace === 'string' ? ref.namespace : ns;
        const name = typeof ref?.name === 'string' ? ref.name : '';
        if (target !== ns && !referenceGranted(objects, route.env, ns, target, name)) {
          findings.push(findingAt(ROUTING_CHECKS.httpRouteBackend, route,
            `backend Service '${name}' is in namespace '${target}', and no ReferenceGrant there admits HTTPRoutes of '${ns}'`, `${field}.namespace`));
          return;
        }
        const svc = index.find(route.env, target, 'Service', name);
        if (!svc) {
          findings.push(findingAt(ROUTING_CHECKS.httpRouteBackend, route, `backend Service '${name}' does not exist in namespace '${target}'`, `${field}.name`));
          return;
        }
        const port = ref?.port;
        const idx = typeof port === 'number' ? servicePortIndex(svc.doc, port) : -1;
        if (idx < 0) {
          findings.push(findingAt(ROUTING_CHECKS.httpRouteBackend, route,
            port === undefined ? `backend to ${objectId(svc.doc)} names no port (required for Services)` : `port ${showPort(port)} is not a port number of ${objectId(svc.doc)}`,
            `${field}.port`));
          return;
        }
        const servicePort = asArray(asRecord(svc.doc.spec).ports)[idx];
        const pods = workloadsSelectedBy(index, svc);
        const targetPort = targetPortOf(servicePort);
        if (pods.length === 0 || pods.some((w) => !containersOf(podSpecOf(w.doc)).some((c) => asArray(c.ports).some((cp) => isRecord(cp)
          && (typeof targetPort === 'number' ? cp.containerPort === targetPort : cp.name === targetPort))))) {
          findings.push(findingAt(ROUTING_CHECKS.httpRouteBackend, route,
            `port ${showPort(port)} of ${objectId(svc.doc)} targets ${showPort(targetPort)}, which ${pods.length === 0 ? 'no selected pod exists to declare' : 'not every selected pod declares'}`,
            `${field}.port`));
        }
      });
    });
  }
  return findings;
}

/** The listeners of a Gateway that admit HTTPRoutes of `namespace` (allowedRoutes; default `Same`). */
function admittingListeners(objects: readonly ManifestObject[], gateway: ManifestObject, namespace: string): any[] {
  const gwNs = namespaceOf(gateway.doc);
  const nsLabels = { ...asRecord(objects.find((o) => o.env === gateway.env && kindOf(o.doc) === 'Namespace' && nameOf(o.doc) === namespace)?.doc.metadata?.labels), 'kubernetes.io/metadata.name': namespace };
  return asArray(asRecord(gateway.doc.spec).listeners).filter((l) => {
    const from = asRecord(asRecord(asRecord(l).allowedRoutes).namespaces).from ?? 'Same';
    if (from === 'All') return true;
    if (from === 'Same') return namespace === gwNs;
    if (from === 'Selector') return labelsMatch(asRecord(asRecord(l.allowedRoutes).namespaces).selector ?? {}, nsLabels);
    return false;
  });
}

/**
 * An HTTPRoute's parent Gateway, when it is in dist/: the `sectionName` names one of its listeners
 * and a listener admits the route's namespace. Gateways created elsewhere are the operator's
 * (README "Routing" says what their listeners must allow).
 */
export function checkHttpRouteParents(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const route of objects.filter(isHttpRoute)) {
    const ns = namespaceOf(route.doc);
    asArray(asRecord(route.doc.spec).parentRefs).forEach((ref, i) => {
      if ((ref?.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref?.kind ?? 'Gateway') !== 'Gateway') return;
      const gateway = objects.find((o) => o.env === route.env && isGateway(o) && nameOf(o.doc) === ref?.name && namespaceOf(o.doc) === (ref?.namespace ?? ns));
      if (!gateway) return;
      const listeners = asArray(asRecord(gateway.doc.spec).listeners);
      if (ref.sectionName !== undefined && !listeners.some((l) => l?.name === ref.sectionName)) {
        findings.push(findingAt(ROUTING_CHECKS.httpRouteParent, route, `sectionName '${ref.sectionName}' is not a listener of ${objectId(gateway.doc)}`, `spec.parentRefs[${i}].sectionName`));
        return;
      }
      const admitting = admittingListeners(objects, gateway, ns).filter((l) => ref.sectionName === undefined || l.name === ref.sectionName);
      if (admitting.length === 0) {
        findings.push(findingAt(ROUTING_CHECKS.httpRouteParent, route, `no listener of ${objectId(gateway.doc)} admits HTTPRoutes of namespace '${ns}' (allowedRoutes)`, `spec.parentRefs[${i}]`));
      }
    });
  }
  return findings;
}

const TRAEFIK_MIDDLEWARES_ANNOTATION = 'traefik.ingress.kubernetes.io/router.middlewares';

/**
 * Every Traefik Middleware a router refers to exists: Ingress annotations name
 * `<namespace>-<name>@kubernetescrd`, HTTPRoute ExtensionRef filters a Middleware of the route's
 * namespace. A missing one makes Traefik drop the whole router (404 for the host).
 */
export function checkTraefikMiddlewareRefs(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  const middlewares = objects.filter((o) => isKind(o, 'Middleware', 'traefik.io'));
  const exists = (env: string, ns: string, name: string) => middlewares.some((m) => m.env === env && namespaceOf(m.doc) === ns && nameOf(m.doc) === name);
  for (const ing of objects.filter(isIngress)) {
    const value = asRecord(asRecord(ing.doc.metadata).annotations)[TRAEFIK_MIDDLEWARES_ANNOTATION];
    if (typeof value !== 'string') continue;
    for (const ref of value.split(',').map((r) => r.trim()).filter(Boolean)) {
      const crd = /^(.+)@kubernetescrd$/.exec(ref);
      if (!crd) continue;
      const found = middlewares.some((m) => m.env === ing.env && `${namespaceOf(m.doc)}-${nameOf(m.doc)}` === crd[1]);
      if (!found) {
        findings.push(findingAt(ROUTING_CHECKS.traefikMiddleware, ing, `Middleware '${ref}' does not exist (expected <namespace>-<name>@kubernetescrd of a Middleware in dist)`,
          `metadata.annotations["${TRAEFIK_MIDDLEWARES_ANNOTATION}"]`));
      }
    }
  }
  for (const route of objects.filter(isHttpRoute)) {
    asArray(asRecord(route.doc.spec).rules).forEach((rule, i) => {
      asArray(asRecord(rule).filters).forEach((f, j) => {
        const ext = asRecord(asRecord(f).extensionRef);
        if (f?.type !== 'ExtensionRef' || ext.group !== 'traefik.io' || ext.kind !== 'Middleware') return;
        if (!exists(route.env, namespaceOf(route.doc), String(ext.name))) {
          findings.push(findingAt(ROUTING_CHECKS.traefikMiddleware, route, `Middleware '${String(ext.name)}' does not exist in namespace '${namespaceOf(route.doc)}'`,
            `spec.rules[${i}].filters[${j}].extensionRef.name`));
        }
      });
    });
  }
  return findings;
}

/** What a routing object claims: host and path prefixes (`/` for the whole host). */
export interface HostClaim {
  readonly object: ManifestObject;
  readonly host: string;
  readonly paths: readonly string[];
  /** Where the claim is written, for findings. */
  readonly field: string;
  /** Whether users reach the host over https through this object (undefined: decided by a Gateway not in dist). */
  readonly https?: boolean;
  /** Service behind each path. */
  readonly backends: readonly { path: string; service: string }[];
}

/** Every host claim of Ingresses, OpenShift Routes and HTTPRoutes (all routing kinds). */
export function hostClaims(objects: readonly ManifestObject[]): HostClaim[] {
  const claims: HostClaim[] = [];
  for (const m of objects) {
    const spec = asRecord(asRecord(m.doc).spec);
    if (isIngress(m)) {
      const tlsHosts = asArray(spec.tls).flatMap((t) => asArray(asRecord(t).hosts));
      asArray(spec.rules).forEach((rule, i) => {
        const paths = asArray(asRecord(asRecord(rule).http).paths);
        if (typeof rule?.host !== 'string') return;
        claims.push({
          object: m, host: rule.host, field: `spec.rules[${i}].host`, https: tlsHosts.includes(rule.host),
          paths: paths.map((p) => p?.path ?? '/'),
          backends: paths.map((p) => ({ path: p?.path ?? '/', service: String(asRecord(asRecord(p?.backend).service).name) })),
        });
      });
    } else if (kindOf(m.doc) === 'Route' && groupOf(asRecord(m.doc).apiVersion) === 'route.openshift.io' && typeof spec.host === 'string') {
      const path = typeof spec.path === 'string' && spec.path !== '' ? spec.path : '/';
      claims.push({ object: m, host: spec.host, field: 'spec.host', https: spec.tls !== undefined, paths: [path], backends: [{ path, service: String(asRecord(spec.to).name) }] });
    } else if (isHttpRoute(m)) {
      const rules = asArray(spec.rules);
      const backends = rules.flatMap((r) => {
        const service = String(asRecord(asArray(asRecord(r).backendRefs)[0]).name);
        const matches = asArray(asRecord(r).matches);
        return (matches.length === 0 ? [{ path: { value: '/' } }] : matches).map((x) => ({ path: String(asRecord(x?.path).value ?? '/'), service }));
      });
      const https = httpRouteHttps(objects, m);
      asArray(spec.hostnames).forEach((host, i) => {
        if (typeof host === 'string') claims.push({ object: m, host, field: `spec.hostnames[${i}]`, https, paths: backends.map((b) => b.path), backends });
      });
    }
  }
  return claims;
}

/** https when every listener the route attaches to (of a Gateway in dist) is HTTPS; undefined for Gateways elsewhere. */
function httpRouteHttps(objects: readonly ManifestObject[], route: ManifestObject): boolean | undefined {
  const results = asArray(asRecord(route.doc.spec).parentRefs).map((ref) => {
    const gateway = objects.find((o) => o.env === route.env && isGateway(o) && nameOf(o.doc) === ref?.name && namespaceOf(o.doc) === (ref?.namespace ?? namespaceOf(route.doc)));
    if (!gateway) return undefined;
    const listeners = admittingListeners(objects, gateway, namespaceOf(route.doc)).filter((l) => ref.sectionName === undefined || l.name === ref.sectionName);
    return listeners.length > 0 && listeners.every((l) => l.protocol === 'HTTPS');
  });
  return results.length > 0 && results.every((r) => r !== undefined) ? results.every(Boolean) : undefined;
}

/**
 * Every host is claimed in one namespace by one routing kind, and no host and path twice: two
 * controllers (or two apps) on one name fight over it, and which wins depends on the controller.
 */
export function checkUniqueHosts(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  const byEnvHost = new Map<string, HostClaim[]>();
  for (const claim of hostClaims(objects)) {
    const key = `${claim.object.env}\u0000${claim.host}`;
    const earlier = byEnvHost.get(key) ?? [];
    const owner = earlier[0];
    if (owner && (kindOf(owner.object.doc) !== kindOf(claim.object.doc) || namespaceOf(owner.object.doc) !== namespaceOf(claim.object.doc))) {
      findings.push(findingAt(ROUTING_CHECKS.uniqueHost, claim.object, `host '${claim.host}' is already claimed by ${objectId(owner.object.doc)}`, claim.field));
    } else {
      const taken = earlier.flatMap((c) => c.paths.map((p) => ({ p, c })));
      for (const path of claim.paths) {
        const clash = taken.find((t) => t.p === path);
        if (clash) findings.push(findingAt(ROUTING_CHECKS.uniqueHost, claim.object, `host '${claim.host}' path '${path}' is already claimed by ${objectId(clash.c.object.doc)}`, claim.field));
      }
    }
    earlier.push(claim);
    byEnvHost.set(key, earlier);
  }
  return findings;
}

/**
 * A client URL written for users (CONNECT.md, mcp-clients/) is served: some routing object of its
 * environment claims its host with a path prefix of its path, to the expected Service, over the
 * URL's scheme (where dist/ decides it). Only host URLs are judged; in-cluster URLs are not routed.
 */
export function checkClientUrlsRouted(objects: readonly ManifestObject[], env: string, urls: readonly { source: string; url: string; service?: string }[]): Finding[] {
  const claims = hostClaims(objects).filter((c) => c.object.env === env);
  const findings: Finding[] = [];
  const finding = (source: string, message: string): Finding => ({ check: ROUTING_CHECKS.clientUrlRouted, file: source, object: `client URL`, message });
  for (const { source, url, service } of urls) {
    const parsed = new URL(url);
    const forHost = claims.filter((c) => c.host === parsed.hostname);
    if (forHost.length === 0) { findings.push(finding(source, `${url}: no Ingress, Route or HTTPRoute of env '${env}' claims host '${parsed.hostname}'`)); continue; }
    const matches = forHost.flatMap((c) => c.backends.filter((b) => parsed.pathname === b.path || parsed.pathname.startsWith(b.path.endsWith('/') ? b.path : `${b.path}/`) || b.path === '/')
      .map((b) => ({ c, b })));
    const best = matches.sort((x, y) => y.b.path.length - x.b.path.length)[0];
    if (!best) { findings.push(finding(source, `${url}: path '${parsed.pathname}' is not routed on host '${parsed.hostname}' (routed: ${forHost.flatMap((c) => c.paths).join(', ')})`)); continue; }
    if (service && best.b.service !== service) findings.push(finding(source, `${url}: routed to Service '${best.b.service}' by ${objectId(best.c.object.doc)}, not to '${service}'`));
    const https = parsed.protocol === 'https:';
    if (best.c.https !== undefined && best.c.https !== https) {
      findings.push(finding(source, `${url}: ${objectId(best.c.object.doc)} serves this host over ${best.c.https ? 'https' : 'http'}, the URL says ${parsed.protocol.replace(':', '')}`));
    }
  }
  return findings;
}
