import * as path from 'node:path';
import { formatFindings, loadDist, ManifestObject } from '../../lib/checks';
import { checkSingletonServers } from '../../lib/checks/singleton-state';
import { expectIssue } from '../support/config-issues';
import { minimalEnv } from '../support/environments';

const dist = loadDist(path.resolve(__dirname, '..', '..'));

test('no Valkey of dist/ ever runs twice behind its Service (one replica, strategy Recreate)', () => {
  expect(dist.objects.some((m) => m.doc.kind === 'Deployment' && /valkey/.test(JSON.stringify(m.doc.spec.template)))).toBe(true);
  expect(formatFindings(checkSingletonServers(dist.objects))).toBe('');
});

test('a Valkey Deployment with the default rolling update is reported', () => {
  const valkey: ManifestObject = { file: 'dist/t/p/p.yaml', env: 't', app: 'p',
    doc: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cache', namespace: 'p' },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'valkey', image: 'docker.io/valkey/valkey:8.1' }] } } } } };
  expect(formatFindings(checkSingletonServers([valkey]))).toMatch(/rolling update runs the old and the new .* strategy Recreate \[upstream\/singleton-server-no-overlap\]/);
});

test('a stdio kMCP server with two replicas is refused: its sessions live in one pod', () => {
  const server = { name: 'fs', transport: 'stdio', image: 'docker.io/library/node:22.11.0-alpine', cmd: 'npx', replicas: 2 };
  expectIssue([minimalEnv({ kmcp: { enabled: true, servers: [server] } } as any)], 'environments.test.kmcp.servers[0].replicas', /lose MCP sessions/);
});
