import * as path from 'node:path';
import { ManifestObject, ObjectIndex, SCHEMA_CHECKS, checkSchemas, containersOf, loadDist, podSpecOf } from '../lib/checks';
import { ALERT_METRICS } from '../lib/workload-alerts';

const dist = loadDist(path.resolve(__dirname, '..'));
const index = new ObjectIndex(dist.objects);
const allPrometheusRules = dist.objects.filter((o) => o.doc.kind === 'PrometheusRule');
/** Penpot's platform alerts (backups, volumes, workloads): test/prometheus-penpot-alerts-promtool.test.ts. */
const PLATFORM_RULE = 'penpot-platform-alerts';
const rules = allPrometheusRules.filter((o) => o.doc.metadata.name !== PLATFORM_RULE);
const allRules = (m: ManifestObject): any[] => m.doc.spec.groups.flatMap((g: any) => g.rules);

/** `name="value"` and `name=~"value"` matchers of every selector in a PromQL expression. */
function matchers(expr: string): { metric: string; labels: Record<string, string> }[] {
  return [...expr.matchAll(/([a-z_:]+)\{([^}]*)\}/g)].map(([, metric, body]) => ({
    metric,
    labels: Object.fromEntries([...body.matchAll(/([a-z_]+)=~?"([^"]*)"/g)].map((m) => [m[1], m[2]])),
  }));
}

test('rules are written where monitoring.prometheusRules is set: the MCP server and Llama Stack of example and openshift, Penpot of example', () => {
  expect(allPrometheusRules.filter((r) => r.doc.metadata.name === PLATFORM_RULE).map((r) => `${r.env} ${r.doc.metadata.namespace}`)).toEqual(['example penpot']);
  expect(rules.map((r) => `${r.env} ${r.doc.metadata.namespace}/${r.doc.metadata.name}`)).toEqual([
    'example llama-stack/llama-stack-alerts',
    'example mcp-system/kubernetes-mcp-server-alerts',
    'openshift llama-stack/llama-stack-alerts',
    'openshift mcp-system/kubernetes-mcp-server-alerts',
  ]);
});

describe.each(allPrometheusRules.map((r) => [`${r.env} ${r.doc.metadata.name}`, r] as const))('%s', (_name, rule) => {
  test('validates against the prometheus-operator PrometheusRule schema', () => {
    expect(checkSchemas([rule])).toEqual([]);
  });

  test('carries the labels the Prometheus ruleSelector matches', () => {
    // example: kube-prometheus-stack's release label; openshift: user-workload monitoring selects every rule.
    const wanted = rule.env === 'example' ? { release: 'kube-prometheus-stack' } : {};
    expect(rule.doc.metadata.labels).toMatchObject(wanted);
    expect(Object.keys(rule.doc.metadata.labels).filter((k) => !k.startsWith('app.kubernetes.io/'))).toEqual(Object.keys(wanted));
  });
});

describe.each(rules.map((r) => [`${r.env} ${r.doc.metadata.name}`, r] as const))('%s', (_name, rule) => {

  test('has a down alert after 5 minutes and a memory alert above 80% of the limit, each with summary and description', () => {
    const byName = Object.fromEntries(allRules(rule).map((r) => [r.alert.replace(/^[A-Za-z]+?(Down|MemoryHigh)$/, '$1'), r]));
    expect(byName.Down.for).toBe('5m');
    expect(byName.MemoryHigh.expr).toMatch(/> 0\.8$/);
    for (const r of allRules(rule)) expect(Object.keys(r.annotations).sort()).toEqual(['description', 'summary']);
  });

  test('uses only kube-state-metrics and cAdvisor metrics', () => {
    const metrics = allRules(rule).flatMap((r) => matchers(r.expr).map((m) => m.metric));
    expect(new Set(metrics)).toEqual(new Set(Object.values(ALERT_METRICS)));
  });

  test('every selector names the namespace, Deployment, pods and container of a Deployment in dist', () => {
    const ns = rule.doc.metadata.namespace;
    for (const { labels } of allRules(rule).flatMap((r) => matchers(r.expr))) {
      expect(labels.namespace).toBe(ns);
      const name = labels.deployment ?? /^(.*)-\[a-z0-9\]\+-\[a-z0-9\]\+$/.exec(labels.pod)?.[1];
      const deployment = index.find(rule.env, ns, 'Deployment', name ?? '');
      expect({ name, found: deployment !== undefined }).toEqual({ name, found: true });
      if (labels.container !== undefined) {
        expect(containersOf(podSpecOf(deployment!.doc)).map((c) => c.name)).toContain(labels.container);
      }
      if (labels.pod !== undefined) {
        const pods = new RegExp(`^${labels.pod}$`);
        expect(pods.test(`${name}-7d4b9c8f6d-x2x7k`)).toBe(true);
        expect(pods.test(`${name}-other-7d4b9c8f6d-x2x7k`)).toBe(false);
      }
    }
  });
});

describe('a broken rule is a schema finding', () => {
  const broken = (edit: (rule: any) => void): ManifestObject => {
    const copy = structuredClone(rules[0]);
    edit(copy.doc.spec.groups[0].rules[0]);
    return copy;
  };

  test('a rule without expr', () => {
    const findings = checkSchemas([broken((r) => { delete r.expr; })]);
    expect(findings.map((f) => f.check)).toEqual([SCHEMA_CHECKS.invalid]);
    expect(findings[0].message).toMatch(/expr/);
  });

  test('a duration Prometheus cannot parse', () => {
    const findings = checkSchemas([broken((r) => { r.for = '5 minutes'; })]);
    expect(findings.map((f) => f.field)).toEqual(['spec.groups[0].rules[0].for']);
  });
});
