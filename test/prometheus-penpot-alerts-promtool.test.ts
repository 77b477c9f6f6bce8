/**
 * The `penpot-platform-alerts` PrometheusRules of dist/ under Prometheus' own rule engine
 * (`promtool test rules`, Debian package `prometheus`): for every alert, a series set on which it
 * fires and one on which it does not, shaped like kube-state-metrics and kubelet series of a real
 * cluster. Names (CronJobs, Deployments, the smoke Job) are read from the same dist/ objects.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Yaml } from 'cdk8s';
import { loadDist } from '../lib/checks';
import { longestCronGapSeconds } from '../lib/alerts/cron-period';
import { tempDir } from './support/environments';

const dist = loadDist(path.resolve(__dirname, '..'));
const rules = dist.objects.filter((o) => o.doc.kind === 'PrometheusRule' && o.doc.metadata.name === 'penpot-platform-alerts');

function promtool(args: string[], cwd: string): { code: number; output: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is not installed (apt-get install prometheus; .ci/run does): ${r.error.message}`);
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

const of = (env: string, kind: string, name: string): any => dist.objects.find((o) => o.env === env && o.doc.kind === kind && o.doc.metadata.name === name)?.doc;

test('the environments with alerts and Penpot have the rule (and only those)', () => {
  const withAlerts = [...new Set(dist.objects.filter((o) => o.doc.kind === 'Deployment' && o.doc.metadata.name === 'penpot-backend').map((o) => o.env))]
    .filter((env) => dist.objects.some((o) => o.env === env && o.doc.kind === 'PrometheusRule'));
  expect(rules.map((r) => r.env).sort()).toEqual(withAlerts.sort());
  expect(rules.length).toBeGreaterThan(0);
});

describe.each(rules.map((r) => [r.env, r] as const))('%s penpot-platform-alerts under promtool', (env, rule) => {
  const dir = tempDir('penpot-alerts-');
  const ns = rule.doc.metadata.namespace;
  const backup = of(env, 'CronJob', 'penpot-backup');
  const check = of(env, 'CronJob', 'penpot-backup-check');
  const alertNames: string[] = rule.doc.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
  const tested = new Set<string>();
  fs.writeFileSync(path.join(dir, 'rules.yaml'), Yaml.stringify({ groups: rule.doc.spec.groups }));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const annotationsOf = (alert: string): Record<string, string> =>
    rule.doc.spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === alert).annotations;
  /** The rule's annotation templates rendered as Prometheus renders them for these labels (and `humanizePercentage` value). */
  const rendered = (alert: string, labels: Record<string, string>): Record<string, string> => Object.fromEntries(
    Object.entries(annotationsOf(alert)).map(([k, v]) => [k, v
      .replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_m, l) => labels[l])
      .replace('{{ $value | humanizePercentage }}', labels.__percent ?? '?')]));
  /** Runs one promtool test group; each case lists the alerts expected at an evaluation time. */
  const run = (name: string, interval: string, series: Record<string, string>, cases: { at: string; alert: string; fires: Record<string, string>[] }[], evaluationInterval = '1m') => {
    for (const c of cases) tested.add(c.alert);
    const file = `${name}.test.yaml`;
    fs.writeFileSync(path.join(dir, file), Yaml.stringify({
      rule_files: ['rules.yaml'],
      // Coarser for the day- and week-long series of the staleness alerts (which have no `for`).
      evaluation_interval: evaluationInterval,
      tests: [{
        interval,
        input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
        alert_rule_test: cases.map((c) => ({
          eval_time: c.at,
          alertname: c.alert,
          exp_alerts: c.fires.map(({ __percent, ...labels }) => ({ exp_labels: labels, exp_annotations: rendered(c.alert, { ...labels, ...(__percent ? { __percent } : {}) }) })),
        })),
      }],
    }));
    const r = promtool(['test', 'rules', file], dir);
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.stringMatching(/SUCCESS/) });
  };

  test('promtool check rules accepts the rule file', () => {
    const r = promtool(['check', 'rules', 'rules.yaml'], dir);
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.stringMatching(new RegExp(`SUCCESS: ${alertNames.length} rules found`)) });
  });

  const cj = (name: string) => `{namespace="${ns}", cronjob="${name}"}`;

  test(`a backup 25.5 h old with the schedule "${backup.spec.schedule}" fires PenpotBackupMissing; 23 h old does not`, () => {
    expect(longestCronGapSeconds(backup.spec.schedule)).toBe(24 * 3600);
    run('backup-missing', '30m', {
      // Last success at t=0; created long before.
      [`kube_cronjob_status_last_successful_time${cj('penpot-backup')}`]: '0x60',
      [`kube_cronjob_created${cj('penpot-backup')}`]: '-864000x60',
    }, [
      { at: '23h', alert: 'PenpotBackupMissing', fires: [] },
      { at: '25h30m', alert: 'PenpotBackupMissing', fires: [{ severity: 'critical', namespace: ns }] },
    ], '30m');
  });

  test('a backup CronJob that never succeeded fires PenpotBackupMissing once a run is overdue', () => {
    run('backup-never', '30m', { [`kube_cronjob_created${cj('penpot-backup')}`]: '0x60' }, [
      { at: '23h', alert: 'PenpotBackupMissing', fires: [] },
      { at: '25h30m', alert: 'PenpotBackupMissing', fires: [{ severity: 'critical', namespace: ns }] },
    ], '30m');
  });

  test('a failed backup Job newer than the last success fires PenpotBackupFailed; one followed by a success does not', () => {
    const job = (id: string) => `{namespace="${ns}", job_name="penpot-backup-${id}"}`;
    run('backup-failed', '1m', {
      [`kube_cronjob_status_last_successful_time${cj('penpot-backup')}`]: '600x30',
      // Failed after the last success...
      [`kube_job_status_failed${job('29000100').replace('}', ', reason="BackoffLimitExceeded"}')}`]: '0x5 1x25',
      [`kube_job_status_start_time${job('29000100')}`]: '900x30',
      // ...and an older failure a later run made good.
      [`kube_job_status_failed${job('29000000').replace('}', ', reason="BackoffLimitExceeded"}')}`]: '1x30',
      [`kube_job_status_start_time${job('29000000')}`]: '300x30',
      // A Job of another CronJob whose name starts the same.
      [`kube_job_status_failed{namespace="${ns}", job_name="penpot-backup-check-29000100"}`]: '1x30',
      [`kube_job_status_start_time{namespace="${ns}", job_name="penpot-backup-check-29000100"}`]: '900x30',
    }, [
      { at: '3m', alert: 'PenpotBackupFailed', fires: [] },
      { at: '10m', alert: 'PenpotBackupFailed', fires: [{ severity: 'critical', namespace: ns, job_name: 'penpot-backup-29000100' }] },
    ]);
  });

  if (backup.spec.jobTemplate.spec.template.spec.initContainers) {
    test('an upload container that ended in error after the last success fires PenpotBackupUploadFailed; a completed one does not', () => {
      const pod = (p: string, c: string, reason: string) => `kube_pod_container_status_terminated_reason{namespace="${ns}", pod="${p}", container="${c}", reason="${reason}"}`;
      run('upload-failed', '1m', {
        [`kube_cronjob_status_last_successful_time${cj('penpot-backup')}`]: '600x30',
        [pod('penpot-backup-29000100-x7k2p', 'upload', 'Error')]: '0x5 1x25',
        [`kube_pod_start_time{namespace="${ns}", pod="penpot-backup-29000100-x7k2p"}`]: '900x30',
        [pod('penpot-backup-29000000-a1b2c', 'upload', 'Completed')]: '1x30',
        [`kube_pod_start_time{namespace="${ns}", pod="penpot-backup-29000000-a1b2c"}`]: '300x30',
      }, [
        { at: '3m', alert: 'PenpotBackupUploadFailed', fires: [] },
        { at: '10m', alert: 'PenpotBackupUploadFailed', fires: [{ severity: 'critical', namespace: ns, pod: 'penpot-backup-29000100-x7k2p', reason: 'Error' }] },
      ]);
    });
  }

  if (check) {
    test(`the repository check (schedule "${check.spec.schedule}") fires PenpotBackupCheckMissing past its gap plus the margin, and PenpotBackupCheckFailed on a failed run`, () => {
      const gapHours = longestCronGapSeconds(check.spec.schedule) / 3600;
      run('check-missing', '1h', {
        [`kube_cronjob_status_last_successful_time${cj(check.metadata.name)}`]: `0x${gapHours + 10}`,
        [`kube_cronjob_created${cj(check.metadata.name)}`]: `-864000x${gapHours + 10}`,
      }, [
        { at: `${gapHours}h`, alert: 'PenpotBackupCheckMissing', fires: [] },
        { at: `${gapHours + 2}h`, alert: 'PenpotBackupCheckMissing', fires: [{ severity: 'critical', namespace: ns }] },
      ], '1h');
      const job = `{namespace="${ns}", job_name="${check.metadata.name}-29000100"}`;
      run('check-failed', '1m', {
        [`kube_cronjob_status_last_successful_time${cj(check.metadata.name)}`]: '600x30',
        [`kube_job_status_failed${job}`]: '0x5 1x25',
        [`kube_job_status_start_time${job}`]: '900x30',
      }, [
        { at: '3m', alert: 'PenpotBackupCheckFailed', fires: [] },
        { at: '10m', alert: 'PenpotBackupCheckFailed', fires: [{ severity: 'critical', namespace: ns, job_name: `${check.metadata.name}-29000100` }] },
      ]);
    });
  }

  test('a volume at 85% fires PlatformVolumeFillingUp after 15 minutes, at 95% PlatformVolumeAlmostFull; 70% fires nothing', () => {
    const vol = (claim: string, m: string) => `${m}{namespace="${ns}", persistentvolumeclaim="${claim}"}`;
    const gi = 2 ** 30;
    run('volumes', '1m', {
      [vol('penpot-backups', 'kubelet_volume_stats_capacity_bytes')]: `${20 * gi}x40`,
      [vol('penpot-backups', 'kubelet_volume_stats_used_bytes')]: `${17 * gi}x40`,
      [vol('penpot-assets', 'kubelet_volume_stats_capacity_bytes')]: `${10 * gi}x40`,
      [vol('penpot-assets', 'kubelet_volume_stats_used_bytes')]: `${9.5 * gi}x40`,
      [vol('data-penpot-postgres-0', 'kubelet_volume_stats_capacity_bytes')]: `${5 * gi}x40`,
      [vol('data-penpot-postgres-0', 'kubelet_volume_stats_used_bytes')]: `${3.5 * gi}x40`,
      // A volume of a namespace outside the platform.
      [`kubelet_volume_stats_capacity_bytes{namespace="someone-else", persistentvolumeclaim="x"}`]: `${gi}x40`,
      [`kubelet_volume_stats_used_bytes{namespace="someone-else", persistentvolumeclaim="x"}`]: `${gi}x40`,
    }, [
      { at: '10m', alert: 'PlatformVolumeFillingUp', fires: [] },
      {
        at: '20m', alert: 'PlatformVolumeFillingUp', fires: [
          { severity: 'warning', namespace: ns, persistentvolumeclaim: 'penpot-assets', __percent: '95%' },
          { severity: 'warning', namespace: ns, persistentvolumeclaim: 'penpot-backups', __percent: '85%' },
        ],
      },
      { at: '3m', alert: 'PlatformVolumeAlmostFull', fires: [] },
      { at: '20m', alert: 'PlatformVolumeAlmostFull', fires: [{ severity: 'critical', namespace: ns, persistentvolumeclaim: 'penpot-assets', __percent: '95%' }] },
    ]);
  });

  test('each Penpot workload without a ready replica for 5 minutes fires its NotReady alert; one scaled to 0 on purpose does not', () => {
    const workloads = ['penpot-backend', 'penpot-frontend', 'penpot-exporter', 'penpot-valkey'].map((n) => ({ kind: 'Deployment', name: n }))
      .concat([{ kind: 'StatefulSet', name: 'penpot-postgres' }]);
    const series: Record<string, string> = {};
    const cases: { at: string; alert: string; fires: Record<string, string>[] }[] = [];
    for (const w of workloads) {
      expect(of(env, w.kind, w.name)).toBeDefined();
      const label = w.kind === 'Deployment' ? 'deployment' : 'statefulset';
      const [ready, spec] = w.kind === 'Deployment'
        ? ['kube_deployment_status_replicas_available', 'kube_deployment_spec_replicas'] : ['kube_statefulset_status_replicas_ready', 'kube_statefulset_replicas'];
      const sel = `{namespace="${ns}", ${label}="${w.name}"}`;
      series[`${ready}${sel}`] = '1 1 0x20';
      series[`${spec}${sel}`] = '1x22';
      const alert = `${w.name.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('')}NotReady`;
      cases.push({ at: '6m', alert, fires: [] }, { at: '8m', alert, fires: [{ severity: 'critical', namespace: ns, [label]: w.name }] });
    }
    run('not-ready', '1m', series, cases);
    // The restore runbook scales backend, frontend and exporter to 0: no page for that.
    run('scaled-down', '1m', {
      [`kube_deployment_status_replicas_available{namespace="${ns}", deployment="penpot-backend"}`]: '0x20',
      [`kube_deployment_spec_replicas{namespace="${ns}", deployment="penpot-backend"}`]: '0x20',
    }, [{ at: '15m', alert: 'PenpotBackendNotReady', fires: [] }]);
  });

  test('an exporter container restart fires PenpotExporterRestarting; a restart of another Deployment\'s pod does not', () => {
    const exporter = of(env, 'Deployment', 'penpot-exporter');
    const container = exporter.spec.template.spec.containers[0].name;
    run('exporter', '1m', {
      [`kube_pod_container_status_restarts_total{namespace="${ns}", pod="penpot-exporter-7d4b9c8f6d-x2x7k", container="${container}"}`]: '0x10 1x10',
      [`kube_pod_container_status_restarts_total{namespace="${ns}", pod="penpot-exporter-canary-6c9f8b7d5c-q9z8w", container="${container}"}`]: '0 1 2 3 4 5 6 7 8 9 10x10',
    }, [
      { at: '8m', alert: 'PenpotExporterRestarting', fires: [] },
      { at: '12m', alert: 'PenpotExporterRestarting', fires: [{ severity: 'warning', namespace: ns, pod: 'penpot-exporter-7d4b9c8f6d-x2x7k', container }] },
    ]);
  });

  const smoke = of(env, 'Job', 'penpot-smoke-check');
  if (smoke) {
    test('a failed post-sync smoke-check Job fires PenpotSmokeCheckFailed; a running one does not', () => {
      run('smoke', '1m', { [`kube_job_status_failed{namespace="${ns}", job_name="${smoke.metadata.name}"}`]: '0x3 1x5' }, [
        { at: '2m', alert: 'PenpotSmokeCheckFailed', fires: [] },
        { at: '5m', alert: 'PenpotSmokeCheckFailed', fires: [{ severity: 'warning', namespace: ns, job_name: smoke.metadata.name }] },
      ]);
    });
  }

  test('every alert of the rule has a firing and a non-firing test above', () => {
    expect([...tested].sort()).toEqual([...alertNames].sort());
    for (const r of rule.doc.spec.groups.flatMap((g: any) => g.rules)) expect(r.annotations.runbook).toEqual(expect.any(String));
  });
});
