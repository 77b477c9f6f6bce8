/**
 * Alerts for the silent failures of a Penpot installation: backups (on the node and off it), the
 * repository's integrity check, volumes filling up, workloads without a ready replica, the exporter
 * restarting and the post-sync smoke check failing. Every expression reads metrics a standard
 * kube-prometheus stack already has: kube-state-metrics (`kube_cronjob_*`, `kube_job_*`,
 * `kube_pod_container_*`, `kube_deployment_*`, `kube_statefulset_*`) and the kubelet
 * (`kubelet_volume_stats_*`). Each alert carries a `runbook` annotation with what to do.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { longestCronGapSeconds } from './cron-period';

export interface WatchedCronJob {
  readonly name: string;
  /** Its schedule: "stale" means no success for the longest gap between runs plus the margin. */
  readonly schedule: string;
  /** Alert name stem, e.g. `PenpotBackup`. */
  readonly alert: string;
  /** Name in texts, e.g. `Penpot backup`. */
  readonly title: string;
  /** What to run when it fires. */
  readonly runbook: string;
}

export interface WatchedWorkload {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly name: string;
  readonly title: string;
}

export interface PenpotAlertsProps {
  readonly namespace: string;
  /** Labels the user's Prometheus `ruleSelector` matches. */
  readonly ruleLabels: Readonly<Record<string, string>>;
  /** Labels of the PrometheusRule object itself. */
  readonly labels: Readonly<Record<string, string>>;
  /** The backup CronJob, and the off-node pieces when sets leave the node. */
  readonly backup?: WatchedCronJob & {
    /** Name of the upload container in the backup pod (sets copied off the node). */
    readonly uploadContainer?: string;
    /** The repository's integrity check CronJob. */
    readonly check?: WatchedCronJob;
  };
  /** Minutes of lateness tolerated past a schedule's longest gap. @default 60 */
  readonly staleMarginMinutes?: number;
  /** Namespaces whose PVCs are watched (every namespace of the platform with volumes). */
  readonly volumeNamespaces: readonly string[];
  /** Used/capacity ratios: warning and critical. @default [0.8, 0.9] */
  readonly volumeThresholds?: readonly [number, number];
  /** Workloads that must have a ready replica while they are meant to run (spec replicas > 0). */
  readonly workloads: readonly WatchedWorkload[];
  /** The exporter Deployment and container (restarts: the OOM symptom). */
  readonly exporter?: { readonly deployment: string; readonly container: string };
  /** Name of the post-sync smoke-check Job. */
  readonly smokeCheckJob?: string;
}

const re = (values: readonly string[]): string => values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

/** Failed and stale rules of one CronJob. */
export function cronJobRules(namespace: string, c: WatchedCronJob, marginMinutes: number): any[] {
  const sel = `namespace="${namespace}", cronjob="${c.name}"`;
  // Jobs of a CronJob are named `<cronjob>-<minutes since epoch>`; the runbook's manual runs too.
  const jobs = `namespace="${namespace}", job_name=~"${c.name}-[0-9]+"`;
  const lastSuccess = `max by (namespace) (kube_cronjob_status_last_successful_time{${sel}})`;
  const thresholdSeconds = longestCronGapSeconds(c.schedule) + marginMinutes * 60;
  const hours = Math.round((thresholdSeconds / 3600) * 100) / 100;
  return [
    {
      alert: `${c.alert}Failed`,
      // A failed Job counts until a later run succeeds (failed Jobs are kept for days).
      expr: `(max by (namespace, job_name) (kube_job_status_failed{${jobs}}) > 0)\n`
        + `and on (namespace, job_name) (\n  max by (namespace, job_name) (kube_job_status_start_time{${jobs}})\n`
        + `    > on (namespace) group_left () ${lastSuccess}\n`
        + `  or on (namespace, job_name) max by (namespace, job_name) (kube_job_status_start_time{${jobs}}) unless on (namespace) ${lastSuccess}\n)`,
      labels: { severity: 'critical' },
      annotations: {
        summary: `${c.title} failed`,
        description: `Job {{ $labels.namespace }}/{{ $labels.job_name }} of CronJob ${c.name} failed and no later run has succeeded.`,
        runbook: c.runbook,
      },
    },
    {
      alert: `${c.alert}Missing`,
      expr: `time() - ${lastSuccess} > ${thresholdSeconds}\n`
        + `or (time() - max by (namespace) (kube_cronjob_created{${sel}}) > ${thresholdSeconds}) unless on (namespace) ${lastSuccess}`,
      labels: { severity: 'critical' },
      annotations: {
        summary: `No successful ${c.title.toLowerCase()} for more than ${hours} h`,
        description: `CronJob ${namespace}/${c.name} (schedule "${c.schedule}") has not completed a run for more than ${hours} hours `
          + `(its longest gap between runs plus ${marginMinutes} minutes).`,
        runbook: c.runbook,
      },
    },
  ];
}

