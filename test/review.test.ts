/**
 * The change review (lib/review/) over in-memory syntheses of a test environment: a base
 * synthesis and one with a single configuration change, compared as `npm run synth` and
 * `npm run diff` compare the working tree with the committed dist/.
 */
import { resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { EnvironmentReview, formatWarning, hasBlocking, parseManifests, reviewEnvironment } from '../lib/review';
import { renderedObjects, synthesizeEnvironment } from '../lib/synth';
import { minimalEnv } from './support/environments';

/** Penpot with its database, and a kMCP server with a volume: every kind of data the review guards. */
const base: EnvironmentInput = minimalEnv({
  storage: { className: 'local-path', postgresSize: '5Gi' },
  kmcp: {
    enabled: true,
    servers: [{
      name: 'filesystem', transport: 'stdio', image: 'docker.io/library/node:22-alpine', cmd: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem@2026.8.31', '/data'], volume: { mountPath: '/data', size: '5Gi' },
    }],
  },
  operations: { kubeContext: 'test-cluster' },
});

function files(input: EnvironmentInput): Map<string, string> {
  const [env] = resolveEnvironments([input]);
  return new Map(synthesizeEnvironment(env).map((f) => [f.path.slice(`${env.name}/`.length), f.content]));
}

const baseFiles = files(base);

function review(change: (b: EnvironmentInput) => EnvironmentInput): EnvironmentReview {
  return reviewEnvironment({ env: 'test', before: baseFiles, after: files(change(base)), kubeContext: 'test-cluster' });
}

const subjects = (r: EnvironmentReview, level?: 'blocking' | 'caution') =>
  r.warnings.filter((w) => level === undefined || w.level === level).map((w) => w.subject);
const text = (r: EnvironmentReview) => r.warnings.map((w) => `${w.problem}\n${w.action}`).join('\n');

describe('change review', () => {
  test('an unchanged synthesis has no change and no warning', () => {
    const r = reviewEnvironment({ env: 'test', before: baseFiles, after: files(base) });
    expect(r.changes).toEqual([]);
    expect(r.otherFiles).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  test('postgres size change: the StatefulSet volumeClaimTemplates change blocks, with orphan delete and the claim patch', () => {
    const r = review((b) => ({ ...b, storage: { ...b.storage, postgresSize: '10Gi' } }));
    expect(r.changes.map((c) => [c.type, c.type === 'changed' ? c.fields.map((f) => f.path) : []])).toEqual([
      ['changed', ['spec.volumeClaimTemplates[data].spec.resources.requests.storage']],
    ]);
    expect(subjects(r, 'blocking')).toEqual(['StatefulSet penpot/penpot-postgres']);
    expect(text(r)).toContain('`kubectl --context test-cluster -n penpot delete statefulset penpot-postgres --cascade=orphan`');
    expect(text(r)).toContain(`patch pvc data-penpot-postgres-0 -p '{"spec":{"resources":{"requests":{"storage":"10Gi"}}}}'`);
    expect(hasBlocking([r])).toBe(true);
  });

  test('storage class change: every claim and the StatefulSet block, and the Pod Security level change is flagged', () => {
    const r = review((b) => ({ ...b, storage: { ...b.storage, className: 'longhorn' } }));
    expect(subjects(r, 'blocking').sort()).toEqual([
      'PersistentVolumeClaim mcp-servers/filesystem-data',
      'PersistentVolumeClaim penpot/penpot-assets',
      'PersistentVolumeClaim penpot/penpot-backups',
      'StatefulSet penpot/penpot-postgres',
    ]);
    // local-path is hostPath-backed (baseline, for the chown init container); longhorn is not (restricted).
    expect(subjects(r, 'caution')).toEqual(['Namespace penpot']);
    expect(text(r)).toContain('Pod Security level changes from baseline to restricted');
    expect(text(r)).toContain('`kubectl --context test-cluster -n penpot delete pvc penpot-assets`');
  });

  test('kMCP server rename: one blocking warning naming the old claim and the rename', () => {
    const r = review((b) => ({ ...b, kmcp: { ...b.kmcp, servers: b.kmcp!.servers!.map((s) => ({ ...s, name: 'files' })) } }));
    expect(r.changes.filter((c) => c.type === 'removed').map((c) => c.type === 'removed' && c.before.kind)).toEqual(
      expect.arrayContaining(['PersistentVolumeClaim', 'MCPServer']));
    expect(subjects(r, 'blocking')).toEqual(['MCPServer mcp-servers/filesystem']);
    expect(r.warnings[0].problem).toMatch(/renamed to files: the new server gets a new, empty claim \(files-data\)\. Its claim filesystem-data holds the server's files.*prune deletes/);
    expect(r.warnings[0].action).toContain('revert the rename');
  });

  test('penpot.namespace change: the database, the claims and the Namespace block; the Secrets must follow', () => {
    const r = review((b) => ({ ...b, penpot: { ...b.penpot, namespace: 'design' } }));
    expect(subjects(r, 'blocking').sort()).toEqual([
      'Namespace penpot',
      'PersistentVolumeClaim penpot/penpot-assets',
      'PersistentVolumeClaim penpot/penpot-backups',
      'StatefulSet penpot/penpot-postgres',
    ]);
    expect(r.warnings.find((w) => w.subject === 'StatefulSet penpot/penpot-postgres')!.problem)
      .toMatch(/^moved to namespace design .*data-penpot-postgres-0/);
    expect(subjects(r, 'caution')).toEqual(expect.arrayContaining(['Secret design/penpot-postgres', 'Secret penpot/penpot-postgres']));
    expect(r.warnings.find((w) => w.subject === 'Secret design/penpot-postgres')!.action).toContain('`npm run secrets -- --env test`');
  });

  test('a harmless image bump lists the changed field and warns about nothing', () => {
    const r = review((b) => ({ ...b, kmcp: { ...b.kmcp, servers: b.kmcp!.servers!.map((s) => ({ ...s, image: 'docker.io/library/node:24-alpine' })) } }));
    const changed = r.changes.flatMap((c) => (c.type === 'changed' ? c.fields.map((f) => `${c.after.kind} ${c.after.name} ${f.path}: ${f.before} -> ${f.after}`) : []));
    expect(changed).toEqual(['MCPServer filesystem spec.deployment.image: docker.io/library/node:22-alpine -> docker.io/library/node:24-alpine']);
    expect(r.warnings).toEqual([]);
    expect(hasBlocking([r])).toBe(false);
  });

  test('a new environment (not in the base) shows every object as added; only its Secrets need an action', () => {
    const r = reviewEnvironment({ env: 'test', after: baseFiles });
    expect(r.isNew).toBe(true);
    expect(r.changes.length).toBeGreaterThan(20);
    expect(r.changes.every((c) => c.type === 'added')).toBe(true);
    expect(subjects(r, 'blocking')).toEqual([]);
    expect(subjects(r, 'caution')).toEqual(['Secret penpot/penpot-secret-key', 'Secret penpot/penpot-postgres']);
  });

  test('a warning block keeps each command on one line, so that it can be copied', () => {
    const r = review((b) => ({ ...b, storage: { ...b.storage, className: 'longhorn' } }));
    const block = r.warnings.flatMap(formatWarning);
    expect(block.some((l) => l.includes('`kubectl --context test-cluster -n penpot delete pvc penpot-assets`'))).toBe(true);
    expect(block.every((l) => l.startsWith('!!!'))).toBe(true);
  });

  test('an environment no longer configured: its data holders block', () => {
    const r = reviewEnvironment({ env: 'test', before: baseFiles });
    expect(r.changes.every((c) => c.type === 'removed')).toBe(true);
    expect(subjects(r, 'blocking')).toEqual(expect.arrayContaining(['StatefulSet penpot/penpot-postgres', 'Namespace penpot', 'MCPServer mcp-servers/filesystem']));
  });
});

describe('objects in memory', () => {
  test('the objects the review takes from the synthesis in memory are those its YAML parses back to', () => {
    const [env] = resolveEnvironments([base]);
    const manifests = synthesizeEnvironment(env).filter((f) => f.path.endsWith('.yaml'));
    expect(manifests.length).toBeGreaterThan(2);
    for (const f of manifests) {
      expect(renderedObjects(f)).toBeDefined();
      expect(parseManifests(f.path, f.content).map((o) => o.doc)).toEqual(renderedObjects(f));
    }
  });
});
