/**
 * `penpot.export` in the synthesized manifests: config rules, objects and wiring, the NetworkPolicy
 * evaluator's verdict on the flows (lib/checks/network-eval.ts), the bundle against the ConfigMap
 * limit, and the PostSync self-test option.
 */
import { PodTemplate, canConnect, podTemplates } from '../lib/checks/network-eval';
import { resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { CONFIGMAP_LIMIT_BYTES } from '../lib/penpot/export/bundle';
import { DEFAULT_EXPORT_IMAGE } from '../lib/penpot/export/config';
import { expectIssue, issuesOf } from './support/config-issues';
import { minimalEnv } from './support/environments';
import { outsiderPod, podOf } from './support/network';
import { homelab } from '../lib/environments/homelab';
import { synthesizedDist } from './support/synthesized-dist';

/** homelab with the export server on, synthesized exactly as `npm run synth` would (homelab now enables it; kept explicit so the tests do not depend on that choice). */
const WITH_EXPORT = { ...homelab, penpot: { ...homelab.penpot, export: { enabled: true, accountSecretName: 'penpot-export-account', clientNamespaces: ['kagent'] } } } as EnvironmentInput;

const synthesized = synthesizedDist(WITH_EXPORT);
const committed = synthesized.dist;
const withExport = resolveEnvironments([WITH_EXPORT]);
const exportEnv = (over: Record<string, unknown> = {}): EnvironmentInput => minimalEnv({
  penpot: { export: { enabled: true, accountSecretName: 'penpot-export-account', ...over } } as EnvironmentInput['penpot'],
});

describe('config: penpot.export', () => {
  test('off by default', () => {
    expect(resolveEnvironments([minimalEnv()])[0].penpot.export.enabled).toBe(false);
  });

  test('defaults: pinned Node image, one replica, callers = network.mcpClientNamespaces', () => {
    const env = resolveEnvironments([{ ...exportEnv(), network: { mcpClientNamespaces: ['agents'] } } as EnvironmentInput])[0];
    expect(env.penpot.export).toMatchObject({ image: DEFAULT_EXPORT_IMAGE, replicas: 1, clientNamespaces: ['agents'], clientCidrs: [], smokeTest: false });
  });

  test('enabled without Penpot is refused', () => {
    const issues = issuesOf(minimalEnv({ penpot: { enabled: false, export: { enabled: true, accountSecretName: 'x' } } as EnvironmentInput['penpot'] }));
    expect(issues.some((i) => i.field.includes('penpot.export'))).toBe(true);
  });

  test('enabled without the account Secret is refused, naming the field', () => {
    expectIssue([minimalEnv({ penpot: { export: { enabled: true } } as EnvironmentInput['penpot'] })], 'environments.test.penpot.export.accountSecretName', /PENPOT_EXPORT_EMAIL/);
  });

  test('a moving image tag, a bad namespace and a CIDR with host bits are refused', () => {
    expectIssue([exportEnv({ image: 'docker.io/library/node:latest' })], 'environments.test.penpot.export.image', /latest/);
    expectIssue([exportEnv({ clientNamespaces: ['Agents'] })], 'environments.test.penpot.export.clientNamespaces[0]', /DNS-1123/);
    expectIssue([exportEnv({ clientCidrs: ['10.8.0.1/24'] })], 'environments.test.penpot.export.clientCidrs[0]', /CIDR/);
  });

  test('unknown keys and wrong types are refused by the schema', () => {
    expect(issuesOf(exportEnv({ scale: 2 })).some((i) => i.field.includes('penpot.export'))).toBe(true);
    expect(issuesOf(exportEnv({ smokeTest: 'yes' })).some((i) => i.field.includes('penpot.export.smokeTest'))).toBe(true);
  });
});

describe.each(withExport.map((e) => [e.name, e] as const))('%s: the export server in dist/', (name, env) => {
  const objects = committed.objects.filter((o) => o.env === name);
  const pods = podTemplates(committed.objects);
  const ns = env.penpot.namespace;
  const exportPod = podOf(pods, name, 'Deployment/penpot-export');
  const frontend = podOf(pods, name, 'Deployment/penpot-frontend');
  const backend = podOf(pods, name, 'Deployment/penpot-backend');
  const exporter = podOf(pods, name, 'Deployment/penpot-exporter');
  const callerIn = (namespace: string): PodTemplate => ({ env: name, namespace, owner: 'Pod/agent', labels: { app: 'agent' }, ports: [] });
  const find = (kind: string, n: string) => objects.find((o) => o.doc.kind === kind && o.doc.metadata.name === n)?.doc;

  test('the bundle ConfigMap fits the 1 MiB limit, is applied server-side, and its hash rolls the pods', () => {
    const cm = find('ConfigMap', 'penpot-export-server');
    const bytes = Buffer.byteLength(cm.data['server.js']);
    expect(bytes).toBeLessThan(CONFIGMAP_LIMIT_BYTES * 0.8);
    expect(cm.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('ServerSideApply=true');
    const { createHash } = require('node:crypto');
    const deployment = find('Deployment', 'penpot-export');
    expect(deployment.spec.template.metadata.annotations['checksum/server']).toBe(createHash('sha256').update(cm.data['server.js']).digest('hex'));
  });

  test('runs the pinned image through images.mirrors, restricted, with its Secrets by reference', () => {
    const pod = find('Deployment', 'penpot-export').spec.template.spec;
    const c = pod.containers[0];
    const mirror = env.images.mirrors['docker.io'];
    expect(c.image).toBe(mirror ? `${mirror}/library/${env.penpot.export.image.split('/library/')[1]}` : env.penpot.export.image);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const refs = c.env.filter((e: any) => e.valueFrom).map((e: any) => `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
    expect(refs.sort()).toEqual([`${env.penpot.export.accountSecretName}/PENPOT_EXPORT_EMAIL`, `${env.penpot.export.accountSecretName}/PENPOT_EXPORT_PASSWORD`, 'penpot-export-mcp-token/PENPOT_EXPORT_MCP_TOKEN'].sort());
    expect(c.resources.limits).toBeDefined();
    expect(c.readinessProbe.httpGet.path).toBe('/healthz');
  });

  test('the secrets contract lists the account (operator values) and the token (random)', () => {
    const contract = JSON.parse(synthesized.read(`${name}/secrets.json`));
    const account = contract.secrets.find((s: any) => s.name === env.penpot.export.accountSecretName);
    expect(account.keys.map((k: any) => [k.key, k.source])).toEqual([['PENPOT_EXPORT_EMAIL', 'operator'], ['PENPOT_EXPORT_PASSWORD', 'operator']]);
    expect(contract.secrets.find((s: any) => s.name === 'penpot-export-mcp-token').keys[0].source).toBe('random');
  });

  test('CONNECT.md and the client configs include the endpoint', () => {
    const read = (f: string) => synthesized.read(`${name}/${f}`);
    expect(read('CONNECT.md')).toContain(`http://penpot-export.${ns}:8080/mcp`);
    // In-cluster only (ClusterIP): its client entry names the token variable, never a value.
    const entry = JSON.parse(read('mcp-clients/in-cluster-only.json')).mcpServers['penpot-export'];
    expect(entry).toEqual({ type: 'http', url: `http://penpot-export.${ns}:8080/mcp`, headers: { Authorization: 'Bearer ${PENPOT_EXPORT_TOKEN}' } });
    expect(read('CONNECT.md')).toContain(`export PENPOT_EXPORT_TOKEN="$(kubectl -n ${ns} get secret penpot-export-mcp-token -o jsonpath='{.data.PENPOT_EXPORT_MCP_TOKEN}' | base64 -d)"`);
  });

  test('callers (configured agent namespaces) reach the export server; an outsider does not', () => {
    for (const namespace of env.penpot.export.clientNamespaces) expect(canConnect(objects, callerIn(namespace), exportPod, 8080)).toBe(true);
    expect(canConnect(objects, outsiderPod(name), exportPod, 8080)).toBe(false);
  });

  test('the export server reaches the frontend only (not the backend, not the exporter)', () => {
    expect(canConnect(objects, exportPod, frontend, 8080)).toBe(true);
    expect(canConnect(objects, exportPod, backend, 6060)).toBe(false);
    expect(canConnect(objects, exportPod, exporter, 6061)).toBe(false);
  });

  test('nothing outside the Penpot namespace reaches the exporter on 6061', () => {
    const outside = [outsiderPod(name), ...env.penpot.export.clientNamespaces.map(callerIn), callerIn('kube-system')].filter((p) => p.namespace !== ns);
    for (const pod of outside) expect(canConnect(objects, pod, exporter, 6061)).toBe(false);
  });
});

describe('penpot.export.smokeTest', () => {
  const { dist } = synthesizedDist({ ...exportEnv({ smokeTest: true }), name: 'smoke' } as EnvironmentInput);
  const job = dist.objects.find((o) => o.doc.kind === 'Job' && o.doc.metadata.name === 'penpot-export-self-test')!.doc;

  test('a PostSync hook Job runs the bundle\'s --self-test as the service account', () => {
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('PostSync');
    const c = job.spec.template.spec.containers[0];
    expect(c.command).toEqual(['node', '/opt/penpot-export/server.js', '--self-test']);
    expect(c.env.map((e: any) => e.name).sort()).toEqual(['PENPOT_EXPORT_EMAIL', 'PENPOT_EXPORT_PASSWORD', 'PENPOT_URL']);
    expect(job.spec.template.spec.volumes[0].configMap.name).toBe('penpot-export-server');
  });

  test('its pod may reach the frontend', () => {
    const pods = podTemplates(dist.objects);
    const self = pods.find((p) => p.owner === 'Job/penpot-export-self-test')!;
    const frontend = pods.find((p) => p.owner === 'Deployment/penpot-frontend')!;
    expect(canConnect(dist.objects, self, frontend, 8080)).toBe(true);
  });
});
