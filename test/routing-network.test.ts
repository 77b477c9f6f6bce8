/**
 * NetworkPolicies admit exactly the data-plane pods of each environment's controller at every
 * routed backend, on the routed port only: judged by the policy evaluator over the committed dist/.
 */
import * as path from 'node:path';
import { hostClaims, loadDist, ManifestObject } from '../lib/checks';
import { canConnect, PodTemplate, podTemplates } from '../lib/checks/network-eval';
import { K3S_TRAEFIK_PODS, INGRESS_NGINX_PODS, OPENSHIFT_ROUTER, gatewayDataPlanePods } from '../lib/config/cluster';
import { resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentConfig } from '../lib/config/types';
import { ENVIRONMENTS } from '../lib/environments';
import { routingOf } from '../lib/routing/routing';

const dist = loadDist(path.resolve(__dirname, '..'));
const envs = resolveEnvironments(ENVIRONMENTS);
const ROUTER_NAMESPACE = 'openshift-ingress';
// OpenShift's router namespace as the cluster labels it (not in dist/: the evaluator reads namespace labels from objects).
const objects: ManifestObject[] = [...dist.objects, ...envs.map((e) => ({
  file: 'cluster', env: e.name, doc: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ROUTER_NAMESPACE, labels: { ...OPENSHIFT_ROUTER.namespaceLabels } } },
}))];
const pods = podTemplates(dist.objects);

const podAt = (env: string, namespace: string, labels: Record<string, string>, owner: string): PodTemplate => ({ env, namespace, owner, labels, ports: [] });

/** A pod of every controller this project knows, as its cluster would run it. */
function controllerPods(env: EnvironmentConfig): { name: string; pod: PodTemplate }[] {
  const envoy = gatewayDataPlanePods({ name: 'platform', namespace: 'gateway', implementation: 'envoy-gateway' })!;
  return [
    { name: 'ingress-nginx', pod: podAt(env.name, INGRESS_NGINX_PODS.namespace, INGRESS_NGINX_PODS.podLabels, 'Deployment/ingress-nginx-controller') },
    { name: 'traefik', pod: podAt(env.name, K3S_TRAEFIK_PODS.namespace, { ...K3S_TRAEFIK_PODS.podLabels, 'app.kubernetes.io/instance': 'traefik-kube-system' }, 'Deployment/traefik') },
    { name: 'envoy-gateway', pod: podAt(env.name, envoy.namespace, envoy.podLabels, 'Deployment/envoy-gateway-platform') },
    { name: 'openshift-router', pod: podAt(env.name, ROUTER_NAMESPACE, { ingresscontroller: 'default' }, 'Deployment/router-default') },
  ];
}

/** Which of {@link controllerPods} is the environment's own controller. */
function ownController(env: EnvironmentConfig): string {
  const c = env.network.ingressController;
  if ('namespaceLabels' in c) return 'openshift-router';
  return c.namespace === 'ingress-nginx' ? 'ingress-nginx' : c.namespace === 'kube-system' ? 'traefik' : 'envoy-gateway';
}

/** The pods behind each routed host and the container port the route reaches on them. */
function routedBackends(env: string): { host: string; pod: PodTemplate; port: number }[] {
  return hostClaims(dist.objects).filter((c) => c.object.env === env).flatMap((c) => c.backends.map((b) => ({ c, b }))).flatMap(({ c, b }) => {
    const ns = c.object.doc.metadata.namespace;
    const svc = dist.objects.find((o) => o.env === env && o.doc.kind === 'Service' && o.doc.metadata.name === b.service && o.doc.metadata.namespace === ns)!;
    const selected = pods.filter((p) => p.env === env && p.namespace === ns && Object.entries(svc.doc.spec.selector).every(([k, v]) => p.labels[k] === v));
    const target = svc.doc.spec.ports[0].targetPort;
    return selected.map((pod) => ({ host: c.host, pod, port: typeof target === 'number' ? target : pod.ports.find((p) => p.name === target)!.containerPort }));
  });
}

const outsider = (env: string) => podAt(env, 'default', { run: 'curl' }, 'Pod/curl');

describe.each(envs.map((e) => [e.name, e] as const))('%s', (name, env) => {
  const backends = routedBackends(name);
  const own = ownController(env);

  test('the pods admitted are those of the controller the environment routes with', () => {
    const routing = routingOf(env);
    const expected = routing.controller === 'gateway-api' ? (routing.gateway?.implementation === 'traefik' ? 'traefik' : routing.gateway?.implementation)
      : routing.controller === 'openshift' ? 'openshift-router' : routing.controller;
    expect(own).toBe(expected);
  });

  test('the controller\'s pods reach every routed backend on its routed port', () => {
    const pod = controllerPods(env).find((c) => c.name === own)!.pod;
    for (const b of backends) expect({ host: b.host, to: b.pod.owner, allowed: canConnect(objects, pod, b.pod, b.port) }).toEqual({ host: b.host, to: b.pod.owner, allowed: true });
  });

  test('no other controller, and no other pod, reaches a routed backend', () => {
    const others = [...controllerPods(env).filter((c) => c.name !== own).map((c) => c.pod), outsider(name)];
    for (const b of backends) {
      for (const o of others) expect({ from: o.owner, to: b.pod.owner, allowed: canConnect(objects, o, b.pod, b.port) }).toEqual({ from: o.owner, to: b.pod.owner, allowed: false });
    }
  });

  test('the controller reaches no other port of the backend pods (e.g. Penpot MCP\'s REPL 4403)', () => {
    const pod = controllerPods(env).find((c) => c.name === own)!.pod;
    for (const b of backends) {
      for (const p of b.pod.ports.filter((p) => p.containerPort !== b.port && !backends.some((x) => x.pod === b.pod && x.port === p.containerPort))) {
        expect({ to: b.pod.owner, port: p.containerPort, allowed: canConnect(objects, pod, b.pod, p.containerPort) }).toEqual({ to: b.pod.owner, port: p.containerPort, allowed: false });
      }
    }
  });
});

test('every environment with routed hosts is judged (k0s-dev has none: NodePort only)', () => {
  expect(envs.filter((e) => routedBackends(e.name).length > 0).map((e) => e.name).sort()).toEqual(envs.map((e) => e.name).filter((n) => n !== 'k0s-dev').sort());
});
