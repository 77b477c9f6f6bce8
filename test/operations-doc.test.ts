import * as fs from 'node:fs';
import * as path from 'node:path';
import { labelsMatch, loadDist, podLabelsOf } from '../lib/checks';
import { resolveEnvironments } from '../lib/config/resolve';
import { synthesizeEnvironment } from '../lib/synth';
import { minimalEnv } from './support/environments';
import { environmentNames } from './support/configured';

const REPO = path.resolve(__dirname, '..');
const dist = loadDist(REPO);
const docOf = (env: string): string => fs.readFileSync(path.join(REPO, 'dist', env, 'OPERATIONS.md'), 'utf8');
const synced = (env: string) => dist.objects.filter((o) => o.env === env && o.app !== undefined && o.app !== 'operations' && o.app !== 'apps');
const objectIn = (env: string, kind: string, namespace: string, name: string) => dist.objects
  .find((o) => o.env === env && o.doc.kind === kind && o.doc.metadata?.namespace === namespace && o.doc.metadata?.name === name);
const kubectlLines = (doc: string): string[] => doc.split('\n').map((l) => l.trim().replace(/^# or: /, '')).filter((l) => l.startsWith('kubectl '));

describe.each(environmentNames((e) => e.penpot.enabled && e.penpot.backup.enabled))('OPERATIONS.md of %s (with Penpot)', (env) => {
  const doc = docOf(env);
  const lines = kubectlLines(doc);
  const cronJob = dist.objects.find((o) => o.env === env && o.doc.kind === 'CronJob' && o.doc.metadata.name === 'penpot-backup')!.doc;
  const checkCronJob = dist.objects.find((o) => o.env === env && o.doc.kind === 'CronJob' && o.doc.metadata.name === 'penpot-backup-check')?.doc;
  const backupPod = cronJob.spec.jobTemplate.spec.template.spec;

  test('lists exactly the Services of the synced apps with their ports', () => {
    const services = synced(env).filter((o) => o.doc.kind === 'Service');
    const rows = doc.split('\n').filter((l) => /^\| `[^`]+` \| [a-z-]+ \| (ClusterIP|NodePort|headless) \|/.test(l));
    expect(rows.map((r) => r.split('|')[1].trim().replace(/`/g, '')).sort()).toEqual(services.map((s) => s.doc.metadata.name).sort());
    for (const s of services) {
      const row = rows.find((r) => r.startsWith(`| \`${s.doc.metadata.name}\``))!;
      for (const p of s.doc.spec.ports) expect(row).toContain(String(p.port));
    }
  });

  test('lists every Secret of the contract', () => {
    for (const s of dist.contracts.get(env)!.secrets) expect(doc).toContain(`| \`${s.name}\` | ${s.namespace} |`);
  });

  test('states the schedule, time zone and retention the CronJob has', () => {
    const backup = [...(backupPod.initContainers ?? []), ...backupPod.containers].find((c: any) => c.name === 'backup');
    const retention = backup.env.find((e: any) => e.name === 'BACKUP_RETENTION').value;
    expect(doc).toContain(`\`${cronJob.spec.schedule}\` (${cronJob.spec.timeZone})`);
    expect(doc).toContain(`the newest ${retention} complete sets`);
  });

  test('every Deployment, CronJob and Job a kubectl command names exists in its namespace', () => {
    const checked = new Set<string>();
    for (const line of lines) {
      const ns = /-n (\S+)/.exec(line)?.[1];
      const refs: Array<[string, string]> = [];
      const scale = /scale deployment ((?:[a-z0-9-]+ ?)+) --replicas/.exec(line);
      if (scale) for (const name of scale[1].trim().split(' ')) refs.push(['Deployment', name]);
      for (const m of line.matchAll(/(?:cronjob[/ ])([a-z0-9-]+)/g)) refs.push(['CronJob', m[1]]);
      for (const m of line.matchAll(/(?:(?<![a-z])job\/|get job |delete job )([a-z0-9-]+)/g)) refs.push(['Job', m[1]]);
      for (const m of line.matchAll(/rollout status deployment ([a-z0-9-]+)/g)) refs.push(['Deployment', m[1]]);
      for (const [kind, name] of refs) {
        expect({ line, kind, name, found: objectIn(env, kind, ns!, name) !== undefined }).toEqual({ line, kind, name, found: true });
        checked.add(`${kind}/${name}`);
      }
    }
    expect([...checked].sort()).toEqual(['CronJob/penpot-backup', ...(checkCronJob ? ['CronJob/penpot-backup-check'] : []),
      'Deployment/penpot-backend', 'Deployment/penpot-exporter', 'Deployment/penpot-frontend', 'Job/penpot-restore']);
  });

  test('scaling back up restores the replicas the manifests declare', () => {
    const up = lines.map((l) => /-n (\S+) scale deployment ([a-z0-9-]+) --replicas=(\d+)$/.exec(l)).filter((m) => m !== null);
    expect(up.map((m) => m![2]).sort()).toEqual(['penpot-backend', 'penpot-exporter', 'penpot-frontend']);
    for (const m of up) expect(objectIn(env, 'Deployment', m![1], m![2])!.doc.spec.replicas).toBe(Number(m![3]));
  });

  test('every label selector of a command selects the pods it is about', () => {
    const selectors = lines.map((l) => /-l (\S+)/.exec(l)?.[1]).filter((s): s is string => s !== undefined);
    // Backup logs and one wait per stopped Deployment (Restore), the upload and check logs and the waits again ("the node is gone").
    expect(selectors.length).toBe(checkCronJob ? 9 : 4);
    for (const selector of selectors) {
      const labels = Object.fromEntries(selector.split(',').map((kv) => kv.split('=')));
      const matching = synced(env).filter((o) => ['Deployment', 'CronJob'].includes(o.doc.kind) && labelsMatch({ matchLabels: labels }, podLabelsOf(o.doc)));
      expect({ selector, workloads: matching.length }).toEqual({ selector, workloads: 1 });
    }
  });

  test('the restore Job file it names exists, is the Job its commands follow, and no Application syncs it', () => {
    const file = /kubectl set env --local -f (\S+) RESTORE_SET=/.exec(doc)![1];
    const job = dist.objects.find((o) => o.file === file);
    expect(job?.doc.kind).toBe('Job');
    expect(lines.some((l) => l.includes(`job/${job!.doc.metadata.name}`))).toBe(true);
    expect(dist.objects.filter((o) => o.doc.kind === 'Application').map((a) => a.doc.spec.source?.path)).not.toContain(path.dirname(file));
  });

  test('waits as long as a run may take', () => {
    const waits = lines.filter((l) => l.includes('wait --for=condition=complete'));
    expect(waits.length).toBe(checkCronJob ? 3 : 2);
    for (const w of waits) expect(w).toContain(`--timeout=${cronJob.spec.jobTemplate.spec.activeDeadlineSeconds}s`);
    if (checkCronJob) expect(checkCronJob.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(cronJob.spec.jobTemplate.spec.activeDeadlineSeconds);
  });

  test('has the upgrade section: bump penpot.version, back up first, roll back by restoring', () => {
    expect(doc).toMatch(/## Upgrade Penpot/);
    expect(doc).toContain(`lib/environments/${env}.ts`);
    expect(doc).toMatch(/back up now/);
    expect(doc).toMatch(/Roll back: .*restore/);
  });
});

describe('OPERATIONS.md without scheduled backups', () => {
  test('an environment without Penpot says there is nothing to back up and has no restore steps', () => {
    const doc = docOf('k0s-dev');
    expect(doc).toContain('This environment runs no Penpot');
    expect(doc).not.toContain('## Restore');
    expect(doc).toContain('`kubernetes-mcp-server-nodeport` | mcp-system | NodePort | 8080/http -> http (node port 30808)');
    expect(fs.existsSync(path.join(REPO, 'dist', 'k0s-dev', 'operations'))).toBe(false);
  });

  test('penpot.backup.enabled: false says backups are off and writes no restore Job', () => {
    const [env] = resolveEnvironments([minimalEnv({ penpot: { backup: { enabled: false } } })]);
    const files = synthesizeEnvironment(env);
    const doc = files.find((f) => f.path === 'test/OPERATIONS.md')!.content;
    expect(doc).toContain('Scheduled backups are off');
    expect(doc).not.toContain('## Restore');
    expect(files.map((f) => f.path)).not.toContain('test/operations/restore-job.yaml');
  });
});
