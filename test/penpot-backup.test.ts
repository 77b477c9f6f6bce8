import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadDist } from '../lib/checks';
import { canConnect, canReachAddress, podTemplates } from '../lib/checks/network-eval';
import { resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { BACKUP_SCRIPTS_DIR, BACKUP_SCRIPT_FILES } from '../lib/penpot-backup';
import { ENVIRONMENTS } from '../lib/environments';
import { buildEnvironment } from '../lib/platform';
import { synthesizeEnvironment } from '../lib/synth';
import { environmentNames } from './support/configured';
import { minimalEnv } from './support/environments';
import { container, envValue, envVar, find, podSpec } from './support/objects';

/** Every object of an environment, the restore Job (operations chart) included. */
function build(input: EnvironmentInput): { synced: any[]; operations: any[] } {
  const [env] = resolveEnvironments([input]);
  const { apps, operations } = buildEnvironment(env);
  return { synced: apps.flatMap((a) => a.chart.toJson()), operations: operations?.toJson() ?? [] };
}

const cronPod = (cronJob: any): any => cronJob.spec.jobTemplate.spec.template.spec;

describe('PenpotBackup CronJob', () => {
  const { synced, operations } = build(minimalEnv());
  const cronJob = find(synced, 'CronJob', 'penpot-backup');
  const pod = cronPod(cronJob);
  const c = pod.containers[0];
  const postgres = find(synced, 'StatefulSet', 'penpot-postgres');

  test('runs daily at 03:00 UTC, never two at once, with a starting and an active deadline', () => {
    expect(cronJob.spec).toMatchObject({
      schedule: '0 3 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 3600, suspend: false,
    });
    expect(cronJob.spec.jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 7200, ttlSecondsAfterFinished: 259200, backoffLimit: 1 });
    expect(pod.restartPolicy).toBe('Never');
  });

  test('runs backup.sh from the scripts ConfigMap with the retention of the config', () => {
    expect(c.command).toEqual(['sh', '/scripts/backup.sh']);
    const scripts = pod.volumes.find((v: any) => v.name === 'scripts');
    expect(scripts.configMap.name).toBe('penpot-backup-scripts');
    expect(envValue(c, 'BACKUP_RETENTION')).toBe('7');
    expect(envValue(c, 'BACKUP_DIR')).toBe('/backups');
  });

  test('uses the database image (same pg_dump major version) with its pull policy', () => {
    const db = container(postgres, 'postgres');
    expect(c.image).toBe(db.image);
    expect(c.image).toBe('docker.io/library/postgres:15');
    expect(c.imagePullPolicy).toBe(db.imagePullPolicy);
  });

  test('connects to the postgres Service and database with the credentials of the penpot-postgres Secret', () => {
    const service = find(synced, 'Service', 'penpot-postgres');
    expect(envValue(c, 'PGHOST')).toBe(service.metadata.name);
    expect(envValue(c, 'PGPORT')).toBe(String(service.spec.ports[0].port));
    expect(envValue(c, 'PGDATABASE')).toBe(envValue(container(postgres, 'postgres'), 'POSTGRES_DB'));
    expect(envVar(c, 'PGUSER').valueFrom.secretKeyRef).toEqual({ name: 'penpot-postgres', key: 'POSTGRES_USER' });
    expect(envVar(c, 'PGPASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'penpot-postgres', key: 'POSTGRES_PASSWORD' });
  });

  test('runs restricted as the backend user (UID/GID/fsGroup 1001) with a read-only root filesystem', () => {
    const backend = podSpec(find(synced, 'Deployment', 'penpot-backend'));
    expect(pod.securityContext).toMatchObject({ runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBe(backend.securityContext.runAsUser);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('reads the assets volume read-only at /opt/data/assets and writes sets to its own volume', () => {
    const assetsMount = c.volumeMounts.find((m: any) => m.mountPath === '/opt/data/assets');
    expect(assetsMount.readOnly).toBe(true);
    expect(pod.volumes.find((v: any) => v.name === assetsMount.name).persistentVolumeClaim).toEqual({ claimName: 'penpot-assets', readOnly: true });
    expect(envValue(c, 'ASSETS_DIR')).toBe('/opt/data/assets');
    const backups = pod.volumes.find((v: any) => v.name === 'backups');
    expect(backups.persistentVolumeClaim.claimName).toBe('penpot-backups');
    expect(find(synced, 'PersistentVolumeClaim', 'penpot-backups').spec).toMatchObject({
      accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '20Gi' } },
    });
  });

  test('with a ReadWriteOnce assets volume it runs on the backend\'s node', () => {
    const backendLabels = find(synced, 'Deployment', 'penpot-backend').spec.selector.matchLabels;
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: backendLabels }, topologyKey: 'kubernetes.io/hostname' },
    ]);
  });

  test('the restore Job uses the same image, Secret, ConfigMap and volumes, writes assets, only reads sets and never retries', () => {
    const job = find(operations, 'Job', 'penpot-restore');
    const r = job.spec.template.spec;
    const rc = r.containers[0];
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 7200, ttlSecondsAfterFinished: 604800 });
    expect(rc.command).toEqual(['sh', '/scripts/restore.sh']);
    expect(rc.image).toBe(c.image);
    for (const name of ['PGHOST', 'PGPORT', 'PGDATABASE', 'BACKUP_DIR', 'ASSETS_DIR']) expect(envValue(rc, name)).toBe(envValue(c, name));
    expect(envVar(rc, 'PGPASSWORD')).toEqual(envVar(c, 'PGPASSWORD'));
    expect(envValue(rc, 'RESTORE_SET')).toBe('');
    expect(rc.volumeMounts.find((m: any) => m.name === 'backups').readOnly).toBe(true);
    expect(rc.volumeMounts.find((m: any) => m.name === 'assets').readOnly).toBe(false);
    expect(r.securityContext).toEqual(pod.securityContext);
    expect(r.affinity).toBeUndefined();
  });

  test('the synced app holds no Job: the restore exists only in the operations chart', () => {
    // The PostSync smoke check is the only Job Argo CD runs, as a hook after each sync.
    const jobs = synced.filter((o) => o.kind === 'Job');
    expect(jobs.map((o) => o.metadata.annotations?.['argocd.argoproj.io/hook'])).toEqual(jobs.map(() => 'PostSync'));
    expect(jobs.map((o) => o.metadata.name)).not.toContain('penpot-restore');
    expect(operations.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Job/penpot-restore']);
  });
});

