import * as path from 'node:path';
import { loadDist } from '../lib/checks';
import { PodTemplate, canConnect, canReachAddress, podTemplates, selectingPolicies } from '../lib/checks/network-eval';
import { loadObjectsFromYaml } from '../lib/checks/load';
import { ingressControllerPod, outsiderPod, podOf } from './support/network';
import { environmentNames } from './support/configured';

const dist = loadDist(path.resolve(__dirname, '..'));
const pods = podTemplates(dist.objects);
const pod = (env: string, owner: string): PodTemplate => podOf(pods, env, owner);
const controller = ingressControllerPod;
const outsider = outsiderPod;

describe('NetworkPolicy coverage of dist/', () => {
  test('100% of pod templates are selected by policies for ingress and egress', () => {
    expect(pods.length).toBeGreaterThan(10);
    const uncovered = pods.filter((p) => selectingPolicies(dist.objects, p, 'Ingress').length === 0 || selectingPolicies(dist.objects, p, 'Egress').length === 0);
    expect(uncovered.map((p) => `${p.env}/${p.owner}`)).toEqual([]);
  });
});

describe.each(environmentNames((e) => e.penpot.enabled && e.penpot.mcp.enabled))('Penpot flows in %s', (env) => {
  const frontend = pod(env, 'Deployment/penpot-frontend');
  const backend = pod(env, 'Deployment/penpot-backend');
  const exporter = pod(env, 'Deployment/penpot-exporter');
  const mcp = pod(env, 'Deployment/penpot-mcp');
  const postgres = pod(env, 'StatefulSet/penpot-postgres');
  const valkey = pod(env, 'Deployment/penpot-valkey');

  test('the frontend reaches the backend on 6060, the exporter on 6061 and MCP on 4401/4402', () => {
    expect(canConnect(dist.objects, frontend, backend, 6060)).toBe(true);
    expect(canConnect(dist.objects, frontend, exporter, 6061)).toBe(true);
    expect(canConnect(dist.objects, frontend, mcp, 4401)).toBe(true);
    expect(canConnect(dist.objects, frontend, mcp, 4402)).toBe(true);
  });

  test('the ingress controller reaches the frontend on 8080, other pods do not', () => {
    expect(canConnect(dist.objects, controller(env), frontend, 8080)).toBe(true);
    expect(canConnect(dist.objects, outsider(env), frontend, 8080)).toBe(false);
    expect(canConnect(dist.objects, controller(env), backend, 6060)).toBe(false);
  });

  test('the exporter reaches the frontend; the backend reaches PostgreSQL and Valkey', () => {
    expect(canConnect(dist.objects, exporter, frontend, 8080)).toBe(true);
    expect(canConnect(dist.objects, backend, postgres, 5432)).toBe(true);
    expect(canConnect(dist.objects, backend, valkey, 6379)).toBe(true);
  });

  test('nothing reaches PostgreSQL but the backend', () => {
    for (const p of [frontend, exporter, mcp, valkey]) expect(canConnect(dist.objects, p, postgres, 5432)).toBe(false);
  });

  test('nothing can reach the MCP REPL port 4403: no pod, no controller, no address', () => {
    const sources = [...pods.filter((p) => p.env === env), controller(env), outsider(env)];
    for (const source of sources) expect({ source: source.owner, allowed: canConnect(dist.objects, source, mcp, 4403) }).toEqual({ source: source.owner, allowed: false });
    for (const ip of ['10.8.0.5', '192.168.1.10', '8.8.8.8']) expect(canConnect(dist.objects, { ip }, mcp, 4403)).toBe(false);
  });

  test('every pod may query cluster DNS and nothing else outside by default', () => {
    const dns: PodTemplate = { env, namespace: 'kube-system', owner: 'Deployment/coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] };
    for (const p of [frontend, backend, exporter, mcp, postgres, valkey]) {
      expect(canConnect(dist.objects, p, dns, 53, 'UDP')).toBe(true);
      expect(canReachAddress(dist.objects, p, '1.1.1.1', 80)).toBe(false);
    }
  });
});

describe('Kubernetes MCP server flows', () => {
  test('it reaches the API server and nothing reaches it from unlisted namespaces', () => {
    const server = pod('homelab', 'Deployment/kubernetes-mcp-server');
    expect(canReachAddress(dist.objects, server, '10.43.0.1', 443)).toBe(true);
    expect(canReachAddress(dist.objects, server, '10.43.0.1', 80)).toBe(false);
    expect(canConnect(dist.objects, outsider('homelab'), server, 8080)).toBe(false);
  });

  test('on k0s-dev the VPN range reaches the NodePort-exposed server, other addresses do not', () => {
    const server = pod('k0s-dev', 'Deployment/kubernetes-mcp-server');
    expect(canConnect(dist.objects, { ip: '10.8.0.7' }, server, 8080)).toBe(true);
    expect(canConnect(dist.objects, { ip: '192.168.1.7' }, server, 8080)).toBe(false);
  });
});

describe('the evaluator', () => {
  const yaml = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: app}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {app: client}}}]
      ports: [{port: http}]
`;
  const objects = loadObjectsFromYaml(yaml, 'dist/t/app/x.yaml', 't', 'app');
  const web: PodTemplate = { env: 't', namespace: 'app', owner: 'Deployment/web', labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] };
  const client: PodTemplate = { env: 't', namespace: 'app', owner: 'Deployment/client', labels: { app: 'client' }, ports: [] };

  test('resolves named ports on the target and honours pod selectors', () => {
    expect(canConnect(objects, client, web, 8080)).toBe(true);
    expect(canConnect(objects, client, web, 9090)).toBe(false);
    expect(canConnect(objects, { ...client, labels: { app: 'other' } }, web, 8080)).toBe(false);
  });

  test('a podSelector without namespaceSelector only matches the policy namespace', () => {
    expect(canConnect(objects, { ...client, namespace: 'elsewhere' }, web, 8080)).toBe(false);
  });

  test('a pod no policy selects is open', () => {
    expect(canConnect(objects, web, client, 1234)).toBe(true);
  });
});
