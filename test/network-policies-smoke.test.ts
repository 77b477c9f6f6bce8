/**
 * The smoke check pods under default deny, evaluated by lib/checks/network-eval.ts: each may reach
 * exactly the pods behind its target URLs (resolved through the Services in dist/, as kube-proxy
 * would), nothing else, nothing reaches it, and adding it changes no other flow.
 */
import * as path from 'node:path';
import { ManifestObject, asArray, labelsMatch, loadDist, podLabelsOf } from '../lib/checks';
import { PodTemplate, Source, canConnect, canReachAddress, podTemplates, selectingPolicies } from '../lib/checks/network-eval';
import { ENVIRONMENTS } from '../lib/environments';
import { objectsOf } from './support/objects';
import { ingressControllerPod, outsiderPod } from './support/network';
import { appFolders, SMOKE_CHECKED_APPS } from './support/configured';

const dist = loadDist(path.resolve(__dirname, '..'));
const pods = podTemplates(dist.objects);
const smokePods = pods.filter((p) => p.labels['app.kubernetes.io/name'] === 'smoke-check');

interface Target { pod: PodTemplate; port: number; url: string }

/** The pods and container port a target URL lands on: Service `<name>.<namespace>` -> selected pods -> targetPort. */
function landingOf(env: string, url: string): Target[] {
  const u = new URL(url);
  const [name, namespace] = u.hostname.split('.');
  const port = Number(u.port || 80);
  const service = dist.objects.find((o) => o.env === env && o.doc.kind === 'Service' && o.doc.metadata.name === name && o.doc.metadata.namespace === namespace);
  // kMCP creates the Service of an MCPServer (same name, port = deployment.port) and its pods.
  const mcpServer = dist.objects.find((o) => o.env === env && o.doc.kind === 'MCPServer' && o.doc.metadata.name === name && o.doc.metadata.namespace === namespace);
  if (!service && mcpServer && mcpServer.doc.spec.deployment.port === port) {
    const pod = pods.find((p) => p.env === env && p.namespace === namespace && p.owner === `Deployment/${name}`);
    if (!pod) throw new Error(`${url}: no pods modelled for MCPServer ${name}`);
    return [{ pod, port, url }];
  }
  if (!service) throw new Error(`${url}: no Service ${namespace}/${name} in dist/${env}`);
  const sp = asArray(service.doc.spec.ports).find((p: any) => p.port === port);
  if (!sp) throw new Error(`${url}: Service ${name} has no port ${port}`);
  const selected = dist.objects.filter((o) => o.env === env && o.doc.metadata?.namespace === namespace && ['Deployment', 'StatefulSet'].includes(o.doc.kind)
    && labelsMatch(service.doc.spec.selector, podLabelsOf(o.doc)));
  if (selected.length === 0) throw new Error(`${url}: Service ${name} selects no pods`);
  return selected.map((o) => {
    const pod = pods.find((p) => p.env === env && p.owner === `${o.doc.kind}/${o.doc.metadata.name}`)!;
    const containerPort = typeof sp.targetPort === 'string' ? pod.ports.find((p) => p.name === sp.targetPort)?.containerPort : sp.targetPort;
    if (containerPort === undefined) throw new Error(`${url}: targetPort ${sp.targetPort} is not declared by ${pod.owner}`);
    return { pod, port: containerPort, url };
  });
}

function targetsOf(smoke: PodTemplate): Target[] {
  const job = dist.objects.find((o) => o.env === smoke.env && `${o.doc.kind}/${o.doc.metadata?.name}` === smoke.owner)!;
  const env = job.doc.spec.template.spec.containers[0].env.find((e: any) => e.name === 'SMOKE_TARGETS').value as string;
  return env.split('\n').flatMap((line) => landingOf(smoke.env, line.split(' ')[2]));
}

