/**
 * The PrometheusRules of dist/ evaluated by Prometheus' own rule engine: `promtool test rules`
 * (Debian package `prometheus`, installed by .ci/run) runs each rule group of dist/ over synthetic
 * kube-state-metrics and cAdvisor series shaped like a real cluster's, and checks when each alert
 * fires, with which labels and texts, and that pods of other Deployments never trigger it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Yaml } from 'cdk8s';
import { ManifestObject, ObjectIndex, containersOf, loadDist, podSpecOf } from '../lib/checks';
import { parseQuantity } from '../lib/config/rules';
import { alertPrefix } from '../lib/workload-alerts';
import { tempDir } from './support/environments';

const dist = loadDist(path.resolve(__dirname, '..'));
const index = new ObjectIndex(dist.objects);
// Penpot's platform alerts have their own promtool test (prometheus-penpot-alerts-promtool.test.ts).
const rules = dist.objects.filter((o) => o.doc.kind === 'PrometheusRule' && o.doc.metadata.name !== 'penpot-platform-alerts');

function promtool(args: string[], cwd: string): { code: number; output: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is not installed (apt-get install prometheus; .ci/run does): ${r.error.message}`);
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** The Deployment a rule object watches: the one whose name prefixes the rule's name. */
function watched(rule: ManifestObject) {
  const name = rule.doc.metadata.name.replace(/-alerts$/, '');
  const deployment = index.find(rule.env, rule.doc.metadata.namespace, 'Deployment', name)!.doc;
  const container = containersOf(podSpecOf(deployment))[0];
  return { name, namespace: rule.doc.metadata.namespace, container: container.name, limit: parseQuantity(container.resources.limits.memory)! };
}

test('promtool is available', () => {
  expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool, version 2\./);
});

describe.each(rules.map((r) => [`${r.env} ${r.doc.metadata.name}`, r] as const))('%s under promtool', (_name, rule) => {
  const dir = tempDir('prometheus-rules-');
  const d = watched(rule);
  const prefix = alertPrefix(d.name);
  const pod = `${d.name}-7d4b9c8f6d-x2x7k`;
  const other = `${d.name}-canary-6c9f8b7d5c-q9z8w`;
  const mem = (p: string, c = d.container) => `{namespace="${d.namespace}", pod="${p}", container="${c}"}`;
  fs.writeFileSync(path.join(dir, 'rules.yaml'), Yaml.stringify({ groups: rule.doc.spec.groups }));

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('promtool check rules accepts the rule file', () => {
    const r = promtool(['check', 'rules', 'rules.yaml'], dir);
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.stringMatching(/SUCCESS: 2 rules found/) });
  });

  test('the alerts fire exactly as specified on a cluster-shaped series set', () => {
    const high = Math.round(d.limit * 0.9);
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          // Available until minute 2, then none.
          { series: `kube_deployment_status_replicas_available{namespace="${d.namespace}", deployment="${d.name}"}`, values: '1 1 0x20' },
          // 50% of the limit until minute 3, then 90%.
          { series: `container_memory_working_set_bytes${mem(pod)}`, values: `${Math.round(d.limit * 0.5)}x3 ${high}x20` },
          { series: `kube_pod_container_resource_limits${mem(pod).replace('}', ', resource="memory", unit="byte"}')}`, values: `${d.limit}x23` },
          // A pod of another Deployment whose name starts the same, at 99%: never this rule's business.
          { series: `container_memory_working_set_bytes${mem(other)}`, values: `${Math.round(d.limit * 0.99)}x23` },
          { series: `kube_pod_container_resource_limits${mem(other).replace('}', ', resource="memory", unit="byte"}')}`, values: `${d.limit}x23` },
        ],
        alert_rule_test: [
          { eval_time: '6m', alertname: `${prefix}Down`, exp_alerts: [] },
          {
            eval_time: '8m',
            alertname: `${prefix}Down`,
            exp_alerts: [{
              exp_labels: { severity: 'critical', namespace: d.namespace, deployment: d.name },
              exp_annotations: rule.doc.spec.groups[0].rules[0].annotations,
            }],
          },
          { eval_time: '7m', alertname: `${prefix}MemoryHigh`, exp_alerts: [] },
          {
            eval_time: '9m',
            alertname: `${prefix}MemoryHigh`,
            exp_alerts: [{
              exp_labels: { severity: 'warning', namespace: d.namespace, pod, container: d.container },
              exp_annotations: {
                summary: rule.doc.spec.groups[0].rules[1].annotations.summary,
                description: `Container ${d.container} of pod ${d.namespace}/${pod} uses 90% of its memory limit; it is OOM-killed at 100%.`,
              },
            }],
          },
        ],
      }],
    };
    fs.writeFileSync(path.join(dir, 'tests.yaml'), Yaml.stringify(tests));
    const r = promtool(['test', 'rules', 'tests.yaml'], dir);
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.stringMatching(/SUCCESS/) });
  });
});
