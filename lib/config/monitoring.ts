/** Monitoring settings: optional PrometheusRule alerts for the platform's servers. */
import { IssueList, show } from './resolve';
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
  return rules ? { prometheusRules: { labels: { ...rules.labels } as Record<string, string> } } : {};
}

export function validateMonitoring(list: IssueList, env: EnvironmentConfig): void {
  const rules = env.monitoring.prometheusRules;
  if (!rules) return;
  for (const [key, value] of Object.entries(rules.labels)) {
    const field = `monitoring.prometheusRules.labels[${show(key)}]`;
    list.check(isLabelKey(key), field, `${show(key)} is not a label key; allowed: [prefix/]name, name up to 63 characters`);
    list.check(typeof value === 'string' && isLabelValue(value), field,
      `${show(value)} is not a label value; allowed: up to 63 letters, digits, '-', '_' or '.'`);
  }
  list.check(env.kubernetesMcp.enabled || env.llamaStack.enabled, 'monitoring.prometheusRules',
    'alerts are only written for the Kubernetes MCP server and Llama Stack, and neither is enabled; allowed: enable one, or remove prometheusRules');
}
