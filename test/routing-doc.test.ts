import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { resolveEnvironments } from '../lib/config/resolve';
import { ENVIRONMENTS } from '../lib/environments';
import { buildEnvironment } from '../lib/platform';
import { k3sTraefikHelmChartConfig, renderRoutingMarkdown, routingNotices } from '../lib/routing/routing-doc';
import { RoutedHost } from '../lib/routing/routed-host';
import { GATEWAY_IMPLEMENTATIONS, INGRESS_CONTROLLERS, routingOf } from '../lib/routing/routing';
import { TRAEFIK_VERSION } from '../lib/routing/traefik';

const ROOT = path.resolve(__dirname, '..');
const envs = resolveEnvironments(ENVIRONMENTS);
const doc = (name: string) => fs.readFileSync(path.join(ROOT, 'dist', name, 'ROUTING.md'), 'utf8');

test('each environment\'s ROUTING.md lists every routed host with its kind and URL', () => {
  for (const env of envs) {
    const hosts = RoutedHost.findAll(buildEnvironment(env).app);
    const text = doc(env.name);
    expect(text).toContain(`Controller: **${routingOf(env).controller}**`);
    for (const h of hosts) expect(text).toContain(`| \`${h.host}\` | \`${h.url}\` | ${h.kind} |`);
  }
});

test('Traefik environments get a k3s HelmChartConfig that raises the entrypoint timeouts and keeps client addresses', () => {
  const traefikEnvs = envs.filter((e) => routingOf(e).controller === 'traefik');
  expect(traefikEnvs.length).toBeGreaterThan(0);
  for (const env of traefikEnvs) {
    const block = /```yaml\n([\s\S]*?)```/.exec(doc(env.name))![1];
    const config = parse(block);
    // k3s merges a HelmChartConfig into the HelmChart of the same name and namespace.
    expect(config).toMatchObject({ apiVersion: 'helm.cattle.io/v1', kind: 'HelmChartConfig', metadata: { name: 'traefik', namespace: 'kube-system' } });
    const values = parse(config.spec.valuesContent);
    expect(values.additionalArguments).toEqual(expect.arrayContaining([
      '--entryPoints.websecure.transport.respondingTimeouts.readTimeout=3600s', '--entryPoints.websecure.transport.respondingTimeouts.idleTimeout=3600s',
    ]));
    expect(values.service.spec.externalTrafficPolicy).toBe('Local');
  }
});

test('with Traefik as Gateway API implementation the HelmChartConfig also turns on Traefik\'s Gateway provider', () => {
  const values = (gatewayApi: boolean) => parse(parse(k3sTraefikHelmChartConfig(3600, true, gatewayApi)).spec.valuesContent);
  expect(values(true).providers).toEqual({ kubernetesGateway: { enabled: true } });
  expect(values(false).providers).toBeUndefined();
});

test('environments still on ingress-nginx with routed hosts get the retirement notice at synth, and only they', () => {
  const noticed = envs.filter((e) => routingNotices(e).length > 0).map((e) => e.name);
  expect(noticed).toContain('homelab');
  for (const name of noticed) {
    const env = envs.find((e) => e.name === name)!;
    expect(routingOf(env).controller).toBe('ingress-nginx');
    expect(routingNotices(env)[0]).toMatch(/retired upstream in March 2026.*ingress.controller: "traefik".*"gateway-api"/);
    expect(renderRoutingMarkdown(env, [])).toContain('retired upstream in March 2026');
  }
  expect(noticed).not.toContain('k3s');
  expect(noticed).not.toContain('example');
});

test('README "Routing" names every controller, every Gateway implementation and the Traefik release the figures come from', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Routing'), readme.indexOf('\n## ', readme.indexOf('## Routing') + 3));
  for (const c of INGRESS_CONTROLLERS) expect(section).toContain(`\`${c}\``);
  for (const i of GATEWAY_IMPLEMENTATIONS) expect(section).toContain(i);
  expect(section).toContain(`Traefik ${TRAEFIK_VERSION}`);
});
