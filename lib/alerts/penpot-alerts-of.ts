/**
 * The PenpotAlerts of one environment, from the constructs of its Penpot chart (names are read
 * from them, never retyped). Only when `monitoring.prometheusRules` is set.
 */
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/types';
import { systemLabels } from '../labels';
import type { PenpotBackup } from '../penpot-backup';
import { PenpotAlerts } from './penpot-alerts';

/** Every namespace of the environment that may hold a PVC of the platform. */
export function platformNamespaces(env: EnvironmentConfig): string[] {
  return [...new Set([
    ...(env.penpot.enabled ? [env.penpot.namespace] : []),
    ...(env.kubernetesMcp.enabled ? [env.kubernetesMcp.namespace] : []),
    ...(env.kubernetesMcp.enabled && env.llamaStack.enabled ? [env.llamaStack.namespace] : []),
    ...(env.kmcp.enabled ? [env.kmcp.namespace] : []),
  ])];
}

export interface PenpotAlertTargets {
  readonly namespace: string;
  readonly backup?: PenpotBackup;
  readonly deployments: { readonly backend: string; readonly frontend: string; readonly exporter: string; readonly valkey: string };
  readonly statefulSets: { readonly postgres: string };
  readonly exporterContainer: string;
  readonly smokeCheckJob?: string;
}

export function penpotAlertsFor(scope: Construct, env: EnvironmentConfig, t: PenpotAlertTargets): PenpotAlerts | undefined {
  const rules = env.monitoring.prometheusRules;
  if (!rules) return undefined;
  const b = t.backup;
  const ns = t.namespace;
  return new PenpotAlerts(scope, 'alerts', {
    namespace: ns,
    ruleLabels: rules.labels,
    labels: systemLabels('penpot'),
    backup: b ? {
      name: b.cronJobName,
      schedule: b.runbook.schedule,
      alert: 'PenpotBackup',
      title: 'Penpot backup',
      runbook: `kubectl -n ${ns} get jobs -l app.kubernetes.io/name=penpot-backup; kubectl -n ${ns} logs job/<job> --all-containers; `
        + 'then run one now (OPERATIONS.md, Backups).',
      uploadContainer: b.runbook.offsite ? 'upload' : undefined,
      check: b.runbook.offsite ? {
        name: b.checkCronJobName,
        schedule: b.runbook.offsite.checkSchedule,
        alert: 'PenpotBackupCheck',
        title: 'Off-node repository check',
        runbook: `kubectl -n ${ns} logs job/<job> (jobs: kubectl -n ${ns} get jobs -l app.kubernetes.io/component=check); `
          + 'errors mean damaged or missing data in the repository: OPERATIONS.md, Off-node copies.',
      } : undefined,
    } : undefined,
    volumeNamespaces: platformNamespaces(env),
    staleMarginMinutes: rules.backupMarginMinutes,
    volumeThresholds: [rules.volumeThresholds.warning, rules.volumeThresholds.critical],
    workloads: [
      { kind: 'Deployment', name: t.deployments.backend, title: 'Penpot backend' },
      { kind: 'Deployment', name: t.deployments.frontend, title: 'Penpot frontend' },
      { kind: 'Deployment', name: t.deployments.exporter, title: 'Penpot exporter' },
      { kind: 'StatefulSet', name: t.statefulSets.postgres, title: 'Penpot PostgreSQL' },
      { kind: 'Deployment', name: t.deployments.valkey, title: 'Penpot Valkey' },
    ],
    exporter: { deployment: t.deployments.exporter, container: t.exporterContainer },
    smokeCheckJob: t.smokeCheckJob,
  });
}
