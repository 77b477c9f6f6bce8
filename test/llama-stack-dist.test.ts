/**
 * Llama Stack as synthesized into dist/: the run config parsed back from its ConfigMap, the MCP
 * registration checked against the pinned release, each registered URL resolved to a Service and
 * container port of dist/, and that port and path answered by the real kubernetes-mcp-server binary
 * started from the same dist/ manifests.
 */
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LLAMA_STACK_RELEASES } from '../lib/config/llama-stack';
import {
  ManifestObject, ObjectIndex, containersOf, loadDist, podDeclaresPort, podSpecOf, servicePortIndex, targetPortOf, workloadsSelectedBy,
} from '../lib/checks';
import { mcpClient, RunningServer, freePort, startServerFromManifests } from './support/kubernetes-mcp-server';
import { environmentNames } from './support/configured';

const dist = loadDist(path.resolve(__dirname, '..'));
const index = new ObjectIndex(dist.objects);
const llamaStacks = dist.objects.filter((o) => o.doc.kind === 'Deployment' && o.doc.metadata.name === 'llama-stack');

interface Mounted { configMap: any; file: string; runConfig: any }

/** The ConfigMap file the container's command runs, found through its volume mount. */
function mountedRunConfig(m: ManifestObject): Mounted {
  const spec = podSpecOf(m.doc)!;
  const c = containersOf(spec)[0];
  const file: string = c.command[c.command.length - 1];
  const mount = c.volumeMounts.find((v: any) => file.startsWith(`${v.mountPath}/`));
  const volume = spec.volumes.find((v: any) => v.name === mount?.name);
  const configMap = index.find(m.env, m.doc.metadata.namespace, 'ConfigMap', volume?.configMap?.name)?.doc;
  const key = file.slice(mount.mountPath.length + 1);
  return { configMap, file, runConfig: parseYaml(configMap?.data?.[key] ?? 'null') };
}

/** Every MCP URL the run config registers, whichever key the release uses. */
function registeredUrls(runConfig: any): string[] {
  return [
    ...(runConfig.connectors ?? []).map((c: any) => c.url),
    ...(runConfig.registered_resources?.tool_groups ?? []).map((t: any) => t.mcp_endpoint.uri),
  ];
}

/** Resolves `http://<service>.<namespace>:<port>/...` to the Service, its port and the workloads it selects. */
function resolveUrl(env: string, url: string) {
  const u = new URL(url);
  const [serviceName, namespace, ...rest] = u.hostname.split('.');
  const service = index.find(env, namespace, 'Service', serviceName);
  const portIndex = service ? servicePortIndex(service.doc, Number(u.port)) : -1;
  const servicePort = service?.doc.spec.ports[portIndex];
  const workloads = service ? workloadsSelectedBy(index, service) : [];
  return { u, rest, service, servicePort, workloads };
}

test('Llama Stack is synthesized where it is enabled: the example and openshift environments', () => {
  expect(llamaStacks.map((d) => d.env).sort()).toEqual(environmentNames((e) => e.llamaStack.enabled));
});