describe('PenpotBackup configuration', () => {
  test('schedule, time zone, retention, size, class, deadline and resources come from penpot.backup', () => {
    const { synced } = build(minimalEnv({
      storage: { className: 'longhorn' },
      penpot: { backup: { schedule: '30 1 * * 1-5', timeZone: 'Europe/Madrid', retention: 14, size: '50Gi', storageClassName: 'nfs-backup', activeDeadlineSeconds: 600, resources: { limits: { memory: '1Gi' } } } },
    }));
    const cronJob = find(synced, 'CronJob', 'penpot-backup');
    expect(cronJob.spec).toMatchObject({ schedule: '30 1 * * 1-5', timeZone: 'Europe/Madrid' });
    expect(cronJob.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(600);
    const c = cronPod(cronJob).containers[0];
    expect(envValue(c, 'BACKUP_RETENTION')).toBe('14');
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(find(synced, 'PersistentVolumeClaim', 'penpot-backups').spec).toMatchObject({ storageClassName: 'nfs-backup', resources: { requests: { storage: '50Gi' } } });
  });

  test('the backup volume uses storage.className unless penpot.backup.storageClassName is set', () => {
    const { synced } = build(minimalEnv({ storage: { className: 'longhorn' } }));
    expect(find(synced, 'PersistentVolumeClaim', 'penpot-backups').spec.storageClassName).toBe('longhorn');
  });

  test('with objects in S3 only the database is saved: no assets volume, ASSETS_DIR empty', () => {
    const { synced, operations } = build(minimalEnv({ penpot: { objectStorage: { backend: 's3', bucket: 'penpot', region: 'eu-west-1' } } }));
    for (const pod of [cronPod(find(synced, 'CronJob', 'penpot-backup')), find(operations, 'Job', 'penpot-restore').spec.template.spec]) {
      expect(envValue(pod.containers[0], 'ASSETS_DIR')).toBe('');
      expect(pod.volumes.map((v: any) => v.name)).not.toContain('assets');
      expect(pod.affinity).toBeUndefined();
    }
  });

  test('with a ReadWriteMany assets volume the backup has no placement rule', () => {
    const { synced } = build(minimalEnv({ storage: { className: 'nfs-client', assetsAccessMode: 'ReadWriteMany' } }));
    expect(cronPod(find(synced, 'CronJob', 'penpot-backup')).affinity).toBeUndefined();
  });

  test('penpot.backup.enabled: false removes the CronJob, its volume, the scripts and the restore Job', () => {
    const { synced, operations } = build(minimalEnv({ penpot: { backup: { enabled: false } } }));
    expect(synced.filter((o) => o.metadata?.name?.startsWith('penpot-backup'))).toEqual([]);
    expect(synced.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).not.toContain('penpot-backup');
    expect(operations).toEqual([]);
  });

  test('the image follows images.postgres through the registry mirror', () => {
    const { synced } = build(minimalEnv({ images: { postgres: 'postgres:15.8', mirrors: { 'docker.io': 'harbor.test.internal/dockerhub' } } }));
    expect(cronPod(find(synced, 'CronJob', 'penpot-backup')).containers[0].image).toBe('harbor.test.internal/dockerhub/library/postgres:15.8');
  });
});

describe('the backup scripts in dist/', () => {
  const dist = loadDist(path.resolve(__dirname, '..'));
  const configMaps = dist.objects.filter((o) => o.doc.kind === 'ConfigMap' && o.doc.metadata.name === 'penpot-backup-scripts');

  test('every environment with Penpot ships them, each key equal to the file in ops/backup/', () => {
    expect(configMaps.map((o) => o.env).sort()).toEqual(environmentNames((e) => e.penpot.enabled && e.penpot.backup.enabled));
    for (const cm of configMaps) {
      expect(Object.keys(cm.doc.data).sort()).toEqual(fs.readdirSync(BACKUP_SCRIPTS_DIR).filter((f) => f.endsWith('.sh')).sort());
      expect([...BACKUP_SCRIPT_FILES].sort()).toEqual(Object.keys(cm.doc.data).sort());
      for (const [key, text] of Object.entries(cm.doc.data)) expect(text).toBe(fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, key), 'utf8'));
    }
  });

  test('a synth reads them from ops/backup/ (so an edit there reaches the ConfigMap of every environment)', () => {
    const [env] = resolveEnvironments([minimalEnv()]);
    const yaml = synthesizeEnvironment(env).find((f) => f.path === 'test/penpot/penpot.k8s.yaml')!.content;
    const cm = parseAllDocuments(yaml).map((d) => d.toJS()).find((d) => d?.kind === 'ConfigMap' && d.metadata.name === 'penpot-backup-scripts');
    expect(cm.data).toEqual(Object.fromEntries(BACKUP_SCRIPT_FILES.map((f) => [f, fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, f), 'utf8')])));
  });
});

