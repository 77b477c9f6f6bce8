import { checkSchemas, modelFor, pointerToField, registerModel } from '../../lib/checks/schema';
import { checks, fromYaml, mo, penpotObjects } from './fixtures';

describe('checkSchemas', () => {
  it('accepts the valid Penpot install including its Argo CD Application', () => {
    expect(checkSchemas(penpotObjects())).toEqual([]);
  });

  it('reports schema/invalid with the validator text and the failing field', () => {
    const [f, ...rest] = checkSchemas(fromYaml(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: penpot}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: "80"}]}]}
`));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ check: 'schema/invalid', object: 'Deployment penpot/web', field: 'spec.template.spec.containers[0].ports[0].containerPort' });
    expect(f.message).toMatch(/must be integer/);
  });

  it('validates Argo CD Applications with @kubernetes-models/argo-cd', () => {
    const findings = checkSchemas([mo({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'app', namespace: 'argocd' }, spec: {} })]);
    expect(checks(findings)).toEqual(['schema/invalid']);
    expect(findings[0].object).toBe('Application argocd/app');
    expect(findings[0].message).toMatch(/destination/);
  });

  it('reports schema/unknown-kind for an apiVersion/kind without a model instead of skipping it', () => {
    const findings = checkSchemas([
      mo({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'm', namespace: 'mcp' } }),
      mo({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'typo' } }),
      mo({ apiVersion: 'v1', kind: 'Container', metadata: { name: 'nested-type' } }),
    ]);
    expect(findings.map((f) => [f.check, f.object])).toEqual([
      ['schema/unknown-kind', 'Widget mcp/m'],
      ['schema/unknown-kind', 'Deploymnet typo'],
      ['schema/unknown-kind', 'Container nested-type'],
    ]);
  });

  it('reports schema/missing-metadata for missing apiVersion, kind or metadata.name', () => {
    const findings = checkSchemas([mo({ kind: 'ConfigMap', metadata: { namespace: 'x' } }), mo('just a string')]);
    expect(findings.map((f) => [f.check, f.field])).toEqual([
      ['schema/missing-metadata', 'apiVersion'],
      ['schema/missing-metadata', 'metadata.name'],
      ['schema/missing-metadata', undefined],
    ]);
    expect(findings[0].object).toBe('ConfigMap x/<no name>');
  });

  it('uses a model added with registerModel', () => {
    class Widget {
      constructor(private readonly data: any) {}
      validate(): void { if (!this.data.spec?.size) throw new Error('data/spec must have required property size'); }
    }
    registerModel('example.com/v1', 'Widget', Widget);
    expect(modelFor('example.com/v1', 'Widget')).toBe(Widget);
    const findings = checkSchemas([mo({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} })]);
    expect(findings.map((f) => [f.check, f.object])).toEqual([['schema/invalid', 'Widget w']]);
  });
});

describe('modelFor', () => {
  it('finds core, grouped and Argo CD classes and nothing for unknown groups', () => {
    expect(modelFor('v1', 'Service')).toBeDefined();
    expect(modelFor('networking.k8s.io/v1', 'Ingress')).toBeDefined();
    expect(modelFor('argoproj.io/v1alpha1', 'AppProject')).toBeDefined();
    expect(modelFor('v1', 'Ingress')).toBeUndefined();
    expect(modelFor('../../evil', 'Service')).toBeUndefined();
  });
});

describe('pointerToField', () => {
  it('turns JSON pointers into dotted fields with indexes and quoted label keys', () => {
    expect(pointerToField('/spec/ports/0/port')).toBe('spec.ports[0].port');
    expect(pointerToField('/metadata/labels/app.kubernetes.io~1name')).toBe('metadata.labels["app.kubernetes.io/name"]');
  });
});
