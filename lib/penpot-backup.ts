import * as fs from 'node:fs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { OffsiteBackupConfig, RESTIC_IMAGE, credentialKeys } from './backup/offsite-config';
import { ImagesConfig, PenpotBackupConfig } from './config/types';
import { ExternalSecret } from './external-secret';
import { NetworkIsolation } from './network-isolation';
import { imageTag, resolveImage } from './images';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';
import { ASSETS_PATH, PENPOT_UID } from './penpot-core';
import { POD_DEFAULTS, containerSecurity, literalEnv, podSecurity, resourceRequirements } from './pods';

/** Where the scripts live in the repository; they reach the cluster through the ConfigMap. */
export const BACKUP_SCRIPTS_DIR = path.resolve(__dirname, '..', 'ops', 'backup');
export const BACKUP_SCRIPT = 'backup.sh';
export const RESTORE_SCRIPT = 'restore.sh';
/** Off-node copy (restic image): upload after each set, the integrity check, the restore's fetch step. */
export const UPLOAD_SCRIPT = 'upload.sh';
export const CHECK_SCRIPT = 'check.sh';
export const FETCH_SCRIPT = 'fetch.sh';
export const OFFSITE_LIB_SCRIPT = 'offsite-lib.sh';
/** Every script of ops/backup/ the ConfigMap ships. */
export const BACKUP_SCRIPT_FILES: readonly string[] = [BACKUP_SCRIPT, RESTORE_SCRIPT, OFFSITE_LIB_SCRIPT, UPLOAD_SCRIPT, CHECK_SCRIPT, FETCH_SCRIPT];
/** Where the restore Job's scratch volume holds a set fetched from the repository. */
export const FETCH_MOUNT_PATH = '/fetched';
/** Mount path of the backup volume in the backup and restore pods. */
export const BACKUP_MOUNT_PATH = '/backups';
const SCRIPTS_MOUNT_PATH = '/scripts';

/** A missed run (controller down, node busy) may still start this late; later it waits for the next. */
export const BACKUP_STARTING_DEADLINE_SECONDS = 3600;
/** Finished backup Jobs (and their logs) are kept three days, a restore's a week. */
export const BACKUP_TTL_SECONDS = 3 * 24 * 3600;
export const RESTORE_TTL_SECONDS = 7 * 24 * 3600;
/** One retry: a transient database restart should not cost a night's backup. */
export const BACKUP_BACKOFF_LIMIT = 1;

/** restic's temp pack files (up to a few 16 MiB packs at once) and the check's temp index. */
const RESTIC_TMP_VOLUME: k8s.Volume = { name: 'restic-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } };

let scripts: Readonly<Record<string, string>> | undefined;

/** The backup and restore scripts exactly as in the repository (read once per process). */
export function backupScripts(): Readonly<Record<string, string>> {
  scripts ??= Object.fromEntries(BACKUP_SCRIPT_FILES
    .map((file) => [file, fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, file), 'utf8')]));
  return scripts;
}

/** A Deployment a restore stops and starts again. */
export interface StoppedWorkload {
  readonly name: string;
  /** Replicas to scale back to (the configured count). */
  readonly replicas: number;
  /** Selector labels of its pods (to wait until they are gone). */
  readonly pods: Readonly<Record<string, string>>;
}

export interface PenpotBackupProps {
  readonly namespace: string;
  readonly config: PenpotBackupConfig;
  /** `images.postgres` is used: the database's own image, so pg_dump has the server's major version. */
  readonly images: ImagesConfig;
  /** The database's Secret (keys `POSTGRES_USER`, `POSTGRES_PASSWORD`): its superuser login. */
  readonly credentials: ExternalSecret;
  /** Where the database answers. */
  readonly database: { readonly host: string; readonly port: number; readonly name: string };
  /** The assets PVC when objects live on the filesystem; undefined with S3 (only the database is saved). @default undefined */
  readonly assetsClaimName?: string;
  /**
   * With a ReadWriteOnce assets volume: the selector labels of the pods it is attached to. The
   * backup pod must run on their node to mount it too. @default undefined (no placement rule)
   */
  readonly assetsAttachedTo?: Readonly<Record<string, string>>;
  /** The Deployments a restore stops (they hold database connections or write assets). */
  readonly stopForRestore: readonly StoppedWorkload[];
  /** Copy every set off the node with restic, check the repository, restore from it. @default undefined (sets stay on the node) */
  readonly offsite?: OffsiteBackupConfig;
  /** Host name of the repository's snapshots: the sets' origin, stable across pods and clusters. @default the namespace */
  readonly snapshotHost?: string;
  /** The restic image. @default {@link RESTIC_IMAGE} */
  readonly resticImage?: string;
}

