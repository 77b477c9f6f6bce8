import {
  checkConfigMapRefs, checkNoSecretData, checkPvcRefs, checkSecretRefs, checkServiceAccountRefs,
} from '../../lib/checks/wiring';
import { distOf, edit, fromYaml, main, mo, NS, penpotContract, penpotDist, penpotObjects, without } from './fixtures';

/** A Pod in namespace a using `spec` (YAML flow mapping inside `spec:`). */
const pod = (spec: string, extra = '') => fromYaml(`
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a}
spec:
${spec}
${extra}`);

describe('wiring/configmap-ref', () => {
  const cm = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: a}
data: {key: v}`;

  it('passes for env, envFrom, volume and projected references to an existing ConfigMap and key', () => {
    const objects = pod(`  containers:
  - name: c
    image: x
    env: [{name: K, valueFrom: {configMapKeyRef: {name: conf, key: key}}}]
    envFrom: [{configMapRef: {name: conf}}]
  volumes:
  - {name: v, configMap: {name: conf}}
  - {name: w, projected: {sources: [{configMap: {name: conf, items: [{key: key, path: k}]}}]}}`, cm);
    expect(checkConfigMapRefs(objects)).toEqual([]);
  });

  it('reports a missing ConfigMap, wherever it is referenced', () => {
    const findings = checkConfigMapRefs(pod(`  containers:
  - name: c
    image: x
    envFrom: [{configMapRef: {name: gone}}]
  volumes: [{name: w, projected: {sources: [{configMap: {name: gone2}}]}}]`));
    expect(findings.map((f) => [f.check, f.object, f.field])).toEqual([
      ['wiring/configmap-ref', 'Pod a/p', 'spec.containers[0].envFrom[0].configMapRef.name'],
      ['wiring/configmap-ref', 'Pod a/p', 'spec.volumes[0].projected.sources[0].configMap.name'],
    ]);
    expect(findings[0].message).toMatch(/ConfigMap 'gone'/);
  });

  it('reports a configMapKeyRef key the ConfigMap does not have', () => {
    const findings = checkConfigMapRefs(pod(`  containers: [{name: c, image: x, env: [{name: K, valueFrom: {configMapKeyRef: {name: conf, key: nope}}}]}]`, cm));
    expect(findings.map((f) => f.field)).toEqual(['spec.containers[0].env[0].valueFrom.configMapKeyRef.key']);
  });

  it('accepts a missing ConfigMap referenced with optional: true', () => {
    expect(checkConfigMapRefs(pod(`  volumes: [{name: v, configMap: {name: gone, optional: true}}]
  containers: [{name: c, image: x}]`))).toEqual([]);
  });
});

describe('wiring/pvc-ref', () => {
  it('passes for the Penpot assets PVC', () => {
    expect(checkPvcRefs(penpotObjects())).toEqual([]);
  });

  it('reports a claimName that is not a PVC in the namespace', () => {
    const findings = checkPvcRefs(without(penpotObjects(), 'PersistentVolumeClaim', 'penpot-assets'));
    expect(findings.map((f) => [f.check, f.object])).toEqual([
      ['wiring/pvc-ref', 'Deployment penpot/penpot-frontend'],
      ['wiring/pvc-ref', 'Deployment penpot/penpot-backend'],
    ]);
    expect(findings[0].field).toBe('spec.template.spec.volumes[0].persistentVolumeClaim.claimName');
  });

  it("counts a StatefulSet's volumeClaimTemplates as existing for its own pods", () => {
    const objects = fromYaml(`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: a}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: c, image: postgres}]
      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
  volumeClaimTemplates: [{metadata: {name: data}}]
