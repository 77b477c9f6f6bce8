import { applyDefaults, resolveEnvironments } from '../lib/config/resolve';
import { ENVIRONMENTS } from '../lib/environments';
import { expectIssue } from './support/config-issues';
import { minimalEnv } from './support/environments';

describe('operations.kubeContext', () => {
  test('defaults to k3s\' context name, default', () => {
    expect(applyDefaults(minimalEnv()).operations).toEqual({ kubeContext: 'default' });
  });

  // The contexts the shipped environments' clusters name themselves (k3s default, k0s Default, kubeadm, oc login).
  const SHIPPED: Record<string, string> = {
    'homelab': 'default', 'k3s': 'default', 'k0s-dev': 'Default', 'example': 'kubernetes-admin@kubernetes', 'openshift': 'default/api-ocp-example-internal:6443/kube:admin',
  };
  test.each(resolveEnvironments(ENVIRONMENTS).filter((e) => e.name in SHIPPED).map((e) => [e.name, e] as const))(
    'environment %s names its cluster\'s context', (name, env) => {
      expect(env.operations.kubeContext).toBe(SHIPPED[name]);
    });

  test('accepts OpenShift-style names with / and :', () => {
    expect(() => resolveEnvironments([minimalEnv({ operations: { kubeContext: 'default/api-ocp-example-internal:6443/kube:admin' } })])).not.toThrow();
  });

  test.each([[''], ['my cluster'], ['ctx\n']])('refuses %j, naming the field', (kubeContext) => {
    expectIssue([minimalEnv({ operations: { kubeContext } })], 'environments.test.operations.kubeContext', /is not a kubeconfig context name; allowed: .*no spaces/);
  });
});
