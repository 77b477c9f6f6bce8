/** The review's rules on hand-written manifests: one rule per test, each with a change that must pass quietly. */
import { stringify } from 'yaml';
import { reviewEnvironment, ReviewWarning } from '../lib/review';

function env(...docs: object[]): Map<string, string> {
  return new Map([['app/app.k8s.yaml', docs.map((d) => stringify(d)).join('---\n')]]);
}

function warnings(before: object[], after: object[]): readonly ReviewWarning[] {
  return reviewEnvironment({ env: 'test', before: env(...before), after: env(...after) }).warnings;
}

const deployment = (selector: Record<string, string>, image = 'nginx:1.27') => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'app' },
  spec: { selector: { matchLabels: selector }, template: { metadata: { labels: selector }, spec: { containers: [{ name: 'web', image }] } } },
});
const service = (spec: object) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'app' }, spec: { ports: [{ port: 80 }], ...spec } });
const claim = (spec: object) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'app' },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '10Gi' } }, ...spec },
});
const job = (image: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'app', annotations },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'once', image }] } } },
});
const summary = (ws: readonly ReviewWarning[]) => ws.map((w) => `${w.level} ${w.subject}`);

describe('review rules', () => {
  test('a Deployment selector change blocks; an image change does not', () => {
    expect(summary(warnings([deployment({ app: 'web' })], [deployment({ app: 'web', tier: 'front' })]))).toEqual(['blocking Deployment app/web']);
    expect(warnings([deployment({ app: 'web' })], [deployment({ app: 'web' }, 'nginx:1.28')])).toEqual([]);
  });

  test('a Service turning headless blocks; ClusterIP to NodePort does not', () => {
    expect(summary(warnings([service({})], [service({ clusterIP: 'None' })]))).toEqual(['blocking Service app/web']);
    expect(warnings([service({ type: 'ClusterIP' })], [service({ type: 'NodePort' })])).toEqual([]);
  });

  test('a Service moving to ExternalName blocks', () => {
    expect(summary(warnings([service({ type: 'ClusterIP' })], [service({ type: 'ExternalName', externalName: 'web.example.internal' })])))
      .toEqual(['blocking Service app/web']);
  });

  test('a claim that shrinks or changes access modes blocks; one that grows needs a check', () => {
    expect(summary(warnings([claim({})], [claim({ resources: { requests: { storage: '5Gi' } } })]))).toEqual(['blocking PersistentVolumeClaim app/data']);
    expect(summary(warnings([claim({})], [claim({ accessModes: ['ReadWriteMany'] })]))).toEqual(['blocking PersistentVolumeClaim app/data']);
    const grow = warnings([claim({})], [claim({ resources: { requests: { storage: '20Gi' } } })]);
    expect(summary(grow)).toEqual(['caution PersistentVolumeClaim app/data']);
    expect(grow[0].action).toContain('`kubectl get storageclass fast -o jsonpath={.allowVolumeExpansion}`');
  });

  test('a Job pod template change blocks, unless the Job is an Argo CD hook (recreated on each sync)', () => {
    expect(summary(warnings([job('busybox:1.36')], [job('busybox:1.37')]))).toEqual(['blocking Job app/once']);
    const hook = { 'argocd.argoproj.io/hook': 'PostSync' };
    expect(warnings([job('busybox:1.36', hook)], [job('busybox:1.37', hook)])).toEqual([]);
  });

  test('a StatefulSet replicas or template change passes; a serviceName change blocks', () => {
    const sts = (serviceName: string, replicas: number, image: string) => ({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'app' },
      spec: { serviceName, replicas, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image }] } } },
    });
    expect(warnings([sts('db', 1, 'postgres:15.8')], [sts('db', 2, 'postgres:15.9')])).toEqual([]);
    const renamed = warnings([sts('db', 1, 'postgres:15.8')], [sts('db-headless', 1, 'postgres:15.8')]);
    expect(summary(renamed)).toEqual(['blocking StatefulSet app/db']);
    expect(renamed[0].action).toContain('--cascade=orphan');
  });

  test('a removed claim blocks; a removed Deployment does not', () => {
    expect(summary(warnings([claim({}), deployment({ app: 'web' })], [deployment({ app: 'web' })]))).toEqual(['blocking PersistentVolumeClaim app/data']);
    expect(warnings([claim({}), deployment({ app: 'web' })], [claim({})])).toEqual([]);
  });

  test('a Secret key added to the contract needs an action before the sync', () => {
    const contract = (keys: string[]) => JSON.stringify({ secrets: [{ name: 's', namespace: 'app', keys: keys.map((key) => ({ key })), readBy: ['Deployment/web'] }] });
    const ws = reviewEnvironment({ env: 'test', before: new Map([['secrets.json', contract(['A'])]]), after: new Map([['secrets.json', contract(['A', 'B'])]]) }).warnings;
    expect(summary(ws)).toEqual(['caution Secret app/s']);
    expect(ws[0].problem).toContain('gains key B');
  });
});