`);
    expect(checkPvcRefs(objects)).toEqual([]);
  });
});

describe('wiring/serviceaccount-ref', () => {
  it('passes for an existing ServiceAccount and for default', () => {
    const objects = edit(penpotObjects(), 'Deployment', 'penpot-exporter', (d) => { d.spec.template.spec.serviceAccountName = 'default'; });
    expect(checkServiceAccountRefs(objects)).toEqual([]);
  });

  it('reports a serviceAccountName without a ServiceAccount in the namespace', () => {
    const objects = edit(penpotObjects(), 'Deployment', 'penpot-backend', (d) => { d.spec.template.spec.serviceAccountName = 'penpot-backend'; });
    expect(checkServiceAccountRefs(objects)).toEqual([expect.objectContaining({
      check: 'wiring/serviceaccount-ref', object: 'Deployment penpot/penpot-backend', field: 'spec.template.spec.serviceAccountName',
    })]);
  });
});

describe('wiring/secret-ref', () => {
  it('passes when every Secret and key is in the contract', () => {
    expect(checkSecretRefs(penpotDist())).toEqual([]);
  });

  it('reports a Secret missing from the contract', () => {
    const objects = edit(penpotObjects(), 'Deployment', 'penpot-backend', (d) => {
      main(d).envFrom = [{ secretRef: { name: 'penpot-smtp' } }];
    });
    const findings = checkSecretRefs(penpotDist(objects));
    expect(findings).toEqual([expect.objectContaining({
      check: 'wiring/secret-ref', object: 'Deployment penpot/penpot-backend', field: 'spec.template.spec.containers[0].envFrom[0].secretRef.name',
    })]);
    expect(findings[0].message).toMatch(/'penpot-smtp'.*not in the secrets contract/);
  });

  it('reports a secretKeyRef key that the contract does not list', () => {
    const objects = edit(penpotObjects(), 'Deployment', 'penpot-backend', (d) => { main(d).env[2].valueFrom.secretKeyRef.key = 'pass'; });
    expect(checkSecretRefs(penpotDist(objects)).map((f) => [f.check, f.field])).toEqual([
      ['wiring/secret-ref', 'spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef.key'],
    ]);
  });

  it('reports a contract entry in another namespace', () => {
    const contract = { ...penpotContract(), secrets: penpotContract().secrets.map((s) => ({ ...s, namespace: 'other' })) };
    const findings = checkSecretRefs(distOf(penpotObjects(), [contract]));
    expect(findings.length).toBe(4);
    expect(findings[0].message).toMatch(/only in namespace\(s\) 'other'/);
  });

  it('reports every Secret of an env without a contract, including Ingress TLS and imagePullSecrets', () => {
    const objects = edit(penpotObjects(), 'Deployment', 'penpot-exporter', (d) => { d.spec.template.spec.imagePullSecrets = [{ name: 'regcred' }]; });
    const fields = checkSecretRefs(distOf(objects)).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.tls[0].secretName', 'spec.template.spec.imagePullSecrets[0].name']));
    expect(fields.length).toBe(5);
  });

  it('reports a TLS Secret whose contract type is not kubernetes.io/tls', () => {
    const contract = { ...penpotContract(), secrets: penpotContract().secrets.map((s) => ({ ...s, type: 'Opaque' })) };
    expect(checkSecretRefs(distOf(penpotObjects(), [contract])).map((f) => [f.object, f.field])).toEqual([['Ingress penpot/penpot', 'spec.tls[0].secretName']]);
  });

  it('reports a contract-optional Secret referenced without optional: true', () => {
    const contract = { ...penpotContract(), secrets: penpotContract().secrets.map((s) => ({ ...s, optional: s.name === 'penpot-db' })) };
    const findings = checkSecretRefs(distOf(penpotObjects(), [contract]));
    expect(findings.map((f) => f.field)).toEqual(['spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef.name']);
    expect(findings[0].message).toMatch(/optional/);
  });

  it('accepts a Secret defined in dist in place of a contract entry', () => {
    const objects = [...penpotObjects(), mo({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'penpot-tls', namespace: NS }, type: 'kubernetes.io/tls' })];
    const contract = { ...penpotContract(), secrets: penpotContract().secrets.filter((s) => s.name !== 'penpot-tls') };
    expect(checkSecretRefs(distOf(objects, [contract]))).toEqual([]);
  });
});

describe('wiring/no-secret-data', () => {
  it('reports a Secret carrying data or stringData without echoing the values', () => {
    const findings = checkNoSecretData(fromYaml(`
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: a}
data: {password: aHVudGVyMg==}
stringData: {token: hunter2}
`));
    expect(findings.map((f) => [f.check, f.object, f.field])).toEqual([
      ['wiring/no-secret-data', 'Secret a/s', 'data'],
      ['wiring/no-secret-data', 'Secret a/s', 'stringData'],
    ]);
    expect(findings.map((f) => f.message).join(' ')).not.toMatch(/hunter2|aHVudGVyMg/);
  });

  it('accepts a Secret without values', () => {
    expect(checkNoSecretData(fromYaml('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {}\n'))).toEqual([]);
  });
});
