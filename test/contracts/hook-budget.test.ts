import * as path from 'node:path';
import { formatFindings, loadDist, ManifestObject } from '../../lib/checks';
import { checkHookBudgets } from '../../lib/checks/hook-budget';
import { mcpServerStartBudget, START_ALLOWANCES } from '../../lib/smoke-budget';

const dist = loadDist(path.resolve(__dirname, '..', '..'));

describe('PostSync hook budgets in dist/', () => {
  test('every smoke check retries long enough for the slowest controller-made target, within its deadline', () => {
    expect(dist.objects.some((m) => m.doc.kind === 'MCPServer')).toBe(true);
    expect(formatFindings(checkHookBudgets(dist.objects))).toBe('');
  });
});

describe('the start budget of an MCPServer pod', () => {
  const a = START_ALLOWANCES;
  test('a stdio npx server pulls two images (server and adapter) and downloads its package', () => {
    expect(mcpServerStartBudget({ transportType: 'stdio', deployment: { cmd: 'npx', args: ['-y', 'pkg@1.0.0'] } }).seconds)
      .toBe(a.reconcileSeconds + 2 * a.imagePullSeconds + a.packageDownloadSeconds + a.processStartSeconds);
  });

  test('an http server of a ready-made image pulls one image and downloads nothing', () => {
    expect(mcpServerStartBudget({ transportType: 'http', deployment: { cmd: '/app/server' } }).seconds)
      .toBe(a.reconcileSeconds + a.imagePullSeconds + a.processStartSeconds);
  });
});

describe('the hook budget check', () => {
  const server: ManifestObject = { file: 'dist/t/s/s.yaml', env: 't', app: 's',
    doc: { apiVersion: 'kagent.dev/v1alpha1', kind: 'MCPServer', metadata: { name: 'fs', namespace: 'ns' }, spec: { transportType: 'stdio', deployment: { cmd: 'npx' } } } };
  const job = (env: Record<string, string>, deadline: number): ManifestObject => ({ file: 'dist/t/s/s.yaml', env: 't', app: 's',
    doc: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 's-smoke-check', namespace: 'ns', annotations: { 'argocd.argoproj.io/hook': 'PostSync' } },
      spec: { activeDeadlineSeconds: deadline, template: { spec: { containers: [{ name: 'smoke-check', env: Object.entries(env).map(([name, value]) => ({ name, value })) }] } } } },
  });

  test('3 tries x 3 s against an npx stdio server is reported with the budget it needs', () => {
    const findings = checkHookBudgets([server, job({ SMOKE_TARGETS: 'mcp mcp-fs http://fs.ns:3000/mcp', SMOKE_ATTEMPTS: '3', SMOKE_RETRY_DELAY_SECONDS: '3' }, 600)]);
    expect(formatFindings(findings)).toMatch(/MCPServer fs, which Argo CD cannot wait for and whose pod may need 480 s .* = 6 s: raise .*\[upstream\/hook-budget-covers-slowest-target\]/);
  });

  test('49 tries x 10 s cover it', () => {
    expect(checkHookBudgets([server, job({ SMOKE_TARGETS: 'mcp mcp-fs http://fs.ns:3000/mcp', SMOKE_ATTEMPTS: '49', SMOKE_RETRY_DELAY_SECONDS: '10', SMOKE_TIMEOUT_SECONDS: '10' }, 1200)])).toEqual([]);
  });

  test('a deadline shorter than the retries is reported', () => {
    const findings = checkHookBudgets([job({ SMOKE_TARGETS: 'http a http://a.ns:80/', SMOKE_ATTEMPTS: '10', SMOKE_RETRY_DELAY_SECONDS: '10', SMOKE_TIMEOUT_SECONDS: '10' }, 60)]);
    expect(formatFindings(findings)).toMatch(/activeDeadlineSeconds 60 is shorter than the script's worst case 190 s .*\[upstream\/hook-deadline-covers-retries\]/);
  });

  test('targets Argo CD waits for (plain Services) need no budget', () => {
    expect(checkHookBudgets([job({ SMOKE_TARGETS: 'http a http://a.ns:80/' }, 600)])).toEqual([]);
  });
});
