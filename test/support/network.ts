import { PodTemplate } from '../../lib/checks/network-eval';

/** The pod template of `owner` (`Kind/name`) in an environment; fails the test when it is missing. */
export function podOf(pods: readonly PodTemplate[], env: string, owner: string): PodTemplate {
  const found = pods.find((p) => p.env === env && p.owner === owner);
  if (!found) throw new Error(`no ${owner} in ${env}`);
  return found;
}

/** A pod of the ingress controller, as the cluster would run it. */
export const ingressControllerPod = (env: string): PodTemplate => ({
  env, namespace: 'ingress-nginx', owner: 'Deployment/ingress-nginx-controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [],
});

/** A pod no policy names: a curl in the default namespace. */
export const outsiderPod = (env: string): PodTemplate => ({ env, namespace: 'default', owner: 'Pod/curl', labels: { run: 'curl' }, ports: [] });
