/** NetworkPolicy flows of Llama Stack in dist/, evaluated by the small policy evaluator. */
import * as path from 'node:path';
import { loadDist } from '../lib/checks';
import { PodTemplate, canConnect, canReachAddress, podTemplates } from '../lib/checks/network-eval';
import { ingressControllerPod, outsiderPod, podOf } from './support/network';

const dist = loadDist(path.resolve(__dirname, '..'));
const pods = podTemplates(dist.objects);
const pod = (env: string, owner: string): PodTemplate => podOf(pods, env, owner);
const ENV = 'example';
const llama = pod(ENV, 'Deployment/llama-stack');
/** With auth on (the default here), Llama Stack calls its own in-cluster instance of the server (issue 11). */
const mcp = pod(ENV, 'Deployment/kubernetes-mcp-server-llama-stack');
const protectedMcp = pod(ENV, 'Deployment/kubernetes-mcp-server');
const controller = ingressControllerPod(ENV);
const agent: PodTemplate = { env: ENV, namespace: 'agents', owner: 'Deployment/agent', labels: { app: 'agent' }, ports: [] };
const outsider = outsiderPod(ENV);
/** Another pod in the MCP server's namespace, listening on other ports. */
const mcpNeighbour: PodTemplate = { env: ENV, namespace: 'mcp-system', owner: 'Deployment/other', labels: { app: 'other' }, ports: [{ name: 'http', containerPort: 9090, protocol: 'TCP' }] };

describe('Llama Stack flows in example', () => {
  test('it reaches the Kubernetes MCP server on its MCP port 8080', () => {
    expect(canConnect(dist.objects, llama, mcp, 8080)).toBe(true);
  });

  test('it does not reach the token-protected server, only its own instance', () => {
    expect(canConnect(dist.objects, llama, protectedMcp, 8080)).toBe(false);
  });

  test('it reaches no other port of the MCP server and no other pod of its namespace', () => {
    for (const port of [80, 443, 8081, 8443, 9090]) expect({ port, allowed: canConnect(dist.objects, llama, mcp, port) }).toEqual({ port, allowed: false });
    expect(canConnect(dist.objects, llama, mcpNeighbour, 9090)).toBe(false);
    expect(canConnect(dist.objects, llama, mcpNeighbour, 8080)).toBe(false);
  });

  test('a pod of another namespace with the same labels does not pass as Llama Stack', () => {
    expect(canConnect(dist.objects, { ...llama, namespace: 'default', owner: 'Deployment/impostor' }, mcp, 8080)).toBe(false);
  });

  test('it reaches the inference server on the URL port inside the configured CIDR only', () => {
    expect(canReachAddress(dist.objects, llama, '10.20.0.15', 8000)).toBe(true);
    expect(canReachAddress(dist.objects, llama, '10.20.0.15', 22)).toBe(false);
    expect(canReachAddress(dist.objects, llama, '10.30.0.15', 8000)).toBe(false);
    expect(canReachAddress(dist.objects, llama, '1.1.1.1', 8000)).toBe(false);
  });

  test('it reaches the API server on network.apiServer ports (the kubernetes auth provider posts SelfSubjectReviews) and nothing else outside', () => {
    for (const port of [443, 6443]) expect(canReachAddress(dist.objects, llama, '10.0.0.1', port)).toBe(true);
    for (const port of [22, 80, 5432, 8080]) expect({ port, allowed: canReachAddress(dist.objects, llama, '1.1.1.1', port) }).toEqual({ port, allowed: false });
  });

  test('it reaches its bundled PostgreSQL on 5432, which admits nothing else', () => {
    const pg = pod(ENV, 'StatefulSet/llama-stack-postgres');
    expect(canConnect(dist.objects, llama, pg, 5432)).toBe(true);
    for (const other of [mcp, controller, agent, outsider]) {
      expect({ from: other.owner, allowed: canConnect(dist.objects, other, pg, 5432) }).toEqual({ from: other.owner, allowed: false });
    }
    expect(canConnect(dist.objects, llama, pg, 8080)).toBe(false);
  });

  test('it queries cluster DNS', () => {
    const dns: PodTemplate = { env: ENV, namespace: 'kube-system', owner: 'Deployment/coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] };
    expect(canConnect(dist.objects, llama, dns, 53, 'UDP')).toBe(true);
  });

  test('the ingress controller and the listed client namespace reach its API on 8321; other pods do not', () => {
    expect(canConnect(dist.objects, controller, llama, 8321)).toBe(true);
    expect(canConnect(dist.objects, agent, llama, 8321)).toBe(true);
    expect(canConnect(dist.objects, outsider, llama, 8321)).toBe(false);
    expect(canConnect(dist.objects, mcp, llama, 8321)).toBe(false);
  });

});

describe('the Llama Stack -> MCP flow needs both halves', () => {
  /** dist/ without the rules that mention the Llama Stack namespace in one of the two policies. */
  const without = (policyNamespace: string) => dist.objects.map((o) => {
    if (o.doc.kind !== 'NetworkPolicy' || o.doc.metadata.namespace !== policyNamespace) return o;
    const doc = structuredClone(o.doc);
    const mentions = (peer: any) => JSON.stringify(peer).includes(policyNamespace === 'mcp-system' ? 'llama-stack' : 'mcp-system');
    doc.spec.ingress = doc.spec.ingress?.filter((r: any) => !(r.from ?? []).some(mentions));
    doc.spec.egress = doc.spec.egress?.filter((r: any) => !(r.to ?? []).some(mentions));
    return { ...o, doc };
  });

  test('the MCP chart admits Llama Stack: without its ingress rule the flow is refused', () => {
    expect(canConnect(without('mcp-system'), llama, mcp, 8080)).toBe(false);
  });

  test('the Llama Stack chart lets it out: without its egress rule the flow is refused', () => {
    expect(canConnect(without('llama-stack'), llama, mcp, 8080)).toBe(false);
  });
});