/** What the runbook tells about the off-node copy. */
export interface OffsiteRunbook {
  readonly repository: string;
  readonly secretName: string;
  readonly secretKeys: readonly string[];
  readonly checkCronJobName: string;
  readonly checkSchedule: string;
  readonly readDataSubset: string;
  readonly retention: OffsiteBackupConfig['retention'];
  readonly snapshotHost: string;
  readonly resticImage: string;
}

/** What the operations document needs to tell about backups, from the same values as the manifests. */
export interface BackupRunbook {
  readonly namespace: string;
  readonly cronJobName: string;
  readonly configMapName: string;
  readonly claimName: string;
  readonly restoreJobName: string;
  readonly mountPath: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly retention: number;
  readonly size: string;
  readonly storageClassName: string;
  readonly activeDeadlineSeconds: number;
  readonly databaseName: string;
  /** The assets volume is archived with every set (filesystem storage). */
  readonly includesAssets: boolean;
  readonly stopForRestore: readonly StoppedWorkload[];
  /** Selector labels of the backup pods (for `kubectl logs -l`). */
  readonly backupPods: Readonly<Record<string, string>>;
  /** Present when sets are copied off the node. */
  readonly offsite?: OffsiteRunbook;
}

function identity(component: 'backup' | 'restore' | 'check', image: string): WorkloadIdentity {
  return { name: 'penpot-backup', instance: 'penpot', component, partOf: 'penpot', version: imageTag(image) };
}


/**
 * Scheduled backups of Penpot: the backup volume, the scripts ConfigMap (from `ops/backup/`) and
 * a CronJob that runs `backup.sh`. It also prepares the pod of the restore Job, which is written
 * outside the synced folders (see {@link PenpotRestoreJob}) so that Argo CD never runs it.
 */
export class PenpotBackup extends Construct {
  readonly cronJobName = 'penpot-backup';
  readonly configMapName = 'penpot-backup-scripts';
  readonly claimName = 'penpot-backups';
  readonly restoreJobName = 'penpot-restore';
  readonly namespace: string;
  /** Selector labels of the backup pods and of the restore pods (for NetworkPolicies). */
  readonly pods: Readonly<Record<string, string>>;
  readonly restorePods: Readonly<Record<string, string>>;
  /** Labels of the restore Job and its pods. */
  readonly restoreLabels: Readonly<Record<string, string>>;
  /** The restore pod: same image, Secret, volumes and scripts as the backup, assets writable. */
  readonly restorePodSpec: k8s.PodSpec;
  readonly activeDeadlineSeconds: number;
  readonly runbook: BackupRunbook;
  /** The integrity check CronJob's name and pod labels, when sets are copied off the node. */
  readonly checkCronJobName = 'penpot-backup-check';
  readonly checkPods?: Readonly<Record<string, string>>;
  /** The repository Secret, when sets are copied off the node. */
  readonly offsiteSecret?: ExternalSecret;
  private readonly resticImage: string;
  private readonly snapshotHost: string;

