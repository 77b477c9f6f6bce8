import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyDefaults, resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { routingOf } from '../lib/routing/routing';
import { expectIssue } from './support/config-issues';
import { minimalEnv } from './support/environments';

const F = 'environments.test';
const ingress = (value: object, extra: Partial<EnvironmentInput> = {}) => minimalEnv({ ingress: value as EnvironmentInput['ingress'], ...extra });
const envoy = { name: 'platform', namespace: 'gateway', implementation: 'envoy-gateway' };

describe('routing choice: backwards compatible', () => {
  test('an environment without ingress.controller keeps ingress-nginx, class nginx, and admits ingress-nginx\'s pods', () => {
    const env = applyDefaults(minimalEnv());
    expect(routingOf(env)).toMatchObject({ controller: 'ingress-nginx', className: 'nginx' });
    expect(env.network.ingressController).toEqual({ namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } });
  });

  test('traefik defaults to class traefik, k3s\' Traefik pods in kube-system and the web entrypoint (websecure with TLS)', () => {
    const env = applyDefaults(ingress({ controller: 'traefik' }));
    expect(routingOf(env)).toMatchObject({ controller: 'traefik', className: 'traefik', traefik: { entryPoints: ['web'] } });
    expect(env.network.ingressController).toEqual({ namespace: 'kube-system', podLabels: { 'app.kubernetes.io/name': 'traefik' } });
    expect(routingOf(applyDefaults(ingress({ controller: 'traefik', tlsSecretName: 't' }))).traefik.entryPoints).toEqual(['websecure']);
  });

  test('gateway-api with Envoy Gateway admits that Gateway\'s Envoy pods; the created Gateway gets a default listener', () => {
    const env = applyDefaults(ingress({ controller: 'gateway-api', gateway: { ...envoy, create: { gatewayClassName: 'eg' } } }));
    expect(env.network.ingressController).toMatchObject({ namespace: 'envoy-gateway-system', podLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'platform' } });
    expect(env.ingress.gateway?.create?.listeners).toEqual([{ name: 'http', protocol: 'HTTP', port: 80 }]);
  });
});

