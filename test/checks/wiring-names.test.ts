import { checkDns1123Names, checkDuplicateObjects, checkEnvDuplicates } from '../../lib/checks/wiring';
import { edit, fromYaml, main, mo, penpotObjects } from './fixtures';

describe('wiring/dns1123-name', () => {
  it('passes for the Penpot install and for RBAC names with colons', () => {
    const rbac = mo({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:penpot-view' } });
    expect(checkDns1123Names([...penpotObjects(), rbac])).toEqual([]);
  });

  it('reports a name that is not a DNS-1123 subdomain', () => {
    const findings = checkDns1123Names(fromYaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Penpot_Config, namespace: a}\n'));
    expect(findings).toEqual([expect.objectContaining({ check: 'wiring/dns1123-name', object: 'ConfigMap a/Penpot_Config', field: 'metadata.name' })]);
  });

  it('reports dotted or over-long Service and Namespace names, which must be DNS-1123 labels', () => {
    const findings = checkDns1123Names([
      mo({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'penpot.backend', namespace: 'a' } }),
      mo({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x'.repeat(64) } }),
      mo({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'penpot.config', namespace: 'a' } }),
    ]);
    expect(findings.map((f) => [f.check, f.object])).toEqual([
      ['wiring/dns1123-name', 'Service a/penpot.backend'],
      ['wiring/dns1123-name', `Namespace ${'x'.repeat(64)}`],
    ]);
  });

  it('reports invalid label keys and values on objects and pod templates', () => {
    const objects = edit(penpotObjects(), 'Deployment', 'penpot-backend', (d) => {
      d.metadata.labels['Bad_Prefix/name'] = 'x';
      d.spec.template.metadata.labels.version = 'has space';
      d.spec.template.metadata.labels.replicas = 2;
    });
    const findings = checkDns1123Names(objects);
    expect(findings.map((f) => [f.check, f.object, f.field])).toEqual([
      ['wiring/dns1123-name', 'Deployment penpot/penpot-backend', 'metadata.labels["Bad_Prefix/name"]'],
      ['wiring/dns1123-name', 'Deployment penpot/penpot-backend', 'spec.template.metadata.labels["version"]'],
      ['wiring/dns1123-name', 'Deployment penpot/penpot-backend', 'spec.template.metadata.labels["replicas"]'],
    ]);
    expect(findings[2].message).toMatch(/must be strings/);
  });
});

describe('wiring/duplicate-object', () => {
  it('reports the same kind, namespace and name twice in one env, naming both files', () => {
    const objects = [...penpotObjects(), mo(penpotObjects()[1].doc, 'dist/test/other/other.yaml')];
    const findings = checkDuplicateObjects(objects);
    expect(findings).toEqual([expect.objectContaining({ check: 'wiring/duplicate-object', object: 'ServiceAccount penpot/penpot' })]);
    expect(findings[0].message).toMatch(/dist\/test\/penpot\/penpot\.k8s\.yaml and dist\/test\/other\/other\.yaml/);
  });

  it('allows the same object in two envs and the same name in two namespaces', () => {
    const sa = penpotObjects()[1].doc;
    const objects = [mo(sa), mo(sa, 'dist/prod/penpot/penpot.k8s.yaml'), mo({ ...sa, metadata: { ...sa.metadata, namespace: 'b' } })];
    expect(checkDuplicateObjects(objects)).toEqual([]);
  });

  it('ignores the namespace of cluster-scoped kinds', () => {
    const objects = [
      mo({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'penpot' } }),
      mo({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'penpot', namespace: 'x' } }),
    ];
    expect(checkDuplicateObjects(objects).map((f) => f.check)).toEqual(['wiring/duplicate-object']);
  });
});

describe('wiring/env-duplicate', () => {
  it('passes for the Penpot install', () => {
    expect(checkEnvDuplicates(penpotObjects())).toEqual([]);
  });

  it('reports an env name declared twice in one container', () => {
    const objects = edit(penpotObjects(), 'Deployment', 'penpot-frontend', (d) => { main(d).env.push({ name: 'PENPOT_FLAGS', value: 'enable-mcp' }); });
    const findings = checkEnvDuplicates(objects);
    expect(findings).toEqual([expect.objectContaining({
      check: 'wiring/env-duplicate', object: 'Deployment penpot/penpot-frontend', field: 'spec.template.spec.containers[0].env[4].name',
    })]);
    expect(findings[0].message).toMatch(/PENPOT_FLAGS/);
  });
});
