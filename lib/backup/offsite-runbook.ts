/**
 * The OPERATIONS.md sections about the off-node copy: what is copied where, how to check it,
 * restoring from it, and "the node is gone" (a new cluster restored from the repository). Built
 * from the backup construct's runbook record, so every name and value is the manifests' own.
 */
import type { EnvironmentConfig } from '../config/types';
import type { BackupRunbook, OffsiteRunbook } from '../penpot-backup';

const selector = (labels: Readonly<Record<string, string>>): string => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

function retentionText(o: OffsiteRunbook): string {
  const r = o.retention;
  const parts = [
    r.keepLast > 0 ? `the newest ${r.keepLast}` : '',
    r.keepDaily > 0 ? `the last set of each of the last ${r.keepDaily} days` : '',
    r.keepWeekly > 0 ? `${r.keepWeekly} weeks` : '',
    r.keepMonthly > 0 ? `${r.keepMonthly} months` : '',
  ].filter(Boolean);
  return parts.join(', ');
}

/** The "Limit" line of the Backups section when sets are copied off the node. */
export function offsiteLimitLine(o: OffsiteRunbook): string {
  return `- **Off the node**: after each complete set the same Job uploads it (container \`upload\`, image \`${o.resticImage}\`) to the`
    + ` restic repository \`${o.repository}\`: encrypted, deduplicated, one snapshot per set tagged \`set=<name>\`, host \`${o.snapshotHost}\`.`
    + ' A failed upload fails the Job; the next run uploads every set the repository lacks. See "Off-node copies".';
}

function createRestoreJob(restoreJobPath: string, set: string): string {
  return `kubectl set env --local -f ${restoreJobPath} RESTORE_SET=${set} RESTORE_FROM=repository -o yaml | kubectl create -f -`;
}