  constructor(scope: Construct, id: string, private readonly props: PenpotBackupProps) {
    super(scope, id);
    const { config, namespace } = props;
    this.namespace = namespace;
    this.activeDeadlineSeconds = config.activeDeadlineSeconds;
    this.resticImage = props.resticImage ?? RESTIC_IMAGE;
    this.snapshotHost = props.snapshotHost ?? namespace;
    const offsite = props.offsite;
    if (offsite) {
      this.offsiteSecret = new ExternalSecret(this, 'offsite-secret', {
        name: offsite.credentialsSecret,
        namespace,
        purpose: `Password and credentials of the off-node restic repository ${offsite.repository} (keep a copy of RESTIC_PASSWORD outside the cluster: without it no set can be restored)`,
        keys: Object.fromEntries(credentialKeys(offsite.repository).map((key) => [key, {
          description: key === 'RESTIC_PASSWORD'
            ? 'Encryption password of the repository (also needed to restore on a new cluster; store it in your password manager)'
            : `Repository credential ${key}`,
          source: { kind: 'operator' as const, example: key === 'RESTIC_PASSWORD' ? 'a long passphrase kept outside the cluster' : key.toLowerCase() },
        }])),
      });
    }
    const backupId = identity('backup', props.images.postgres);
    const restoreId = identity('restore', props.images.postgres);
    this.pods = selectorLabels(backupId);
    this.restorePods = selectorLabels(restoreId);
    this.restoreLabels = standardLabels(restoreId);
    const labels = standardLabels(backupId);

    new k8s.KubePersistentVolumeClaim(this, 'volume', {
      metadata: { name: this.claimName, namespace, labels },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: config.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(config.size) } },
      },
    });

    new k8s.KubeConfigMap(this, 'scripts', {
      metadata: { name: this.configMapName, namespace, labels },
      data: { ...backupScripts() },
    });

    if (offsite) {
      const checkId = identity('check', this.resticImage);
      this.checkPods = selectorLabels(checkId);
      const checkLabels = standardLabels(checkId);
      new k8s.KubeCronJob(this, 'check', {
        metadata: { name: this.checkCronJobName, namespace, labels: checkLabels },
        spec: {
          schedule: offsite.check.schedule,
          timeZone: config.timeZone,
          concurrencyPolicy: 'Forbid',
          suspend: false,
          startingDeadlineSeconds: BACKUP_STARTING_DEADLINE_SECONDS,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels: checkLabels },
            spec: {
              backoffLimit: BACKUP_BACKOFF_LIMIT,
              activeDeadlineSeconds: config.activeDeadlineSeconds,
              ttlSecondsAfterFinished: BACKUP_TTL_SECONDS,
              template: {
                metadata: { labels: checkLabels },
                spec: {
                  ...POD_DEFAULTS,
                  restartPolicy: 'Never',
                  securityContext: podSecurity(this, PENPOT_UID),
                  containers: [this.resticContainer('check', CHECK_SCRIPT, offsite, { OFFSITE_CHECK_SUBSET: offsite.check.readDataSubset }, [])],
                  volumes: [this.scriptsVolume(), RESTIC_TMP_VOLUME],
                },
              },
            },
          },
        },
      });
    }

    new k8s.KubeCronJob(this, 'cronjob', {
      metadata: { name: this.cronJobName, namespace, labels },
      spec: {
        schedule: config.schedule,
        timeZone: config.timeZone,
        // A run still going at the next schedule (huge assets, slow disk) is not doubled.
        concurrencyPolicy: 'Forbid',
        // Explicit, so a schedule left suspended by hand (restore runbook) shows as OutOfSync in Argo CD
        // and a sync resumes it; an absent field would be ignored by the diff.
        suspend: false,
        startingDeadlineSeconds: BACKUP_STARTING_DEADLINE_SECONDS,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: BACKUP_BACKOFF_LIMIT,
            activeDeadlineSeconds: config.activeDeadlineSeconds,
            ttlSecondsAfterFinished: BACKUP_TTL_SECONDS,
            template: { metadata: { labels }, spec: this.podSpec('backup') },
          },
        },
      },
    });
    this.restorePodSpec = this.podSpec('restore');

    this.runbook = {
      namespace,
      cronJobName: this.cronJobName,
      configMapName: this.configMapName,
      claimName: this.claimName,
      restoreJobName: this.restoreJobName,
      mountPath: BACKUP_MOUNT_PATH,
      schedule: config.schedule,
      timeZone: config.timeZone,
      retention: config.retention,
      size: config.size,
      storageClassName: config.storageClassName,
      activeDeadlineSeconds: config.activeDeadlineSeconds,
      databaseName: props.database.name,
      includesAssets: props.assetsClaimName !== undefined,
      stopForRestore: props.stopForRestore,
      backupPods: this.pods,
      offsite: offsite ? {
        repository: offsite.repository,
        secretName: offsite.credentialsSecret,
        secretKeys: credentialKeys(offsite.repository),
        checkCronJobName: this.checkCronJobName,
        checkSchedule: offsite.check.schedule,
        readDataSubset: offsite.check.readDataSubset,
        retention: offsite.retention,
        snapshotHost: this.snapshotHost,
        resticImage: resolveImage(this.resticImage, props.images.mirrors),
      } : undefined,
    };
  }

  /**
   * Egress to exactly the repository endpoint (config CIDRs and port) for the pods that reach it:
   * the backup (upload), the check and the restore (fetch). Nothing connects to them.
   */
  allowRepository(net: NetworkIsolation): void {
    const offsite = this.props.offsite;
    if (!offsite) return;
    const endpoint = { cidrs: offsite.egress.cidrs };
    const ports = [{ port: offsite.egress.port }];
    net.allowEgress({ name: 'penpot-backup', pods: this.pods }, endpoint, ports);
    net.allowEgress({ name: 'penpot-restore', pods: this.restorePods }, endpoint, ports);
    net.allowEgress({ name: this.checkCronJobName, pods: this.checkPods! }, endpoint, ports);
  }

  private scriptsVolume(): k8s.Volume {
    return { name: 'scripts', configMap: { name: this.configMapName, defaultMode: 0o444 } };
  }

  /**
   * A container of the restic image running one of the off-node scripts: the repository from
   * config, its password and credentials from the Secret, restic's temp files on their own volume.
   */
  private resticContainer(name: string, script: string, offsite: OffsiteBackupConfig, extraEnv: Record<string, string>, mounts: k8s.VolumeMount[]): k8s.Container {
    const secret = this.offsiteSecret!;
    return {
      name,
      image: resolveImage(this.resticImage, this.props.images.mirrors),
      imagePullPolicy: this.props.images.pullPolicy,
      command: ['sh', `${SCRIPTS_MOUNT_PATH}/${script}`],
      env: [
        ...literalEnv({ RESTIC_REPOSITORY: offsite.repository, OFFSITE_HOST: this.snapshotHost, TZ: 'UTC', TMPDIR: '/tmp' }),
        ...credentialKeys(offsite.repository).map((key) => secret.envVar(key, key)),
        ...literalEnv(extraEnv),
      ],
      resources: resourceRequirements(offsite.resources),
      securityContext: containerSecurity(true),
      volumeMounts: [
        { name: 'scripts', mountPath: SCRIPTS_MOUNT_PATH, readOnly: true },
        ...mounts,
        { name: RESTIC_TMP_VOLUME.name, mountPath: '/tmp' },
      ],
    };
  }

  private podSpec(mode: 'backup' | 'restore'): k8s.PodSpec {
    const { props } = this;
    const assets = props.assetsClaimName;
    const env: k8s.EnvVar[] = [
      // libpq reads these: pg_dump, pg_restore and psql need no connection flags.
      ...literalEnv({ PGHOST: props.database.host, PGPORT: String(props.database.port), PGDATABASE: props.database.name }),
      props.credentials.envVar('PGUSER', 'POSTGRES_USER'),
      props.credentials.envVar('PGPASSWORD', 'POSTGRES_PASSWORD'),
      ...literalEnv({
        PGCONNECT_TIMEOUT: '10',
        BACKUP_DIR: BACKUP_MOUNT_PATH,
        // Empty with S3 storage: the scripts then save and restore the database only.
        ASSETS_DIR: assets ? ASSETS_PATH : '',
        ...(mode === 'backup'
          ? { BACKUP_RETENTION: String(props.config.retention) }
          // No default: the runbook sets a set name (or `latest`) with `kubectl set env`; empty fails.
          : { RESTORE_SET: '', ...(props.offsite ? { RESTORE_FROM: 'volume', FETCH_DIR: FETCH_MOUNT_PATH } : {}) }),
      }),
    ];
    const volumeMounts: k8s.VolumeMount[] = [
      { name: 'scripts', mountPath: SCRIPTS_MOUNT_PATH, readOnly: true },
      // A restore only reads sets: it can never damage one.
      { name: 'backups', mountPath: BACKUP_MOUNT_PATH, readOnly: mode === 'restore' },
      ...(assets ? [{ name: 'assets', mountPath: ASSETS_PATH, readOnly: mode === 'backup' }] : []),
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const volumes: k8s.Volume[] = [
      this.scriptsVolume(),
      { name: 'backups', persistentVolumeClaim: { claimName: this.claimName, readOnly: mode === 'restore' } },
      ...(assets ? [{ name: 'assets', persistentVolumeClaim: { claimName: assets, readOnly: mode === 'backup' } }] : []),
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
    ];
    // A ReadWriteOnce volume attaches to one node: the backup joins the pods using it. A restore
    // runs while they are scaled to 0, so the volume is free and the restore needs no such rule.
    const affinity: k8s.Affinity | undefined = mode === 'backup' && assets && props.assetsAttachedTo ? {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{
          labelSelector: { matchLabels: { ...props.assetsAttachedTo } },
          topologyKey: 'kubernetes.io/hostname',
        }],
      },
    } : undefined;
    const main: k8s.Container = {
      name: mode,
      image: resolveImage(props.images.postgres, props.images.mirrors),
      imagePullPolicy: props.images.pullPolicy,
      command: ['sh', `${SCRIPTS_MOUNT_PATH}/${mode === 'backup' ? BACKUP_SCRIPT : RESTORE_SCRIPT}`],
      env,
      resources: resourceRequirements(props.config.resources),
      securityContext: containerSecurity(true),
      volumeMounts,
    };
    const offsite = props.offsite;
    let initContainers: k8s.Container[] = [];
    let containers: k8s.Container[] = [main];
    if (offsite && mode === 'backup') {
      // Init containers run in order and a failed one fails the pod: the upload starts only
      // after backup.sh completed a set, and a failed upload fails the Job (and alerts).
      initContainers = [main];
      containers = [this.resticContainer('upload', UPLOAD_SCRIPT, offsite, {
        BACKUP_DIR: BACKUP_MOUNT_PATH,
        OFFSITE_KEEP_LAST: String(offsite.retention.keepLast),
        OFFSITE_KEEP_DAILY: String(offsite.retention.keepDaily),
        OFFSITE_KEEP_WEEKLY: String(offsite.retention.keepWeekly),
        OFFSITE_KEEP_MONTHLY: String(offsite.retention.keepMonthly),
        OFFSITE_INIT: String(offsite.initRepository),
      }, [{ name: 'backups', mountPath: BACKUP_MOUNT_PATH, readOnly: true }])];
      volumes.push(RESTIC_TMP_VOLUME);
    } else if (offsite && mode === 'restore') {
      // RESTORE_SET and RESTORE_FROM are set on both containers by the runbook's `kubectl set env`.
      initContainers = [this.resticContainer('fetch', FETCH_SCRIPT, offsite, { RESTORE_FROM: 'volume', RESTORE_SET: '', FETCH_DIR: FETCH_MOUNT_PATH },
        [{ name: 'fetched', mountPath: FETCH_MOUNT_PATH }])];
      volumeMounts.push({ name: 'fetched', mountPath: FETCH_MOUNT_PATH, readOnly: true });
      volumes.push(RESTIC_TMP_VOLUME, {
        // A volume of the restore pod only, sized like the backup volume (a set fits) and deleted with the pod.
        name: 'fetched',
        ephemeral: {
          volumeClaimTemplate: {
            metadata: { labels: { ...this.restoreLabels } },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.config.storageClassName,
              resources: { requests: { storage: k8s.Quantity.fromString(props.config.size) } },
            },
          },
        },
      });
    }
    return {
      ...POD_DEFAULTS,
      restartPolicy: 'Never',
      // The postgres image's default user is 999, but its client tools run as any UID. Running as
      // Penpot's UID 1001 with fsGroup 1001 (the backend's own settings) means: the backup reads
      // every asset as its owner, whatever the file modes; restored assets come out owned by
      // 1001 exactly as the backend wrote them (it must write into restored folders); and an
      // fsGroup applied to the shared assets volume is the one the backend already sets.
      // The backup volume gets group 1001 from fsGroup (hostPath-backed local-path folders are 0777).
      securityContext: podSecurity(this, PENPOT_UID),
      ...(affinity ? { affinity } : {}),
      ...(initContainers.length > 0 ? { initContainers } : {}),
      containers,
      volumes,
    };
  }
}
