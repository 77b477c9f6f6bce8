/**
 * CONNECT.md says, per endpoint, who its NetworkPolicy admits. This test reads that text from the committed
 * dist/ and checks it with the policy evaluator of lib/checks/network-eval.ts (both halves: the caller's
 * egress policy, when it has one, and the endpoint's ingress policy): every listed caller can connect to
 * the endpoint's MCP port, and nobody else can (a pod of every other namespace, a pod with the caller's labels
 * in another namespace, addresses outside the listed ranges). It also recounts the endpoints reachable from
 * outside their namespace without a credential, against the number CONNECT.md states.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDist } from '../lib/checks';
import { ManifestObject } from '../lib/checks/model';
import { PodTemplate, canConnect, cidrContains, podTemplates } from '../lib/checks/network-eval';
import { resolveEnvironments } from '../lib/config/resolve';
import { OPEN_ENDPOINTS_HEADING } from '../lib/connection-info';
import { mcpContainerPort, requiresCredential } from '../lib/endpoint-access';
import { ENVIRONMENTS } from '../lib/environments';
import { McpEndpoint, McpGateway } from '../lib/mcp-gateway';
import { buildEnvironment } from '../lib/platform';

const ROOT = path.resolve(__dirname, '..');
const dist = loadDist(ROOT);
const envs = resolveEnvironments(ENVIRONMENTS);

type Listed =
  | { kind: 'pods'; namespace: string; labels: Record<string, string> }
  | { kind: 'group'; namespaceLabels: Record<string, string>; labels: Record<string, string> }
  | { kind: 'cidr'; cidr: string };

const labelsOf = (text: string): Record<string, string> => Object.fromEntries(text.split(',').map((kv) => kv.split('=') as [string, string]));

/** One phrase of "Its NetworkPolicy admits: ..." back to a caller (the phrases of lib/endpoint-access.ts describeCaller). */
function parsePhrase(phrase: string): Listed {
  let m = /^addresses `([^`]+)`$/.exec(phrase);
  if (m) return { kind: 'cidr', cidr: m[1] };
  m = /^every pod of namespace `([^`]+)`$/.exec(phrase);
  if (m) return { kind: 'pods', namespace: m[1], labels: {} };
  m = /^pods `([^`]+)` of namespace `([^`]+)`( \(.*\))?$/.exec(phrase);
  if (m) return { kind: 'pods', namespace: m[2], labels: labelsOf(m[1]) };
  m = /^(every pod|pods `([^`]+)`) of namespaces labelled `([^`]+)`$/.exec(phrase);
  if (m) return { kind: 'group', namespaceLabels: labelsOf(m[3]), labels: m[2] ? labelsOf(m[2]) : {} };
  throw new Error(`CONNECT.md phrase not understood: ${phrase}`);
}

/** endpoint name -> callers, from the sections of CONNECT.md. */
function documentedCallers(connect: string): Map<string, Listed[]> {
  const out = new Map<string, Listed[]>();
  for (const section of connect.split(/^## /m).slice(1)) {
    const name = /^`([^`]+)`/.exec(section)?.[1];
    const line = /^Its NetworkPolicy admits: (.*)\.$/m.exec(section)?.[1];
    if (!name || line === undefined) continue;
    out.set(name, line.split('; ').map(parsePhrase));
  }
  return out;
}

const pod = (env: string, namespace: string, labels: Record<string, string>): PodTemplate => ({ env, namespace, owner: 'Pod/probe', labels, ports: [] });
/** First address of a CIDR, and one just outside it. */
const inside = (cidr: string): string => cidr.split('/')[0];

describe.each(envs.map((e) => [e.name, e] as const))('%s: CONNECT.md names exactly the callers the NetworkPolicies admit', (name) => {
  const env = envs.find((e) => e.name === name)!;
  const connect = fs.readFileSync(path.join(ROOT, 'dist', name, 'CONNECT.md'), 'utf8');
  const endpoints: McpEndpoint[] = McpGateway.endpointsIn(buildEnvironment(env).app);
  const documented = documentedCallers(connect);
  const groupNamespaces: ManifestObject[] = [...documented.values()].flat().filter((c): c is Extract<Listed, { kind: 'group' }> => c.kind === 'group')
    .map((c, i) => ({ file: '', env: name, doc: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `router-group-${i}`, labels: c.namespaceLabels } } }));
  const objects = [...dist.objects.filter((o) => o.env === name), ...groupNamespaces];
  const pods = podTemplates(objects);
  const namespaces = [...new Set([...objects.filter((o) => o.doc.kind === 'Namespace').map((o) => o.doc.metadata.name), 'default', 'kagent', 'agents', 'ingress-nginx'])];

  /** A source standing for a caller: the synthesized workload it names, else a pod with exactly its labels. */
  const sourceOf = (c: Listed): PodTemplate | { ip: string } => {
    if (c.kind === 'cidr') return { ip: inside(c.cidr) };
    if (c.kind === 'group') return pod(name, groupNamespaces.find((n) => JSON.stringify(n.doc.metadata.labels) === JSON.stringify(c.namespaceLabels))!.doc.metadata.name, c.labels);
    const real = Object.keys(c.labels).length > 0 ? pods.find((p) => p.namespace === c.namespace && Object.entries(c.labels).every(([k, v]) => p.labels[k] === v)) : undefined;
    return real ?? pod(name, c.namespace, c.labels);
  };

  test('every endpoint has its section with the callers', () => {
    for (const e of endpoints) expect(documented.has(e.name)).toBe(true);
  });

  test.each(endpoints.map((e) => [e.name, e] as const))('%s: every listed caller is admitted on the MCP port', (_n, e) => {
    const target = pods.find((p) => p.namespace === e.namespace && Object.entries(e.pods).every(([k, v]) => p.labels[k] === v))!;
    const port = mcpContainerPort(objects, e)!;
    expect(target).toBeDefined();
    for (const c of documented.get(e.name)!) expect({ caller: c, admitted: canConnect(objects, sourceOf(c), target, port) }).toEqual({ caller: c, admitted: true });
  });

  test.each(endpoints.map((e) => [e.name, e] as const))('%s: nobody else is admitted', (_n, e) => {
    const target = pods.find((p) => p.namespace === e.namespace && Object.entries(e.pods).every(([k, v]) => p.labels[k] === v))!;
    const port = mcpContainerPort(objects, e)!;
    const listed = documented.get(e.name)!;
    for (const ns of namespaces) {
      const groupOf = (c: Listed): string | undefined => (c.kind === 'group' ? (sourceOf(c) as PodTemplate).namespace : undefined);
      const wholeNamespace = listed.some((c) => Object.keys(c.kind === 'cidr' ? { x: 1 } : c.labels).length === 0
        && ((c.kind === 'pods' && c.namespace === ns) || groupOf(c) === ns));
      expect({ ns, admitted: canConnect(objects, pod(name, ns, { run: 'outsider' }), target, port) }).toEqual({ ns, admitted: wholeNamespace });
      // A listed caller's labels do not open the endpoint to the same labels elsewhere.
      for (const c of listed.filter((x): x is Extract<Listed, { kind: 'pods' }> => x.kind === 'pods' && x.namespace !== ns && Object.keys(x.labels).length > 0)) {
        const allowedHere = wholeNamespace;
        expect({ ns, labels: c.labels, admitted: canConnect(objects, pod(name, ns, c.labels), target, port) }).toEqual({ ns, labels: c.labels, admitted: allowedHere });
      }
    }
    const cidrs = listed.filter((c): c is Extract<Listed, { kind: 'cidr' }> => c.kind === 'cidr').map((c) => c.cidr);
    for (const ip of ['192.0.2.10', '203.0.113.7', '10.255.255.254']) {
      expect({ ip, admitted: canConnect(objects, { ip }, target, port) }).toEqual({ ip, admitted: cidrs.some((c) => cidrContains(c, ip)) });
    }
  });

  test('the count of endpoints open beyond their namespace is what CONNECT.md states', () => {
    const open = endpoints.filter((e) => !requiresCredential(e) && documented.get(e.name)!.some((c) => c.kind !== 'pods' || c.namespace !== e.namespace));
    const stated = new RegExp(`${OPEN_ENDPOINTS_HEADING.replace(/[()]/g, '\\$&')} \\*\\*(\\d+)\\*\\* \\(not acknowledged: \\*\\*(\\d+)\\*\\*\\)`).exec(connect);
    expect(stated).not.toBeNull();
    expect(Number(stated![1])).toBe(open.length);
    expect(Number(stated![2])).toBe(open.filter((e) => !e.unauthenticatedReason).length);
  });
});
