import { applyDefaults, resolveEnvironments } from '../lib/config/resolve';
import { ENVIRONMENTS } from '../lib/environments';
import { expectIssue } from './support/config-issues';
import { minimalEnv } from './support/environments';

describe('operations.kubeContext', () => {
  test('defaults to k3s\' context name, default', () => {
    expect(applyDefaults(minimalEnv()).operations).toEqual({ kubeContext: 'default' });
  });

  test('each environment names its cluster\'s context (k3s default, k0s Default)', () => {
    const contexts = Object.fromEntries(resolveEnvironments(ENVIRONMENTS).map((e) => [e.name, e.operations.kubeContext]));
    expect(contexts).toEqual({
      'homelab': 'default', 'k3s': 'default', 'k0s-dev': 'Default', 'example': 'kubernetes-admin@kubernetes', 'openshift': 'default/api-ocp-example-internal:6443/kube:admin',
    });
  });

  test('accepts OpenShift-style names with / and :', () => {
    expect(() => resolveEnvironments([minimalEnv({ operations: { kubeContext: 'default/api-ocp-example-internal:6443/kube:admin' } })])).not.toThrow();
  });

  test.each([[''], ['my cluster'], ['ctx\n']])('refuses %j, naming the field', (kubeContext) => {
    expectIssue([minimalEnv({ operations: { kubeContext } })], 'environments.test.operations.kubeContext', /is not a kubeconfig context name; allowed: .*no spaces/);
  });
});