describe.each(environmentNames((e) => e.penpot.enabled && e.penpot.backup.enabled))('backup network flows in %s', (env) => {
  const dist = loadDist(path.resolve(__dirname, '..'));
  const pods = podTemplates(dist.objects).filter((p) => p.env === env);
  const pod = (owner: string) => {
    const found = pods.find((p) => p.owner === owner);
    if (!found) throw new Error(`no ${owner} in ${env}`);
    return found;
  };
  const backup = pod('CronJob/penpot-backup');
  const restore = pod('Job/penpot-restore');
  const postgres = pod('StatefulSet/penpot-postgres');

  test('the backup and restore pods reach PostgreSQL on 5432', () => {
    expect(canConnect(dist.objects, backup, postgres, 5432)).toBe(true);
    expect(canConnect(dist.objects, restore, postgres, 5432)).toBe(true);
  });

  test('they reach nothing else of the namespace and no outside address', () => {
    for (const target of pods.filter((p) => p.owner !== 'StatefulSet/penpot-postgres' && p.ports.length > 0)) {
      for (const { containerPort } of target.ports) {
        expect({ to: target.owner, port: containerPort, allowed: canConnect(dist.objects, backup, target, containerPort) })
          .toEqual({ to: target.owner, port: containerPort, allowed: false });
      }
    }
    expect(canConnect(dist.objects, backup, postgres, 6379)).toBe(false);
    for (const [ip, port] of [['8.8.8.8', 443], ['10.0.0.5', 5432], ['192.168.1.10', 22]] as const) {
      expect(canReachAddress(dist.objects, backup, ip, port)).toBe(false);
      expect(canReachAddress(dist.objects, restore, ip, port)).toBe(false);
    }
  });

  test('nothing connects to the backup or restore pods', () => {
    for (const source of pods) {
      for (const target of [backup, restore]) expect(canConnect(dist.objects, source, { ...target, ports: [{ containerPort: 8080, protocol: 'TCP' }] }, 8080)).toBe(false);
    }
  });
});

