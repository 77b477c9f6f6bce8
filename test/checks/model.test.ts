import { containersOf, isClusterScoped, labelsMatch, objectId, podLabelsOf, podSpecOf } from '../../lib/checks/model';

describe('labelsMatch', () => {
  const labels = { app: 'penpot', tier: 'web' };

  it('treats a plain map as a Service equality selector', () => {
    expect(labelsMatch({ app: 'penpot' }, labels)).toBe(true);
    expect(labelsMatch({ app: 'other' }, labels)).toBe(false);
  });

  it('requires both matchLabels and every matchExpression', () => {
    const sel = (op: string, values?: string[]) => ({ matchLabels: { app: 'penpot' }, matchExpressions: [{ key: 'tier', operator: op, values }] });
    expect(labelsMatch(sel('In', ['web', 'api']), labels)).toBe(true);
    expect(labelsMatch(sel('In', ['api']), labels)).toBe(false);
    expect(labelsMatch(sel('NotIn', ['api']), labels)).toBe(true);
    expect(labelsMatch(sel('NotIn', ['web']), labels)).toBe(false);
    expect(labelsMatch(sel('Exists'), labels)).toBe(true);
    expect(labelsMatch(sel('DoesNotExist'), labels)).toBe(false);
    expect(labelsMatch({ matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels)).toBe(false);
  });

  it('matches NotIn and DoesNotExist when the label is absent', () => {
    expect(labelsMatch({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels)).toBe(true);
    expect(labelsMatch({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  });

  it('matches nothing for an unknown operator', () => {
    expect(labelsMatch({ matchExpressions: [{ key: 'app', operator: 'Like', values: ['penpot'] }] }, labels)).toBe(false);
  });
});

describe('pod spec readers', () => {
  const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }], initContainers: [{ name: 'i' }] } };

  it('find the pod template of a CronJob, a Deployment and a Pod', () => {
    const cron = { kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } };
    expect(podSpecOf(cron)).toBe(template.spec);
    expect(podLabelsOf(cron)).toEqual({ a: 'b' });
    expect(podSpecOf({ kind: 'Deployment', spec: { template } })).toBe(template.spec);
    expect(podLabelsOf({ kind: 'Pod', metadata: { labels: { x: 'y' } }, spec: template.spec })).toEqual({ x: 'y' });
  });

  it('return undefined for objects that create no pods', () => {
    expect(podSpecOf({ kind: 'ConfigMap', spec: { template } })).toBeUndefined();
  });

  it('list regular and init containers', () => {
    expect(containersOf(template.spec).map((c) => c.name)).toEqual(['c', 'i']);
  });
});

describe('objectId and isClusterScoped', () => {
  it('names objects as Kind namespace/name, or Kind name without namespace', () => {
    expect(objectId({ kind: 'Service', metadata: { name: 'web', namespace: 'penpot' } })).toBe('Service penpot/web');
    expect(objectId({ kind: 'Namespace', metadata: { name: 'penpot' } })).toBe('Namespace penpot');
    expect(objectId('not an object')).toBe('<no kind> <no name>');
  });

  it('knows Namespace and ClusterRole are cluster-scoped and Service is not', () => {
    expect(isClusterScoped('Namespace')).toBe(true);
    expect(isClusterScoped('ClusterRole')).toBe(true);
    expect(isClusterScoped('Service')).toBe(false);
  });
});
