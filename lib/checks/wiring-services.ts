/**
 * Traffic wiring: Services reach pods on ports those pods declare, probes hit declared ports,
 * Ingresses reach Services on ports those Services declare. The API server accepts all of these
 * mistakes; they surface later as empty endpoints, 503s or restart loops.
 */
import {
  containerDeclaresPort, ObjectIndex, podDeclaresPort, serviceSelectorOf, servicePortIndex, showPort, targetPortOf,
  workloadsSelectedBy,
} from './lookup';
import {
  asArray, asRecord, containerEntriesOf, Finding, findingAt, isRecord, kindOf, ManifestObject, namespaceOf, objectId,
} from './model';

export const SERVICE_CHECKS = {
  selectsPods: 'wiring/service-selects-pods',
  targetPort: 'wiring/service-target-port',
  probePort: 'wiring/probe-port',
  ingressBackend: 'wiring/ingress-backend',
} as const;

const services = (objects: readonly ManifestObject[]) => objects.filter((m) => kindOf(m.doc) === 'Service');

export function checkServiceSelectsPods(objects: readonly ManifestObject[]): Finding[] {
  const index = new ObjectIndex(objects);
  return services(objects)
    .filter((svc) => serviceSelectorOf(svc.doc) !== undefined && workloadsSelectedBy(index, svc).length === 0)
    .map((svc) => findingAt(SERVICE_CHECKS.selectsPods, svc,
      `selector ${JSON.stringify(serviceSelectorOf(svc.doc))} matches the pod labels of no workload in namespace `
      + `'${namespaceOf(svc.doc)}' of env '${svc.env}'`, 'spec.selector'));
}

export function checkServiceTargetPorts(objects: readonly ManifestObject[]): Finding[] {
  const index = new ObjectIndex(objects);
  const findings: Finding[] = [];
  for (const svc of services(objects)) {
    const selected = workloadsSelectedBy(index, svc);
    asArray(asRecord(svc.doc.spec).ports).forEach((port, i) => {
      const target = targetPortOf(port);
      // Every selected workload must serve it: one that does not receives a share of the traffic it cannot answer.
      for (const w of selected.filter((w) => !podDeclaresPort(w.doc, target))) {
        findings.push(findingAt(SERVICE_CHECKS.targetPort, svc,
          `port ${showPort(asRecord(port).name ?? asRecord(port).port)} targets ${showPort(target)}, `
          + `which no container of ${objectId(w.doc)} declares`, `spec.ports[${i}].targetPort`));
      }
    });
  }
  return findings;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const PROBE_HANDLERS = ['httpGet', 'tcpSocket', 'grpc'] as const;

export function checkProbePorts(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of objects) {
    for (const { container, field } of containerEntriesOf(m.doc)) {
      for (const probe of PROBES) {
        const spec = asRecord(container[probe]);
        // exec probes have no port; neither do probes the manifest does not set.
        const handler = PROBE_HANDLERS.find((h) => isRecord(spec[h]));
        if (!handler) continue;
        const port = spec[handler].port;
        if (!containerDeclaresPort(container, port)) {
          findings.push(findingAt(SERVICE_CHECKS.probePort, m,
            `${probe} of container '${container.name}' uses port ${showPort(port)}, which the container does not declare`,
            `${field}.${probe}.${handler}.port`));
        }
      }
    }
  }
  return findings;
}

interface BackendRef {
  readonly field: string;
  readonly portField: string;
  readonly service?: unknown;
  readonly port?: unknown;
}

/** Service backends of an Ingress (networking.k8s.io/v1 and the old extensions/v1beta1 shape). */
function ingressBackends(doc: any): BackendRef[] {
  const spec = asRecord(asRecord(doc).spec);
  const refs: BackendRef[] = [];
  const add = (backend: unknown, field: string): void => {
    const b = asRecord(backend);
    if (isRecord(b.service)) {
      const port = asRecord(b.service.port);
      refs.push({
        field: `${field}.service.name`, portField: `${field}.service.port`, service: b.service.name,
        port: port.number ?? port.name,
      });
    } else if (b.serviceName !== undefined) {
      refs.push({
        field: `${field}.serviceName`, portField: `${field}.servicePort`, service: b.serviceName, port: b.servicePort,
      });
    }
    // Resource backends (b.resource) point at arbitrary objects, not Services: nothing to check.
  };
  if (spec.defaultBackend !== undefined) add(spec.defaultBackend, 'spec.defaultBackend');
  if (spec.backend !== undefined) add(spec.backend, 'spec.backend');
  asArray(spec.rules).forEach((rule, i) => {
    asArray(asRecord(asRecord(rule).http).paths).forEach((p, j) => {
      add(asRecord(p).backend, `spec.rules[${i}].http.paths[${j}].backend`);
    });
  });
  return refs;
}

export function checkIngressBackends(objects: readonly ManifestObject[]): Finding[] {
  const index = new ObjectIndex(objects);
  const findings: Finding[] = [];
  for (const ing of objects.filter((m) => kindOf(m.doc) === 'Ingress')) {
    for (const ref of ingressBackends(ing.doc)) {
      const name = typeof ref.service === 'string' ? ref.service : '';
      const svc = index.find(ing.env, namespaceOf(ing.doc), 'Service', name);
      if (!svc) {
        findings.push(findingAt(SERVICE_CHECKS.ingressBackend, ing,
          `backend Service '${name}' does not exist in namespace '${namespaceOf(ing.doc)}'`, ref.field));
      } else if (servicePortIndex(svc.doc, ref.port) < 0) {
        findings.push(findingAt(SERVICE_CHECKS.ingressBackend, ing,
          ref.port === undefined
            ? `backend to ${objectId(svc.doc)} names no port`
            : `backend port ${showPort(ref.port)} is not a port of ${objectId(svc.doc)}`, ref.portField));
      }
    }
  }
  return findings;
}
