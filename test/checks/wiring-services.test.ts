import {
  checkIngressBackends, checkProbePorts, checkServiceSelectsPods, checkServiceTargetPorts,
} from '../../lib/checks/wiring';
import { edit, fromYaml, main, mo, penpotObjects } from './fixtures';

describe('wiring/service-selects-pods', () => {
  it('passes when every Service selects a workload', () => {
    expect(checkServiceSelectsPods(penpotObjects())).toEqual([]);
  });

  it('reports a Service whose selector matches no pod template', () => {
    const objects = edit(penpotObjects(), 'Service', 'penpot-backend', (d) => { d.spec.selector['app.kubernetes.io/component'] = 'api'; });
    expect(checkServiceSelectsPods(objects)).toEqual([expect.objectContaining({
      check: 'wiring/service-selects-pods', object: 'Service penpot/penpot-backend', field: 'spec.selector',
    })]);
  });

  it('does not count workloads of another namespace or env', () => {
    const objects = fromYaml(`
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: b, labels: {app: web}}
spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
`);
    const otherEnv = mo({ ...objects[1].doc, metadata: { name: 'web', namespace: 'a', labels: { app: 'web' } } }, 'dist/prod/web/web.yaml');
    expect(checkServiceSelectsPods([...objects, otherEnv]).map((f) => f.object)).toEqual(['Service a/web']);
  });

  it('ignores ExternalName and selector-less Services', () => {
    const objects = fromYaml(`
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: a}
spec: {type: ExternalName, externalName: db.example.com, selector: {app: gone}}
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: a}
spec: {ports: [{port: 5432}]}
`);
    expect(checkServiceSelectsPods(objects)).toEqual([]);
  });
});

describe('wiring/service-target-port', () => {
  it('passes for named and numeric target ports that containers declare', () => {
    const objects = edit(penpotObjects(), 'Service', 'penpot-exporter', (d) => { d.spec.ports[0].targetPort = 6061; });
    expect(checkServiceTargetPorts(objects)).toEqual([]);
  });

  it('reports a named targetPort that no container declares', () => {
    const objects = edit(penpotObjects(), 'Service', 'penpot-frontend', (d) => { d.spec.ports[0].targetPort = 'web'; });
    const findings = checkServiceTargetPorts(objects);
    expect(findings).toEqual([expect.objectContaining({
      check: 'wiring/service-target-port', object: 'Service penpot/penpot-frontend', field: 'spec.ports[0].targetPort',
    })]);
    expect(findings[0].message).toMatch(/'web'.*Deployment penpot\/penpot-frontend/);
  });

  it('defaults targetPort to port', () => {
    const objects = edit(penpotObjects(), 'Service', 'penpot-backend', (d) => { d.spec.ports = [{ port: 80 }]; });
    expect(checkServiceTargetPorts(objects).map((f) => f.check)).toEqual(['wiring/service-target-port']);
  });

  it('requires the port on every selected workload', () => {
    const objects = fromYaml(`
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Pod
metadata: {name: good, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: bad, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]}
`);
    expect(checkServiceTargetPorts(objects).map((f) => f.message)).toEqual([expect.stringContaining('Pod a/bad')]);
  });
});

describe('wiring/probe-port', () => {
  it('passes for named and numeric probe ports and exec probes', () => {
    const objects = edit(penpotObjects(), 'Deployment', 'penpot-backend', (d) => { main(d).startupProbe = { exec: { command: ['true'] } }; });
    expect(checkProbePorts(objects)).toEqual([]);
  });

  it('reports a probe on a port the container does not declare', () => {
    const objects = edit(penpotObjects(), 'Deployment', 'penpot-backend', (d) => { main(d).livenessProbe = { httpGet: { path: '/', port: 8686 } }; });
    const findings = checkProbePorts(objects);
    expect(findings).toEqual([expect.objectContaining({
      check: 'wiring/probe-port', object: 'Deployment penpot/penpot-backend',
      field: 'spec.template.spec.containers[0].livenessProbe.httpGet.port',
    })]);
    expect(findings[0].message).toMatch(/8686/);
  });

  it('checks grpc probes and CronJob containers too', () => {
    const objects = fromYaml(`
apiVersion: batch/v1
kind: CronJob
metadata: {name: job, namespace: a}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: x, readinessProbe: {grpc: {port: 9000}}}]
`);
    expect(checkProbePorts(objects).map((f) => f.field)).toEqual(['spec.jobTemplate.spec.template.spec.containers[0].readinessProbe.grpc.port']);
  });
});

describe('wiring/ingress-backend', () => {
  it('passes for a backend naming an existing Service port', () => {
    expect(checkIngressBackends(penpotObjects())).toEqual([]);
  });

  it('reports a backend Service that does not exist', () => {
    const objects = edit(penpotObjects(), 'Ingress', 'penpot', (d) => { d.spec.rules[0].http.paths[0].backend.service.name = 'frontend'; });
    expect(checkIngressBackends(objects)).toEqual([expect.objectContaining({
      check: 'wiring/ingress-backend', object: 'Ingress penpot/penpot', field: 'spec.rules[0].http.paths[0].backend.service.name',
    })]);
  });

  it('reports a backend port the Service does not declare, by number or name', () => {
    const objects = edit(penpotObjects(), 'Ingress', 'penpot', (d) => {
      d.spec.rules[0].http.paths[0].backend.service.port = { number: 80 };
      d.spec.defaultBackend = { service: { name: 'penpot-frontend', port: { name: 'web' } } };
    });
    expect(checkIngressBackends(objects).map((f) => [f.check, f.field])).toEqual([
      ['wiring/ingress-backend', 'spec.defaultBackend.service.port'],
      ['wiring/ingress-backend', 'spec.rules[0].http.paths[0].backend.service.port'],
    ]);
  });
});
