/**
 * OpenShift Route wiring: every backend is an existing Service of the Route's namespace and the
 * Route's port exists on it. The API server accepts a Route to nothing; the router then answers
 * 503 "Application is not available".
 */
import { ObjectIndex, servicePortIndex, showPort, targetPortOf, workloadsSelectedBy } from './lookup';
import {
  asArray, asRecord, containersOf, Finding, findingAt, groupOf, isRecord, kindOf, ManifestObject, namespaceOf, objectId,
  podSpecOf,
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
