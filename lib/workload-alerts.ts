import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from './k8s';

/**
 * The metrics a standard kube-prometheus stack has without scraping the servers themselves:
 * kube-state-metrics (`kube_deployment_status_replicas_available`, `kube_pod_container_resource_limits`
 * with `resource="memory"`) and the kubelet's cAdvisor (`container_memory_working_set_bytes`, the
 * figure the OOM killer and evictions act on; `container_memory_usage_bytes` also counts page cache).
 */
export const ALERT_METRICS = {
  availableReplicas: 'kube_deployment_status_replicas_available',
  memoryWorkingSet: 'container_memory_working_set_bytes',
  resourceLimits: 'kube_pod_container_resource_limits',
} as const;

export interface WorkloadAlertsProps {
  /** The Deployment to watch: name, namespace and container are read from it. */
  readonly deployment: k8s.KubeDeployment;
  /** Name in the alert texts, e.g. `Kubernetes MCP server`. */
  readonly title: string;
  /** Labels the user's Prometheus `ruleSelector` matches. */
  readonly ruleLabels: Readonly<Record<string, string>>;
  /** Labels of the PrometheusRule object itself (the workload's `app.kubernetes.io/*`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Minutes without an available replica before the alert fires. @default 5 */
  readonly downForMinutes?: number;
  /** Share of the memory limit that is "too close". @default 0.8 */
  readonly memoryLimitRatio?: number;
  /** Minutes above that share before the alert fires. @default 5 */
  readonly memoryForMinutes?: number;
}

/** What the rules need to know about a Deployment, read from its synthesized form. */
export interface WatchedDeployment {
  readonly name: string;
  readonly namespace: string;
  readonly container: string;
}

export function watchedDeployment(deployment: k8s.KubeDeployment): WatchedDeployment {
  const doc = deployment.toJson();
  const containers: { name: string }[] = doc.spec?.template?.spec?.containers ?? [];
  if (!doc.metadata?.namespace || containers.length === 0) {
    throw new Error(`WorkloadAlerts: Deployment ${doc.metadata?.name} needs a namespace and a container`);
  }
  return { name: doc.metadata.name, namespace: doc.metadata.namespace, container: containers[0].name };
}

/** `kubernetes-mcp-server` -> `KubernetesMcpServer`, the usual alert name style. */
export function alertPrefix(name: string): string {
  return name.split('-').filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** PromQL selectors of a Deployment's pods: ReplicaSet pods are named `<deployment>-<hash>-<suffix>`. */
export function podSelector(d: WatchedDeployment, extra = ''): string {
  return `{namespace="${d.namespace}", pod=~"${d.name}-[a-z0-9]+-[a-z0-9]+", container="${d.container}"${extra}}`;
}

/** The rule groups of one Deployment: down for N minutes, memory above a share of its limit. */
export function workloadAlertGroups(d: WatchedDeployment, title: string, opts: { downFor: number; ratio: number; memoryFor: number }): any[] {
  const prefix = alertPrefix(d.name);
  const by = 'max by (namespace, pod, container)';
  return [{
    name: `${d.name}.rules`,
    rules: [
      {
        alert: `${prefix}Down`,
        expr: `${ALERT_METRICS.availableReplicas}{namespace="${d.namespace}", deployment="${d.name}"} < 1`,
        for: `${opts.downFor}m`,
        labels: { severity: 'critical' },
        annotations: {
          summary: `${title} is down`,
          description: `Deployment ${d.namespace}/${d.name} has had no available replica for more than ${opts.downFor} minutes.`,
        },
      },
      {
        alert: `${prefix}MemoryHigh`,
        expr: `${by} (${ALERT_METRICS.memoryWorkingSet}${podSelector(d)})\n  / on (namespace, pod, container)\n`
          + `${by} (${ALERT_METRICS.resourceLimits}${podSelector(d, ', resource="memory"')})\n  > ${opts.ratio}`,
        for: `${opts.memoryFor}m`,
        labels: { severity: 'warning' },
        annotations: {
          summary: `${title} memory above ${Math.round(opts.ratio * 100)}% of its limit`,
          description: `Container ${d.container} of pod {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} `
            + 'of its memory limit; it is OOM-killed at 100%.',
        },
      },
    ],
  }];
}

/**
 * A PrometheusRule (`monitoring.coreos.com/v1`, prometheus-operator) beside a Deployment, with the
 * two alerts every server of the platform gets. Names, namespace and container come from the
 * Deployment object, so a renamed Deployment cannot leave a rule watching nothing.
 */
export class WorkloadAlerts extends Construct {
  readonly rule: ApiObject;

  constructor(scope: Construct, id: string, props: WorkloadAlertsProps) {
    super(scope, id);
    const d = watchedDeployment(props.deployment);
    this.rule = new ApiObject(this, 'rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: `${d.name}-alerts`, namespace: d.namespace, labels: { ...props.labels, ...props.ruleLabels } },
      spec: {
        groups: workloadAlertGroups(d, props.title, {
          downFor: props.downForMinutes ?? 5,
          ratio: props.memoryLimitRatio ?? 0.8,
          memoryFor: props.memoryForMinutes ?? 5,
        }),
      },
    });
  }
}
