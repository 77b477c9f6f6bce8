import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadDist } from '../../lib/checks';
import { childApplications } from '../../lib/checks/crd-dependencies';
import { imageInventory } from '../../lib/checks/image-inventory';
import { customKindOf, kindKey } from '../../lib/crd-prerequisites';
import {
  IMAGES_HEADING, MCPSERVER_HEALTH_HEADING, PREREQUISITES_HEADING, SYNC_ORDER_HEADING,
} from '../../lib/operations-contracts-doc';

const REPO = path.resolve(__dirname, '..', '..');
const dist = loadDist(REPO);
const envs = [...new Set(dist.objects.map((o) => o.env))];
const docOf = (env: string): string => fs.readFileSync(path.join(REPO, 'dist', env, 'OPERATIONS.md'), 'utf8');
/** The lines of one `## ` section of a markdown document. */
const section = (doc: string, heading: string): string[] => {
  const lines = doc.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
};

describe.each(envs)('OPERATIONS.md of %s: the sync order', (env) => {
  const steps = section(docOf(env), SYNC_ORDER_HEADING)
    .map((l) => /^\d+\. Sync `([a-z0-9-]+)` \(wave (-?\d+)\)/.exec(l)).filter((m) => m !== null).map((m) => ({ name: m![1], wave: Number(m![2]) }));
  const apps = childApplications(dist.objects, env);

  test('lists every child Application of dist/<env>/apps exactly once, with its wave', () => {
    expect(steps.map((s) => s.name).sort()).toEqual(apps.map((a) => a.name).sort());
    for (const s of steps) expect(s.wave).toBe(apps.find((a) => a.name === s.name)!.wave);
  });

  test('orders them by sync wave, so every app comes after the CRDs and controller it needs', () => {
    const waves = steps.map((s) => s.wave);
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
  });

  test('starts with registering and syncing the root Application', () => {
    const lines = section(docOf(env), SYNC_ORDER_HEADING);
    expect(lines.find((l) => l.startsWith('1. '))).toContain(`kubectl apply -f dist/${env}/root-application.yaml`);
    expect(lines.find((l) => l.startsWith('2. '))).toContain(`Sync \`${env}-root\``);
  });
});

describe.each(envs)('OPERATIONS.md of %s: prerequisites and images', (env) => {
  const doc = docOf(env);
  test('names the CRD of every custom kind its apps create', () => {
    const kinds = new Set(dist.objects.filter((o) => o.env === env && o.app !== undefined && o.app !== 'apps' && customKindOf(o.doc.apiVersion, o.doc.kind))
      .map((o) => kindKey(o.doc.apiVersion, o.doc.kind)));
    const rows = section(doc, PREREQUISITES_HEADING).filter((l) => l.startsWith('| `'));
    expect(rows.map((r) => r.split('|')[1].trim().replace(/`/g, '')).sort()).toEqual([...kinds].sort());
    for (const k of kinds) expect(rows.find((r) => r.startsWith(`| \`${k}\``))).toContain(customKindOf(k.split('/')[0] + '/v1', k.split('/')[1])!.crd);
  });

  test('lists exactly the images the inventory finds in dist/', () => {
    const listed = section(doc, IMAGES_HEADING).filter((l) => l.startsWith('| `')).map((r) => r.split('|')[1].trim().replace(/`/g, ''));
    const images = [...new Set(imageInventory(dist.objects.filter((o) => o.env === env)).uses.map((u) => u.image))].sort();
    expect(listed).toEqual(images);
  });
});

describe('README', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  test('the Argo CD registration points to the generated sync order instead of listing apps', () => {
    const register = section(readme, '## Register with Argo CD').join(' ').replace(/\s+/g, ' ');
    expect(register).toContain('OPERATIONS.md');
    expect(register).toContain(SYNC_ORDER_HEADING.replace('## ', ''));
    expect(register).not.toMatch(/`<env>-(penpot|mcp|kmcp|llama-stack)/);
  });
});

describe('the MCPServer health check snippet, run by Lua 5.1 (Argo CD runs gopher-lua, Lua 5.1)', () => {
  const withServers = envs.find((e) => section(docOf(e), MCPSERVER_HEALTH_HEADING).length > 0)!;
  const block = section(docOf(withServers), MCPSERVER_HEALTH_HEADING).join('\n').split('```yaml\n')[1].split('```')[0];
  const configMap = parse(block);
  const script: string = configMap.data['resource.customizations.health.kagent.dev_MCPServer'];

  /** A Lua table constructor for a JSON value. */
  const toLua = (v: unknown): string => {
    if (v === null || v === undefined) return 'nil';
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `{${v.map(toLua).join(', ')}}`;
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `[${JSON.stringify(k)}] = ${toLua(x)}`).join(', ')}}`;
  };
  const health = (obj: unknown): { status: string; message: string } => {
    const program = `obj = ${toLua(obj)}\nlocal function health()\n${script}\nend\nlocal hs = health()\nio.write(hs.status, "\\n", hs.message or "")`;
    const run = spawnSync('lua5.1', ['-'], { input: program, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    const [status, message] = run.stdout.split('\n');
    return { status, message };
  };
  const server = (conditions?: unknown[], generation = 1) => ({ metadata: { name: 'fs', generation }, spec: {}, ...(conditions ? { status: { conditions } } : {}) });
  const c = (type: string, status: string, reason: string, observedGeneration = 1) => ({ type, status, reason, message: `${type} ${reason}`, observedGeneration });

  test('lua5.1 is installed (scripts/install-system-packages.sh)', () => {
    const r = spawnSync('lua5.1', ['-v'], { encoding: 'utf8' });
    if (r.error) throw new Error(`lua5.1 is not installed (apt-get install lua5.1; .ci/run does): ${r.error.message}`);
    expect(r.status).toBe(0);
  });

  test('is the argocd-cm key Argo CD reads for kagent.dev MCPServer', () => {
    expect(configMap.metadata).toMatchObject({ name: 'argocd-cm' });
    expect(Object.keys(configMap.data)).toEqual(['resource.customizations.health.kagent.dev_MCPServer']);
  });

  test('Progressing until the controller reports', () => {
    expect(health(server()).status).toBe('Progressing');
  });

  test('Progressing while the pods are not ready', () => {
    expect(health(server([c('Accepted', 'True', 'Accepted'), c('Programmed', 'True', 'Programmed'), c('Ready', 'False', 'PodsNotReady')])))
      .toEqual({ status: 'Progressing', message: 'PodsNotReady Ready PodsNotReady' });
  });

  test('Healthy when Ready is True for the current generation', () => {
    expect(health(server([c('Accepted', 'True', 'Accepted'), c('Ready', 'True', 'Ready')])).status).toBe('Healthy');
  });

  test('Progressing when the conditions judge an older generation', () => {
    expect(health(server([c('Ready', 'True', 'Ready', 1)], 2)).status).toBe('Progressing');
  });

  test('Degraded when kMCP refuses the spec or cannot program it', () => {
    expect(health(server([c('Accepted', 'False', 'InvalidConfig'), c('Ready', 'False', 'PodsNotReady')])))
      .toEqual({ status: 'Degraded', message: 'Accepted: InvalidConfig Accepted InvalidConfig' });
    expect(health(server([c('Accepted', 'True', 'Accepted'), c('Programmed', 'False', 'DeploymentFailed')])).status).toBe('Degraded');
  });
});
