import { PodTemplate } from '../../lib/checks/network-eval';
import { resolveEnvironments } from '../../lib/config/resolve';
import { ENVIRONMENTS } from '../../lib/environments';

/** The pod template of `owner` (`Kind/name`) in an environment; fails the test when it is missing. */
export function podOf(pods: readonly PodTemplate[], env: string, owner: string): PodTemplate {
  const found = pods.find((p) => p.env === env && p.owner === owner);
  if (!found) throw new Error(`no ${owner} in ${env}`);
  return found;
}

let resolved: ReturnType<typeof resolveEnvironments> | undefined;

/**
 * A pod of the environment's ingress controller (ingress-nginx, k3s' Traefik, a Gateway's data
 * plane), as the cluster would run it: in the namespace and with the labels of
 * `network.ingressController` (an unknown environment, e.g. a test's own, gets ingress-nginx's).
 */
export function ingressControllerPod(env: string): PodTemplate {
  resolved ??= resolveEnvironments(ENVIRONMENTS);
  const location = resolved.find((e) => e.name === env)?.network.ingressController;
  if (location && 'namespace' in location) {
    return { env, namespace: location.namespace, owner: 'Deployment/ingress-controller', labels: { ...location.podLabels }, ports: [] };
  }
  return { env, namespace: 'ingress-nginx', owner: 'Deployment/ingress-nginx-controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [] };
}

/** A pod no policy names: a curl in the default namespace. */
export const outsiderPod = (env: string): PodTemplate => ({ env, namespace: 'default', owner: 'Pod/curl', labels: { run: 'curl' }, ports: [] });