/** The sections "Off-node copies", "Restore from the off-node copy" and "The node is gone". */
export function offsiteSections(env: EnvironmentConfig, b: BackupRunbook, restoreJobPath: string): string[] {
  const o = b.offsite;
  if (!o) return [];
  const ns = b.namespace;
  const names = b.stopForRestore.map((w) => w.name).join(' ');
  const checkSelector = selector({ ...b.backupPods, 'app.kubernetes.io/component': 'check' });
  const resticEnv = o.secretKeys.map((k) => `${k}=...`).join(' ');
  return [
    '## Off-node copies', '',
    `- **Repository**: \`${o.repository}\` (restic). Its password and credentials are in the Secret \`${o.secretName}\``
      + ` (keys ${o.secretKeys.map((k) => `\`${k}\``).join(', ')}; SECRETS.md). **Keep a copy of \`RESTIC_PASSWORD\` outside the`
      + ' cluster** (a password manager): without it no set can ever be restored, and a lost node takes the Secret with it.',
    `- **Retention off the node** (separate from the ${b.retention} sets on the volume): ${retentionText(o)}`
      + ' (`restic forget --group-by host` then `prune`, after every upload). Sets are dated with their own time.',
    `- **Integrity check**: CronJob \`${o.checkCronJobName}\` at \`${o.checkSchedule}\` (${b.timeZone}) runs \`restic check\``
      + ` and reads back ${o.readDataSubset} of the stored data (a random part each run).`,
    '- **Network**: the backup, check and restore pods may connect to the repository endpoint only (NetworkPolicy egress to the'
      + ' configured CIDRs and port); nothing else outside the namespace.', '',
    'Check the last uploads and integrity checks:', '',
    '```sh',
    `kubectl -n ${ns} logs -l ${selector(b.backupPods)} -c upload --tail=20`,
    `kubectl -n ${ns} get cronjob ${o.checkCronJobName}`,
    `kubectl -n ${ns} logs -l ${checkSelector} --tail=20`,
    '```', '',
    'Run the integrity check now:', '',
    '```sh',
    `job=${o.checkCronJobName}-$(date -u +%Y%m%d%H%M%S)`,
    `kubectl -n ${ns} create job --from=cronjob/${o.checkCronJobName} "$job"`,
    `kubectl -n ${ns} wait --for=condition=complete "job/$job" --timeout=${b.activeDeadlineSeconds}s`,
    `kubectl -n ${ns} logs "job/$job"    # ends with "check: repository ... is sound"`,
    '```', '',
    `From a workstation with restic (${resticEnv} and RESTIC_REPOSITORY=${o.repository} exported):`
      + ` \`restic snapshots --host ${o.snapshotHost} --tag penpot-backup\` lists the sets.`, '',
    '## Restore from the off-node copy', '',
    'Exactly the steps of "Restore", with the set taken from the repository instead of the backup volume: the restore Job\'s'
      + ' init container `fetch` restores the set with restic into a scratch volume of the Job (sized like the backup volume,'
      + ' deleted with the pod), then the `restore` container verifies its checksums and restores it as usual (new database,'
      + ' swap when complete, refuses while Penpot is connected). In step 4 create the Job with:', '',
    '```sh',
    createRestoreJob(restoreJobPath, '<set name>'),
    '```', '',
    `\`RESTORE_SET=latest\` takes the newest set in the repository. A name the repository does not hold fails in \`fetch\` and`
      + ` lists the sets it has: \`kubectl -n ${ns} logs job/${b.restoreJobName} -c fetch\`.`, '',
    '## The node is gone', '',
    `The cluster (or its disk) is lost; the repository \`${o.repository}\` and your copy of \`RESTIC_PASSWORD\` are not.`, '',
    '1. Build a new cluster as the first one: the same StorageClass, ingress controller and Argo CD, and the kube context'
      + ` \`${env.operations.kubeContext}\` (\`operations.kubeContext\`).`,
    `2. Create every Secret of SECRETS.md (\`npm run secrets -- --env ${env.name}\`). \`${o.secretName}\` must hold the **same**`
      + ' `RESTIC_PASSWORD` and credentials as before; the others may be new (a new `penpot-postgres` password is fine: the'
      + ' restore does not carry logins).',
    `3. \`kubectl apply -f dist/${env.name}/root-application.yaml\`, then sync \`${env.name}-root\` and every app up to`
      + ` \`${env.name}-penpot\` in Argo CD, in the order of "Register with Argo CD and sync order" above. Penpot starts empty.`,
    '4. At once, pause the schedule, so that no backup of the empty installation becomes the newest set in the repository:', '',
    '   ```sh',
    `   kubectl -n ${ns} patch cronjob ${b.cronJobName} --type=merge -p '{"spec":{"suspend":true}}'`,
    '   ```', '',
    '5. Stop Penpot:', '',
    '   ```sh',
    `   kubectl -n ${ns} scale deployment ${names} --replicas=0`,
    ...b.stopForRestore.map((w) => `   kubectl -n ${ns} wait --for=delete pod -l ${selector(w.pods)} --timeout=300s`),
    '   ```', '',
    '6. List the sets of the repository (this Job fails on purpose and names them), then delete it:', '',
    '   ```sh',
    `   ${createRestoreJob(restoreJobPath, '')}`,
    `   kubectl -n ${ns} wait --for=condition=failed job/${b.restoreJobName} --timeout=600s`,
    `   kubectl -n ${ns} logs job/${b.restoreJobName} -c fetch    # "... sets: <name> <name> ..."`,
    `   kubectl -n ${ns} delete job ${b.restoreJobName}`,
    '   ```', '',
    '7. Restore the set you want (the newest before the loss is usually the last name listed):', '',
    '   ```sh',
    `   ${createRestoreJob(restoreJobPath, '<set name>')}`,
    `   kubectl -n ${ns} logs -f job/${b.restoreJobName} -c fetch --pod-running-timeout=10m`,
    `   kubectl -n ${ns} logs -f job/${b.restoreJobName} -c restore --pod-running-timeout=10m    # ends with "restore: set <name> restored"`,
    '   ```', '',
    `8. Start Penpot again and resume the schedule: follow "Restore" step 6 (or sync \`${env.name}-penpot\`). The next night's`
      + ' run uploads a new set to the same repository; the old sets stay there under their retention.', '',
  ];
}
