/** Monitoring settings: optional PrometheusRule alerts for the platform's servers. */
import { IssueList, show } from './resolve';
import { isOpenShift } from './cluster';
import { isDnsSubdomain } from './rules';
import { EnvironmentConfig, EnvironmentInput, MonitoringConfig } from './types';

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A Kubernetes label key: optional DNS-subdomain prefix and a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  return LABEL_NAME.test(name) && (prefix === undefined || isDnsSubdomain(prefix));
}

export function isLabelValue(value: string): boolean {
  return value === '' || LABEL_NAME.test(value);
}

export function applyMonitoringDefaults(input: EnvironmentInput): MonitoringConfig {
  const rules = input.monitoring?.prometheusRules;
  const given = input.monitoring?.prometheus;
  const prometheus = {
    namespace: given?.namespace ?? (input.cluster?.platform === 'openshift' ? 'openshift-user-workload-monitoring' : 'monitoring'),
    podLabels: { ...(given?.podLabels ?? { 'app.kubernetes.io/name': 'prometheus' }) } as Record<string, string>,
  };
  return rules ? {
    prometheus,
    prometheusRules: {
      labels: { ...rules.labels } as Record<string, string>,
      backupMarginMinutes: rules.backupMarginMinutes ?? 60,
      volumeThresholds: { warning: rules.volumeThresholds?.warning ?? 0.8, critical: rules.volumeThresholds?.critical ?? 0.9 },
    },
  } : { prometheus };
}

export function validateMonitoring(list: IssueList, env: EnvironmentConfig): void {
  const p = env.monitoring.prometheus;
  list.check(isDnsSubdomain(p.namespace) && !p.namespace.includes('.'), 'monitoring.prometheus.namespace',
    `${show(p.namespace)} is not a namespace name; allowed: a DNS-1123 label such as monitoring`);
  const rules = env.monitoring.prometheusRules;
  if (!rules) return;
  for (const [key, value] of Object.entries(rules.labels)) {
    const field = `monitoring.prometheusRules.labels[${show(key)}]`;
    list.check(isLabelKey(key), field, `${show(key)} is not a label key; allowed: [prefix/]name, name up to 63 characters`);
    list.check(typeof value === 'string' && isLabelValue(value), field,
      `${show(value)} is not a label value; allowed: up to 63 letters, digits, '-', '_' or '.'`);
  }
  list.check(env.kubernetesMcp.enabled || env.llamaStack.enabled || env.penpot.enabled, 'monitoring.prometheusRules',
    'alerts are only written for Penpot, the Kubernetes MCP server and Llama Stack, and none is enabled; allowed: enable one, or remove prometheusRules');
  // OpenShift's user-workload monitoring reads every PrometheusRule; kube-prometheus-stack's ruleSelector matches its release label.
  list.check(isOpenShift(env) || Object.keys(rules.labels).length > 0, 'monitoring.prometheusRules.labels',
    'is empty: kube-prometheus-stack (and most Prometheus installs) select rules by label, so these alerts would never load; '
    + "allowed: the labels of your Prometheus' ruleSelector, e.g. { release: 'kube-prometheus-stack' }");
  list.check(Number.isInteger(rules.backupMarginMinutes) && rules.backupMarginMinutes >= 1, 'monitoring.prometheusRules.backupMarginMinutes',
    `${show(rules.backupMarginMinutes)} is not allowed; allowed: an integer >= 1 (minutes)`);
  const { warning, critical } = rules.volumeThresholds;
  list.check(typeof warning === 'number' && warning > 0 && warning < 1, 'monitoring.prometheusRules.volumeThresholds.warning',
    `${show(warning)} is not allowed; allowed: a share between 0 and 1, e.g. 0.8`);
  list.check(typeof critical === 'number' && critical > 0 && critical < 1 && critical > warning, 'monitoring.prometheusRules.volumeThresholds.critical',
    `${show(critical)} is not allowed; allowed: a share between 0 and 1 above the warning share (${show(warning)}), e.g. 0.9`);
}