describe.each(llamaStacks.map((d) => [d.env, d] as const))('dist/%s Llama Stack', (env, deployment) => {
  const { configMap, file, runConfig } = mountedRunConfig(deployment);
  const c = containersOf(podSpecOf(deployment.doc))[0];
  const version = deployment.doc.metadata.labels['app.kubernetes.io/version'];

  test('runs the run config file mounted from its ConfigMap', () => {
    expect(configMap).toBeDefined();
    expect(c.command.slice(0, 3)).toEqual(['llama', 'stack', 'run']);
    expect(file).toBe('/etc/llama-stack/config.yaml');
    expect(runConfig.version).toBe(2);
  });

  test('pins the image of the release it is configured for', () => {
    expect(c.image).toBe(`docker.io/llamastack/distribution-starter:${version}`);
    expect(Object.keys(LLAMA_STACK_RELEASES)).toContain(version);
  });

  test('registers the MCP server under the key its pinned release reads, and not under the other', () => {
    const expected = LLAMA_STACK_RELEASES[version].mcpRegistration;
    const text = configMap.data['config.yaml'];
    if (expected === 'connectors') {
      expect(runConfig.connectors.map((x: any) => x.connector_type)).toEqual(['mcp']);
      expect(text).not.toMatch(/tool_groups/);
    } else {
      expect(runConfig.registered_resources.tool_groups.map((x: any) => x.provider_id)).toEqual(['model-context-protocol']);
      expect(text).not.toMatch(/connectors:\n\s+- /);
    }
    expect(registeredUrls(runConfig)).toHaveLength(1);
  });

  test('each registered URL is http://<service>.<namespace>:<port>/mcp of a Service in dist that targets a declared container port', () => {
    for (const url of registeredUrls(runConfig)) {
      const { u, rest, service, servicePort, workloads } = resolveUrl(env, url);
      expect({ url, path: u.pathname, rest }).toEqual({ url, path: '/mcp', rest: [] });
      expect(service).toBeDefined();
      expect(servicePort).toBeDefined();
      // With auth on, Llama Stack's own in-cluster instance of the server (its connector sends no header; issue 11).
      expect(workloads.map((w) => w.doc.metadata.name)).toEqual(['kubernetes-mcp-server-llama-stack']);
      expect(podDeclaresPort(workloads[0].doc, targetPortOf(servicePort))).toBe(true);
    }
  });

  describe('the registered URL, served by the real kubernetes-mcp-server from dist', () => {
    let server: RunningServer;
    const { u, workloads } = resolveUrl(env, registeredUrls(runConfig)[0]);
    const configMaps = dist.objects.filter((o) => o.env === env && o.doc.kind === 'ConfigMap').map((o) => o.doc);

    beforeAll(async () => {
      server = await startServerFromManifests({ deployment: workloads[0].doc, configMaps, portOverride: await freePort() });
    });
    afterAll(async () => server?.stop());

    test('its port is the one the server listens on (moved only through the harness override)', () => {
      const declared = containersOf(podSpecOf(workloads[0].doc))[0].ports[0].containerPort;
      expect(Number(u.port)).toBe(declared);
      expect(server.notes.join('\n')).toMatch(new RegExp(`portOverride: .*${declared}`));
    });

    test('an MCP client initializes on its path and lists tools', async () => {
      const client = await mcpClient(server.url(u.pathname));
      try {
        expect((await client.listTools()).tools.length).toBeGreaterThan(5);
      } finally {
        await client.close();
      }
    });
  });

  test('readiness, liveness and startup probes hit /v1/health on the 8321 container port the server listens on', () => {
    const port = c.ports.find((p: any) => p.name === 'http');
    expect(port.containerPort).toBe(8321);
    expect(runConfig.server.port).toBe(8321);
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      expect(probe.httpGet).toEqual({ path: '/v1/health', port: 'http' });
    }
  });

  test('its Service selects these pods and forwards 8321 to the container port', () => {
    const service = index.find(env, deployment.doc.metadata.namespace, 'Service', 'llama-stack')!;
    expect(workloadsSelectedBy(index, service).map((w) => w.doc.metadata.name)).toEqual(['llama-stack']);
    const sp = service.doc.spec.ports[servicePortIndex(service.doc, 8321)];
    expect(podDeclaresPort(deployment.doc, targetPortOf(sp))).toBe(true);
  });

  test('every ${env.X} of the run config is set from a Secret listed in the secrets contract', () => {
    const refs = [...configMap.data['config.yaml'].matchAll(/\$\{env\.([A-Z0-9_]+)\}/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    const contract = dist.contracts.get(env)!;
    for (const name of refs) {
      const ref = c.env.find((e: any) => e.name === name)?.valueFrom?.secretKeyRef;
      expect({ name, ref: ref !== undefined }).toEqual({ name, ref: true });
      const secret = contract.secrets.find((s) => s.name === ref.name && s.namespace === deployment.doc.metadata.namespace);
      expect(secret?.keys.map((k) => k.key)).toContain(ref.key);
      expect(secret?.readBy).toContain('Deployment/llama-stack');
    }
  });

  test('every path the run config writes is on the state PersistentVolumeClaim (the root filesystem is read-only), HOME on an emptyDir', () => {
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    const spec = podSpecOf(deployment.doc)!;
    const volumeOf = (m: any) => spec.volumes.find((v: any) => v.name === m.name);
    const claimed = c.volumeMounts.filter((m: any) => volumeOf(m)?.persistentVolumeClaim && !m.readOnly).map((m: any) => m.mountPath);
    const paths = [
      ...Object.values<any>(runConfig.storage.backends).filter((b) => b.db_path).map((b) => b.db_path),
      ...runConfig.providers.files.map((f: any) => f.config.storage_dir),
    ];
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect({ p, claimed: claimed.some((w: string) => p.startsWith(`${w}/`)) }).toEqual({ p, claimed: true });
    const home = c.env.find((e: any) => e.name === 'HOME').value;
    expect(volumeOf(c.volumeMounts.find((m: any) => m.mountPath === home))?.emptyDir).toBeDefined();
  });

  test('the state claim exists with the access mode its replica count needs; a ReadWriteOnce claim goes with the Recreate strategy', () => {
    const spec = podSpecOf(deployment.doc)!;
    const claimName = spec.volumes.find((v: any) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName;
    const claim = index.find(env, deployment.doc.metadata.namespace, 'PersistentVolumeClaim', claimName)!;
    expect(claim).toBeDefined();
    const hpa = dist.objects.find((o) => o.env === env && o.doc.kind === 'HorizontalPodAutoscaler' && o.doc.spec.scaleTargetRef.name === 'llama-stack');
    const replicated = hpa !== undefined || (deployment.doc.spec.replicas ?? 1) > 1;
    expect(claim.doc.spec.accessModes).toEqual([replicated ? 'ReadWriteMany' : 'ReadWriteOnce']);
    if (!replicated) expect(deployment.doc.spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('PostgreSQL stores take their login from the environment only, and the host is a Service of dist/ or the configured server', () => {
    const pg = Object.entries<any>(runConfig.storage.backends).filter(([, b]) => b.type.endsWith('_postgres'));
    for (const [name, b] of pg) {
      expect({ name, user: b.user, password: b.password }).toEqual({ name, user: '${env.POSTGRES_USER}', password: '${env.POSTGRES_PASSWORD}' });
      const [service, namespace] = b.host.split('.');
      const svc = index.find(env, namespace, 'Service', service);
      if (svc) expect(workloadsSelectedBy(index, svc).map((w) => w.doc.kind)).toEqual(['StatefulSet']);
    }
    expect(configMap.data['config.yaml']).not.toMatch(/password: (?!\$\{env\.)/);
  });

  test('a bundled PostgreSQL is the one the stores name: Service port -> container port, the database it creates, the same Secret keys', () => {
    const pg = Object.values<any>(runConfig.storage.backends).filter((b) => b.type.endsWith('_postgres'));
    if (pg.length === 0) return;
    const [serviceName, namespace] = pg[0].host.split('.');
    const service = index.find(env, namespace, 'Service', serviceName);
    if (!service) return; // an external server: its address is configuration, not an object of dist/
    const [db] = workloadsSelectedBy(index, service);
    const dbContainer = containersOf(podSpecOf(db.doc))[0];
    const sp = service.doc.spec.ports[servicePortIndex(service.doc, pg[0].port)];
    expect(sp).toBeDefined();
    expect(podDeclaresPort(db.doc, targetPortOf(sp))).toBe(true);
    const envOf = (container: any, name: string) => container.env.find((e: any) => e.name === name);
    for (const b of pg) expect(b.db).toBe(envOf(dbContainer, 'POSTGRES_DB').value);
    for (const name of ['POSTGRES_USER', 'POSTGRES_PASSWORD']) {
      expect(envOf(c, name).valueFrom.secretKeyRef).toEqual(envOf(dbContainer, name).valueFrom.secretKeyRef);
    }
  });
});
