import * as path from 'node:path';
import { formatFindings, loadDist, ManifestObject } from '../../lib/checks';
import { checkImageEgress, outboundCallsOf } from '../../lib/checks/image-egress';

const dist = loadDist(path.resolve(__dirname, '..', '..'));

describe('calls images make on their own, in dist/', () => {
  test('no default-deny egress blocks one', () => {
    expect(formatFindings(checkImageEgress(dist.objects))).toBe('');
  });
});

describe('the outbound-call model and the egress check', () => {
  const ns = 'penpot';
  const frontend = (flags: string): ManifestObject => ({ file: 'dist/t/penpot/p.yaml', env: 't', app: 'penpot',
    doc: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'penpot-frontend', namespace: ns },
      spec: { selector: { matchLabels: { app: 'fe' } }, template: { metadata: { labels: { app: 'fe' } },
        spec: { containers: [{ name: 'frontend', image: 'docker.io/penpotapp/frontend:2.17.0', env: [{ name: 'PENPOT_FLAGS', value: flags }] }] } } } },
  });
  const policy = (name: string, egress: unknown[]): ManifestObject => ({ file: 'dist/t/penpot/p.yaml', env: 't', app: 'penpot',
    doc: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: {}, policyTypes: ['Egress'], egress } } });
  const denyAll = policy('default-deny', []);
  const https = (cidr: string, except?: string[]) => policy('fe-https', [{ to: [{ ipBlock: { cidr, ...(except ? { except } : {}) } }], ports: [{ port: 443, protocol: 'TCP' }] }]);

  test('the frontend without the air-gapped flag calls the font and template hosts on 443', () => {
    expect(outboundCallsOf(frontend('enable-login-with-password').doc).map((c) => [c.to, c.port]))
      .toEqual([['fonts.googleapis.com, fonts.gstatic.com, raw.githubusercontent.com', 443]]);
  });

  test('with enable-air-gapped-conf it calls nothing outside', () => {
    expect(outboundCallsOf(frontend('enable-login-with-password enable-air-gapped-conf').doc)).toEqual([]);
  });

  test('a default-deny egress blocks the frontend: reported with the fix', () => {
    expect(formatFindings(checkImageEgress([frontend('enable-mcp'), denyAll])))
      .toMatch(/fonts.googleapis.com.*allow no public address on 443: each request hangs for the 300 s proxy timeout.*Allow that egress or use the flag enable-air-gapped-conf \[upstream\/image-outbound-calls\]/);
  });

  test('HTTPS to 0.0.0.0/0 or to a narrowed public range passes', () => {
    expect(checkImageEgress([frontend('enable-mcp'), denyAll, https('0.0.0.0/0')])).toEqual([]);
    expect(checkImageEgress([frontend('enable-mcp'), denyAll, https('142.250.0.0/15')])).toEqual([]);
  });

  test('HTTPS only to private ranges, or with every public address excepted, does not', () => {
    expect(checkImageEgress([frontend('enable-mcp'), denyAll, https('10.0.0.0/8')])).toHaveLength(1);
    expect(checkImageEgress([frontend('enable-mcp'), denyAll, https('0.0.0.0/0', ['0.0.0.0/1', '128.0.0.0/1'])])).toHaveLength(1);
  });

  test('a kMCP server run by npx needs its registry; one without a package runner does not', () => {
    const server = (cmd: string): ManifestObject => ({ file: 'dist/t/s/s.yaml', env: 't', app: 's',
      doc: { apiVersion: 'kagent.dev/v1alpha1', kind: 'MCPServer', metadata: { name: 'fs', namespace: ns }, spec: { transportType: 'stdio', deployment: { cmd, image: 'x:1' } } } });
    expect(formatFindings(checkImageEgress([server('npx'), denyAll]))).toMatch(/`npx` downloads the server's package at every start/);
    expect(checkImageEgress([server('/usr/local/bin/mcp-server'), denyAll])).toEqual([]);
  });
});