describe('routing choice: bad input fails synth naming the field', () => {
  test('an unknown controller', () => {
    expectIssue([ingress({ controller: 'trafik' })], `${F}.ingress.controller`, /"trafik" is not allowed; did you mean "traefik"\?/);
  });

  test('gateway-api without a gateway reference', () => {
    expectIssue([ingress({ controller: 'gateway-api' })], `${F}.ingress.gateway`, /is missing: gateway-api routing attaches every HTTPRoute to a Gateway/);
  });

  test('a listener section that the project-created Gateway does not have', () => {
    expectIssue([ingress({ controller: 'gateway-api', gateway: { ...envoy, sectionName: 'websecure', create: { gatewayClassName: 'eg' } } })],
      `${F}.ingress.gateway.sectionName`, /"websecure" is not a listener of the Gateway this project creates; allowed: "http"/);
  });

  test('an HTTPS listener without a TLS Secret', () => {
    expectIssue([ingress({ controller: 'gateway-api', gateway: { ...envoy, create: { gatewayClassName: 'eg', listeners: [{ name: 'https', protocol: 'HTTPS', port: 443 }] } } })],
      `${F}.ingress.gateway.create.listeners[0].protocol`, /ingress.tlsSecretName is unset/);
  });

  test('an allowlist the Gateway implementation cannot enforce', () => {
    expectIssue([ingress({ controller: 'gateway-api', gateway: envoy, allowedSourceCidrs: ['10.0.0.0/8'] })],
      `${F}.ingress.allowedSourceCidrs`, /"envoy-gateway" cannot enforce it .* it would be dropped silently/);
  });

  test('a body size the Gateway implementation cannot enforce', () => {
    expectIssue([ingress({ controller: 'gateway-api', gateway: envoy }, { penpot: { maxBodySizeBytes: 1048576 } })],
      `${F}.penpot.maxBodySizeBytes`, /would not enforce it at the edge/);
  });

  test('both are accepted with Traefik as the Gateway implementation (Middlewares via ExtensionRef)', () => {
    expect(() => resolveEnvironments([ingress({ controller: 'gateway-api', gateway: { ...envoy, implementation: 'traefik' }, allowedSourceCidrs: ['10.0.0.0/8'] },
      { penpot: { maxBodySizeBytes: 1048576 } })])).not.toThrow();
  });

  test('an implementation whose data-plane pods are unknown needs network.ingressController', () => {
    expectIssue([ingress({ controller: 'gateway-api', gateway: { ...envoy, implementation: 'cilium' } })], `${F}.network.ingressController`, /is missing: where "cilium" runs/);
    expect(() => resolveEnvironments([ingress({ controller: 'gateway-api', gateway: { ...envoy, implementation: 'cilium' } },
      { network: { ingressController: { namespace: 'kube-system', podLabels: { 'k8s-app': 'cilium-envoy' } } } })])).not.toThrow();
  });

  test('ingress-nginx\'s IngressClass under Traefik', () => {
    expectIssue([ingress({ controller: 'traefik', className: 'nginx' })], `${F}.ingress.className`, /ingress-nginx's IngressClass: Traefik would ignore/);
  });

  test('an IngressClass under gateway-api', () => {
    expectIssue([ingress({ controller: 'gateway-api', gateway: envoy, className: 'nginx' })], `${F}.ingress.className`, /HTTPRoutes have no IngressClass/);
  });

  test('Traefik settings under another controller, Gateway settings without gateway-api', () => {
    expectIssue([ingress({ traefik: { entryPoints: ['websecure'] } })], `${F}.ingress.traefik`, /ingress.controller is "ingress-nginx"/);
    expectIssue([ingress({ controller: 'traefik', gateway: envoy })], `${F}.ingress.gateway`, /ingress.controller is "traefik"/);
  });

  test('a controller on OpenShift (Routes are the way in)', () => {
    expectIssue([ingress({ controller: 'traefik' }, { cluster: { platform: 'openshift' } })], `${F}.ingress.controller`, /not used on OpenShift/);
    expectIssue([ingress({ gateway: envoy }, { cluster: { platform: 'openshift' } })], `${F}.ingress.gateway`, /not used on OpenShift/);
  });

  test('two routes claiming one host', () => {
    expectIssue([minimalEnv({ penpot: { mcp: { host: 'k8s.test.internal' } }, kubernetesMcp: { enabled: true, ingressHost: 'k8s.test.internal' } })],
      `${F}.kubernetesMcp.ingressHost`, /"k8s.test.internal" is already used by environments.test.penpot.mcp.host/);
  });

  test('a created Gateway in an app\'s namespace, a bad listener port and a duplicate listener name', () => {
    const listeners = [{ name: 'http', protocol: 'HTTP', port: 80 }, { name: 'http', protocol: 'HTTP', port: 70000 }];
    const issues = [ingress({ controller: 'gateway-api', gateway: { ...envoy, namespace: 'penpot', create: { gatewayClassName: 'eg', listeners } } })];
    expectIssue(issues, `${F}.ingress.gateway.namespace`, /namespace of one of the platform's apps/);
    expectIssue(issues, `${F}.ingress.gateway.create.listeners[1].name`, /used twice/);
    expectIssue(issues, `${F}.ingress.gateway.create.listeners[1].port`, /out of range/);
  });
});

describe('every routed host goes through RoutedHost', () => {
  /** Files of lib/ that write routing objects themselves. */
  function writersOfRoutingObjects(): string[] {
    const root = path.resolve(__dirname, '..', 'lib');
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) files.push(p);
      }
    };
    walk(root);
    const writes = /KubeIngress\b|kind: 'HTTPRoute'|kind: 'Route'|kind: 'Middleware'|ROUTE_API_VERSION,\s*$/m;
    return files.filter((f) => writes.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(root, f)).sort();
  }

  test('only lib/routing/ and the OpenShift Route it uses create Ingresses, Routes, HTTPRoutes or Middlewares', () => {
    expect(writersOfRoutingObjects().filter((f) => !f.startsWith('routing/') && !f.startsWith('checks/'))).toEqual(['openshift-route.ts']);
  });
});