/**
 * The PrometheusRule `penpot-platform-alerts` (`monitoring.coreos.com/v1`). Object names come from
 * the caller's constructs, so a renamed CronJob or Deployment cannot leave a rule watching nothing.
 */
export class PenpotAlerts extends Construct {
  readonly rule: ApiObject;
  readonly ruleName = 'penpot-platform-alerts';

  constructor(scope: Construct, id: string, props: PenpotAlertsProps) {
    super(scope, id);
    const ns = props.namespace;
    const margin = props.staleMarginMinutes ?? 60;
    const [warn, crit] = props.volumeThresholds ?? [0.8, 0.9];
    const groups: any[] = [];

    const b = props.backup;
    if (b) {
      const rules = [...cronJobRules(ns, b, margin)];
      if (b.uploadContainer) {
        const pods = `namespace="${ns}", pod=~"${b.name}-[0-9]+-[a-z0-9]+"`;
        const lastSuccess = `max by (namespace) (kube_cronjob_status_last_successful_time{namespace="${ns}", cronjob="${b.name}"})`;
        rules.push({
          alert: `${b.alert}UploadFailed`,
          // The upload is the pod's main container (backup.sh its init container): its own exit tells the upload from the dump.
          expr: `(max by (namespace, pod, reason) (kube_pod_container_status_terminated_reason{${pods}, container="${b.uploadContainer}", reason!="Completed"}) > 0)\n`
            + `and on (namespace, pod) (\n  max by (namespace, pod) (kube_pod_start_time{${pods}}) > on (namespace) group_left () ${lastSuccess}\n`
            + `  or on (namespace, pod) max by (namespace, pod) (kube_pod_start_time{${pods}}) unless on (namespace) ${lastSuccess}\n)`,
          labels: { severity: 'critical' },
          annotations: {
            summary: 'Off-node upload of the Penpot backup failed',
            description: `Container ${b.uploadContainer} of pod {{ $labels.namespace }}/{{ $labels.pod }} ended with {{ $labels.reason }}: `
              + 'the set is on the node only. The next run uploads every set the repository lacks.',
            runbook: `kubectl -n ${ns} logs {{ $labels.pod }} -c ${b.uploadContainer}; check the repository endpoint, the Secret and the egress CIDRs (OPERATIONS.md, Off-node copies).`,
          },
        });
      }
      groups.push({ name: `${b.name}.rules`, rules });
      if (b.check) groups.push({ name: `${b.check.name}.rules`, rules: cronJobRules(ns, b.check, margin) });
    }

    const volumeNs = `namespace=~"${re(props.volumeNamespaces)}"`;
    const ratio = `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${volumeNs}})\n`
      + `  / max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes{${volumeNs}})`;
    const volumeRunbook = 'kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }}; free space (backup volume: lower '
      + 'penpot.backup.retention) or grow the claim (storage.*Size / penpot.backup.size) and sync.';
    groups.push({
      name: 'platform-volumes.rules',
      rules: [
        {
          alert: 'PlatformVolumeFillingUp', expr: `${ratio} > ${warn}`, for: '15m', labels: { severity: 'warning' },
          annotations: {
            summary: `Volume above ${Math.round(warn * 100)}% full`,
            description: 'PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full.',
            runbook: volumeRunbook,
          },
        },
        {
          alert: 'PlatformVolumeAlmostFull', expr: `${ratio} > ${crit}`, for: '5m', labels: { severity: 'critical' },
          annotations: {
            summary: `Volume above ${Math.round(crit * 100)}% full`,
            description: 'PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full; writes fail at 100%.',
            runbook: volumeRunbook,
          },
        },
      ],
    });

    const workloadRules = props.workloads.map((w) => {
      const metric = w.kind === 'Deployment'
        ? { ready: 'kube_deployment_status_replicas_available', spec: 'kube_deployment_spec_replicas', label: 'deployment' }
        : { ready: 'kube_statefulset_status_replicas_ready', spec: 'kube_statefulset_replicas', label: 'statefulset' };
      const sel = `namespace="${ns}", ${metric.label}="${w.name}"`;
      return {
        alert: `${w.name.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('')}NotReady`,
        // Scaled to 0 on purpose (the restore runbook) is not an outage.
        expr: `max by (namespace, ${metric.label}) (${metric.ready}{${sel}}) < 1\nand on (namespace, ${metric.label}) max by (namespace, ${metric.label}) (${metric.spec}{${sel}}) > 0`,
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: `${w.title} has no ready replica`,
          description: `${w.kind} ${ns}/${w.name} has had no ready replica for more than 5 minutes.`,
          runbook: `kubectl -n ${ns} describe ${w.kind.toLowerCase()} ${w.name}; kubectl -n ${ns} get pods; kubectl -n ${ns} logs ${w.kind.toLowerCase()}/${w.name} --previous`,
        },
      };
    });
    if (props.exporter) {
      const e = props.exporter;
      const sel = `namespace="${ns}", pod=~"${e.deployment}-[a-z0-9]+-[a-z0-9]+", container="${e.container}"`;
      workloadRules.push({
        alert: 'PenpotExporterRestarting',
        expr: `max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${sel}}[15m])) > 0`,
        for: '0m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Penpot exporter is restarting',
          description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted in the last 15 minutes; '
            + 'exports fail while it is down. OOMKilled (see the runbook) means Chromium needs more memory.',
          runbook: `kubectl -n ${ns} get pod {{ $labels.pod }} -o jsonpath='{.status.containerStatuses[0].lastState.terminated.reason}'; `
            + 'on OOMKilled raise penpot.resources.exporter limits or lower penpot.exporterBrowserPoolMax, then sync.',
        },
      });
    }
    groups.push({ name: 'penpot-workloads.rules', rules: workloadRules });

    if (props.smokeCheckJob) {
      groups.push({
        name: `${props.smokeCheckJob}.rules`,
        rules: [{
          alert: 'PenpotSmokeCheckFailed',
          // The hook Job is deleted when it succeeds and before the next sync creates it again.
          expr: `max by (namespace, job_name) (kube_job_status_failed{namespace="${ns}", job_name="${props.smokeCheckJob}"}) > 0`,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Penpot post-sync smoke check failed',
            description: `The PostSync hook Job ${ns}/${props.smokeCheckJob} failed: the last sync left an endpoint that does not answer.`,
            runbook: `kubectl -n ${ns} logs job/${props.smokeCheckJob}; fix what it names, then sync again.`,
          },
        }],
      });
    }

    this.rule = new ApiObject(this, 'rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: this.ruleName,
        namespace: ns,
        labels: { ...props.labels, ...props.ruleLabels },
        // Without the prometheus-operator CRDs, the rest of the app still syncs.
        annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
      },
      spec: { groups },
    });
  }
}