const controller = ingressControllerPod;
const outsider = outsiderPod;
/** The cluster DNS pods: CoreDNS on 53 in kube-system, or OpenShift's dns-default pods on 5353. */
const coredns = (env: string): PodTemplate => (env === 'openshift'
  ? { env, namespace: 'openshift-dns', owner: 'DaemonSet/dns-default', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }] }
  : { env, namespace: 'kube-system', owner: 'Deployment/coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] });

test('every smoke check Job has a pod template under the policies', () => {
  expect(smokePods.map((p) => `${p.env}/${p.owner}`).sort())
    .toEqual(appFolders((app, env) => env.smokeChecks.enabled && SMOKE_CHECKED_APPS.includes(app)).map((f) => `${f.split('/')[0]}/Job/${f.split('/')[1]}-smoke-check`).sort());
});

describe.each(smokePods.map((p) => [`${p.env}/${p.owner}`, p] as const))('%s', (_, smoke) => {
  const targets = targetsOf(smoke);

  test('reaches every pod behind each target URL on the port its Service targets', () => {
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) expect({ url: t.url, to: t.pod.owner, port: t.port, allowed: canConnect(dist.objects, smoke, t.pod, t.port) })
      .toEqual({ url: t.url, to: t.pod.owner, port: t.port, allowed: true });
  });

  test('reaches no other pod or port, and no address outside but DNS', () => {
    const allowed = new Set(targets.map((t) => `${t.pod.owner}:${t.port}`));
    // Its own egress policies alone, as if every other pod accepted anything: the egress half must be exact too.
    const egressOnly = dist.objects.filter((o) => o.doc.kind !== 'NetworkPolicy').concat(
      selectingPolicies(dist.objects, smoke, 'Egress').map((doc) => ({ file: 'egress-only', env: smoke.env, doc: { ...doc, spec: { ...doc.spec, policyTypes: ['Egress'] } } })));
    for (const objects of [dist.objects, egressOnly]) {
      const extra = pods.filter((p) => p.env === smoke.env && p !== smoke)
        .flatMap((p) => p.ports.map((port) => ({ p, port })))
        .filter(({ p, port }) => !allowed.has(`${p.owner}:${port.containerPort}`) && canConnect(objects, smoke, p, port.containerPort, port.protocol))
        .map(({ p, port }) => `${p.owner}:${port.containerPort}`);
      expect(extra).toEqual([]);
      expect(canConnect(objects, smoke, coredns(smoke.env), coredns(smoke.env).ports[0].containerPort, 'UDP')).toBe(true);
      for (const port of [80, 443, 6443]) expect(canReachAddress(objects, smoke, '1.1.1.1', port)).toBe(false);
    }
  });

  test('nothing can connect to it: no pod, no ingress controller, no address', () => {
    const sources: Source[] = [...pods.filter((p) => p.env === smoke.env && p !== smoke), controller(smoke.env), outsider(smoke.env), { ip: '10.8.0.5' }];
    expect(sources.filter((s) => canConnect(dist.objects, s, smoke, 8080)).map((s) => ('ip' in s ? s.ip : s.owner))).toEqual([]);
  });
});

/** Every (source, pod, port) that is allowed, for sources other than the smoke pods. */
function flowMatrix(objects: readonly ManifestObject[], env: string): string[] {
  const all = podTemplates(objects).filter((p) => p.labels['app.kubernetes.io/name'] !== 'smoke-check');
  const sources: Source[] = [...all, controller(env), outsider(env), { ip: '10.8.0.5' }, { ip: '192.168.1.10' }];
  const out: string[] = [];
  for (const s of sources) {
    for (const t of all) {
      for (const port of t.ports) {
        if (canConnect(objects, s, t, port.containerPort, port.protocol)) out.push(`${'ip' in s ? s.ip : s.owner} -> ${t.owner}:${port.containerPort}`);
      }
    }
  }
  return out.sort();
}

test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s: turning the smoke checks on adds no flow between any other pods or addresses', (name, input) => {
  const wrap = (docs: any[]): ManifestObject[] => docs.map((doc) => ({ file: `dist/${name}/x.yaml`, env: name, doc }));
  const on = wrap(objectsOf(input));
  const off = wrap(objectsOf({ ...input, smokeChecks: { enabled: false } }));
  expect(on.length).toBeGreaterThan(off.length);
  const before = flowMatrix(off, name);
  expect(before.length).toBeGreaterThan(0);
  expect(flowMatrix(on, name)).toEqual(before);
});
