/**
 * Defaults and validation of `operations` (see {@link OperationsConfig}): what the operations
 * scripts need to reach an environment's cluster.
 */
import type { ConfigIssue } from './resolve';
import { EnvironmentConfig, EnvironmentInput, OperationsConfig } from './types';

/**
 * k3s writes its kubeconfig (/etc/rancher/k3s/k3s.yaml) with one context named `default`.
 * k0s' admin kubeconfig names it `Default` (k0sproject/k0s pkg/component/controller/certificates.go).
 */
export const DEFAULT_KUBE_CONTEXT = 'default';

export function applyOperationsDefaults(input: EnvironmentInput): OperationsConfig {
  return { kubeContext: input.operations?.kubeContext ?? DEFAULT_KUBE_CONTEXT };
}

export function validateOperations(env: EnvironmentConfig, issues: ConfigIssue[]): void {
  const context: unknown = env.operations.kubeContext;
  // kubeconfig allows almost any context name (OpenShift's contain '/' and ':'), but never an empty
  // one, and a name with blanks or control characters is a copy-paste accident.
  if (typeof context !== 'string' || context.length === 0 || context.length > 253 || /[\s\p{Cc}]/u.test(context)) {
    issues.push({
      field: `environments.${env.name}.operations.kubeContext`,
      problem: `${JSON.stringify(context)} is not a kubeconfig context name; allowed: a name listed by `
        + '`kubectl config get-contexts -o name` (1-253 characters, no spaces), e.g. default (k3s) or Default (k0s)',
    });
  }
}
