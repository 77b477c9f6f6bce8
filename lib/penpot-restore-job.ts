import { Construct } from 'constructs';
import { k8s } from './k8s';
import { PenpotBackup, RESTORE_TTL_SECONDS } from './penpot-backup';

export interface PenpotRestoreJobProps {
  /** The backup whose sets, scripts, image and Secret the restore uses. */
  readonly backup: PenpotBackup;
}

/**
 * The Job that runs `restore.sh` from the backup's ConfigMap against one set. It lives in a
 * chart written outside every Argo CD-synced folder: an operator creates it by hand, after
 * stopping Penpot, following OPERATIONS.md. It never retries: a failed restore is read, not repeated.
 */
export class PenpotRestoreJob extends Construct {
  readonly jobName: string;

  constructor(scope: Construct, id: string, props: PenpotRestoreJobProps) {
    super(scope, id);
    const { backup } = props;
    this.jobName = backup.restoreJobName;
    new k8s.KubeJob(this, 'job', {
      metadata: { name: this.jobName, namespace: backup.namespace, labels: { ...backup.restoreLabels } },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: backup.activeDeadlineSeconds,
        ttlSecondsAfterFinished: RESTORE_TTL_SECONDS,
        template: { metadata: { labels: { ...backup.restoreLabels } }, spec: backup.restorePodSpec },
      },
    });
  }
}
