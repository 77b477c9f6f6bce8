import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PenpotBackup } from './penpot-backup';
import { PenpotRestoreJob } from './penpot-restore-job';

/** Folder of `dist/<env>/` holding manifests an operator applies by hand; no Application points at it. */
export const OPERATIONS_FOLDER = 'operations';
export const RESTORE_JOB_FILE = `${OPERATIONS_FOLDER}/restore-job.yaml`;

export interface OperationsChartProps {
  readonly backup: PenpotBackup;
}

/** Manual operations of an environment (today: the Penpot restore Job), never synced by Argo CD. */
export class OperationsChart extends Chart {
  readonly restoreJob: PenpotRestoreJob;
  /** The backup the restore Job belongs to. */
  readonly backup: PenpotBackup;

  constructor(scope: Construct, id: string, props: OperationsChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.backup = props.backup;
    this.restoreJob = new PenpotRestoreJob(this, 'restore', { backup: props.backup });
  }
}