describe.each(['homelab', 'example'])('off-node copies in %s: pods, Secret and network', (env) => {
  const dist = loadDist(path.resolve(__dirname, '..'));
  const [resolved] = resolveEnvironments([ENVIRONMENTS.find((e) => e.name === env)!]);
  const offsite = resolved.penpot.backup.offsite!;
  const pods = podTemplates(dist.objects).filter((p) => p.env === env);
  const pod = (owner: string) => pods.find((p) => p.owner === owner)!;
  const cronJob = dist.objects.find((o) => o.env === env && o.doc.kind === 'CronJob' && o.doc.metadata.name === 'penpot-backup')!.doc;
  const check = dist.objects.find((o) => o.env === env && o.doc.kind === 'CronJob' && o.doc.metadata.name === 'penpot-backup-check')!.doc;
  const restore = dist.objects.find((o) => o.env === env && o.doc.kind === 'Job' && o.doc.metadata.name === 'penpot-restore')!.doc;
  const [ip] = offsite.egress.cidrs[0].split('/');

  test('the backup pod runs backup.sh as init container, then upload.sh in the restic image', () => {
    const spec = cronPod(cronJob);
    expect(spec.initContainers.map((c: any) => [c.name, c.command])).toEqual([['backup', ['sh', '/scripts/backup.sh']]]);
    expect(spec.containers.map((c: any) => [c.name, c.command])).toEqual([['upload', ['sh', '/scripts/upload.sh']]]);
    expect(spec.containers[0].image).toMatch(/\/restic\/restic:\d+\.\d+\.\d+$/);
  });

  test('every restic container reads the repository from config and its password and credentials from the offsite Secret only', () => {
    const containers = [cronPod(cronJob).containers[0], cronPod(check).containers[0], restore.spec.template.spec.initContainers[0]];
    for (const c of containers) {
      expect(envValue(c, 'RESTIC_REPOSITORY')).toBe(offsite.repository);
      const secretRefs = c.env.filter((e: any) => e.valueFrom).map((e: any) => e.valueFrom.secretKeyRef);
      expect(new Set(secretRefs.map((r: any) => r.name))).toEqual(new Set([offsite.credentialsSecret]));
      expect(secretRefs.map((r: any) => r.key)).toContain('RESTIC_PASSWORD');
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      // No probes: none of these programs serves an endpoint.
      expect(c.readinessProbe ?? c.livenessProbe ?? c.startupProbe).toBeUndefined();
    }
    const contract = dist.contracts.get(env)!.secrets.find((s) => s.name === offsite.credentialsSecret)!;
    expect(contract.keys.map((k) => k.key)).toEqual(offsite.repository.startsWith('s3:')
      ? ['RESTIC_PASSWORD', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] : ['RESTIC_PASSWORD', 'RESTIC_REST_USERNAME', 'RESTIC_REST_PASSWORD']);
    expect(contract.keys.every((k) => k.source === 'operator')).toBe(true);
    expect([...contract.readBy].sort()).toEqual(['CronJob/penpot-backup', 'CronJob/penpot-backup-check', 'Job/penpot-restore']);
  });

  test('the backup, check and restore pods reach exactly the repository endpoint: its CIDR and port, nothing else outside', () => {
    for (const owner of ['CronJob/penpot-backup', 'CronJob/penpot-backup-check', 'Job/penpot-restore']) {
      const p = pod(owner);
      expect({ owner, endpoint: canReachAddress(dist.objects, p, ip, offsite.egress.port) }).toEqual({ owner, endpoint: true });
      expect({ owner, otherPort: canReachAddress(dist.objects, p, ip, offsite.egress.port === 443 ? 8443 : 443) }).toEqual({ owner, otherPort: false });
      expect({ owner, otherHost: canReachAddress(dist.objects, p, '198.51.100.7', offsite.egress.port) }).toEqual({ owner, otherHost: false });
    }
    // The check pod talks to nothing of the namespace.
    expect(canConnect(dist.objects, pod('CronJob/penpot-backup-check'), pod('StatefulSet/penpot-postgres'), 5432)).toBe(false);
  });

  test('the restore pod fetches into a scratch volume of its own, sized and classed like the backup volume', () => {
    const spec = restore.spec.template.spec;
    const claim = find(dist.objects.filter((o) => o.env === env).map((o) => o.doc), 'PersistentVolumeClaim', 'penpot-backups');
    const scratch = spec.volumes.find((v: any) => v.name === 'fetched').ephemeral.volumeClaimTemplate.spec;
    expect(scratch).toMatchObject({ storageClassName: claim.spec.storageClassName, resources: { requests: { storage: claim.spec.resources.requests.storage } } });
    expect(spec.containers[0].volumeMounts.find((m: any) => m.name === 'fetched').readOnly).toBe(true);
    expect(envValue(spec.initContainers[0], 'RESTORE_FROM')).toBe('volume');
    expect(envValue(spec.containers[0], 'RESTORE_FROM')).toBe('volume');
  });
});
