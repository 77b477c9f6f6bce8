/**
 * `dist/<env>/OPERATIONS.md`: how to run an environment day to day. Hosts and ports come from
 * the synthesized Services and Ingresses, Secrets from the secrets contract, backup facts and
 * commands from the backup construct's runbook record: the document cannot name an object,
 * port or schedule the manifests do not have.
 */
import { offsiteLimitLine, offsiteSections } from './backup/offsite-runbook';
import { identityOperations } from './identity-operations-doc';
import { ManifestObject } from './checks/model';
import { EnvironmentConfig } from './config/types';
import { renderContractSections } from './operations-contracts-doc';
import { BackupRunbook } from './penpot-backup';
import { exportOperationsSection } from './penpot/export/operations';
import { SecretsContract } from './secrets-contract';

export interface OperationsDocInput {
  readonly env: EnvironmentConfig;
  /** Every object of the synced apps. */
  readonly objects: readonly any[];
  readonly contract: SecretsContract;
  /** Present when the environment backs Penpot up. */
  readonly backup?: BackupRunbook;
  /** Repository path of the restore Job manifest, e.g. `dist/homelab/operations/restore-job.yaml`. */
  readonly restoreJobPath?: string;
  /** Every object of the environment by app, child Applications included (`apps`): the upstream-contract sections. */
  readonly manifests?: readonly ManifestObject[];
}

const selector = (labels: Readonly<Record<string, string>>): string => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

function servicePorts(svc: any): string {
  return (svc.spec?.ports ?? []).map((p: any) => {
    const target = p.targetPort !== undefined && String(p.targetPort) !== String(p.port) ? ` -> ${p.targetPort}` : '';
    const node = p.nodePort !== undefined ? ` (node port ${p.nodePort})` : '';
    return `${p.port}${p.name ? `/${p.name}` : ''}${target}${node}`;
  }).join(', ');
}

function hostsAndPorts(objects: readonly any[]): string[] {
  const lines = ['## Hosts and ports', ''];
  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  if (ingresses.length > 0) {
    lines.push('Reached through the ingress controller:', '', '| URL | Service:port | namespace |', '|---|---|---|');
    for (const ing of ingresses) {
      const tls = new Set<string>((ing.spec?.tls ?? []).flatMap((t: any) => t.hosts ?? []));
      for (const rule of ing.spec?.rules ?? []) {
        for (const p of rule.http?.paths ?? []) {
          const svc = p.backend?.service;
          lines.push(`| \`${tls.has(rule.host) ? 'https' : 'http'}://${rule.host}${p.path ?? '/'}\` | \`${svc?.name}:${svc?.port?.name ?? svc?.port?.number}\` | ${ing.metadata?.namespace} |`);
        }
      }
    }
    lines.push('');
  }
  const services = objects.filter((o) => o.kind === 'Service');
  lines.push('Services (in the cluster: `<service>.<namespace>:<port>`):', '', '| Service | namespace | type | ports |', '|---|---|---|---|');
  for (const svc of services) {
    const type = svc.spec?.clusterIP === 'None' ? 'headless' : svc.spec?.type ?? 'ClusterIP';
    lines.push(`| \`${svc.metadata?.name}\` | ${svc.metadata?.namespace} | ${type} | ${servicePorts(svc)} |`);
  }
  lines.push('', 'MCP endpoints and ready-to-paste client configs: `CONNECT.md`.', '');
  return lines;
}

function secrets(contract: SecretsContract): string[] {
  const lines = ['## Secrets', ''];
  if (contract.secrets.length === 0) return [...lines, 'This environment reads no Secret.', ''];
  lines.push('Created by hand before the first sync, never in git; the create commands are in `SECRETS.md`.', '',
    '| Secret | namespace | keys | read by |', '|---|---|---|---|');
  for (const s of contract.secrets) {
    lines.push(`| \`${s.name}\` | ${s.namespace} | ${s.keys.map((k) => `\`${k.key}\``).join(', ')} | ${s.readBy.join(', ') || '(nothing)'} |`);
  }
  lines.push('');
  return lines;
}

/** Shell lines that run the backup now and wait for it. */
function backupNow(b: BackupRunbook): string[] {
  return [
    '```sh',
    `job=${b.cronJobName}-$(date -u +%Y%m%d%H%M%S)`,
    `kubectl -n ${b.namespace} create job --from=cronjob/${b.cronJobName} "$job"`,
    `kubectl -n ${b.namespace} wait --for=condition=complete "job/$job" --timeout=${b.activeDeadlineSeconds}s`,
    `kubectl -n ${b.namespace} logs "job/$job"    # the set name is in "set <name> complete"`,
    '```',
  ];
}

function backups(env: EnvironmentConfig, b: BackupRunbook): string[] {
  const storage = env.penpot.objectStorage;
  const what = b.includesAssets
    ? `a \`pg_dump -Fc\` of the database \`${b.databaseName}\` plus a tar.gz archive of the assets volume (\`/opt/data/assets\`)`
    : `a \`pg_dump -Fc\` of the database \`${b.databaseName}\` only`;
  const lines = [
    '## Backups', '',
    `- **What**: one consistent set per run: ${what}. The database is dumped first; Penpot writes an asset's file before`
      + ' the row that refers to it is committed, so every file the dump refers to is in the archive.',
  ];
  if (storage.backend === 's3') {
    lines.push(`- **Not included**: the objects in the S3 bucket \`${storage.bucket}\`; protect them with the bucket's versioning or replication.`);
  }
  lines.push(
    `- **When**: \`${b.schedule}\` (${b.timeZone}), CronJob \`${b.cronJobName}\` in namespace \`${b.namespace}\`. A run never overlaps`
      + ` another (concurrencyPolicy Forbid), may start up to an hour late, and is killed after ${b.activeDeadlineSeconds} s.`,
    `- **Where**: PVC \`${b.claimName}\` (${b.size}, StorageClass \`${b.storageClassName}\`), one folder per set`
      + ' `YYYYMMDDTHHMMSSZ/` (UTC) holding `database.dump`, ' + (b.includesAssets ? '`assets.tar.gz`, ' : '') + '`SHA256SUMS` and `MANIFEST`.',
    `- **Retention**: the newest ${b.retention} complete sets. A set is written as \`.partial-<name>\` and renamed when complete,`
      + ' so a run cut short is never counted nor restored; the next run deletes it. The volume must hold '
      + `${b.retention + 1} sets.`,
    `- **Scripts**: \`ops/backup/backup.sh\` and \`restore.sh\` in this repository, shipped in ConfigMap \`${b.configMapName}\`.`,
    b.offsite ? offsiteLimitLine(b.offsite) : '- **Limit**: the sets live in the cluster (on the node, with local-path). They protect against a failed upgrade,'
      + ' deleted designs and a damaged database, not against losing the disk: copy the volume off the node with your'
      + ' volume backup tool (or set `penpot.backup.offsite`).', '',
    'Check the last runs (the last line lists the complete sets kept):', '',
    '```sh',
    `kubectl -n ${b.namespace} get cronjob ${b.cronJobName}`,
    `kubectl -n ${b.namespace} logs -l ${selector(b.backupPods)} --tail=20`,
    '```', '',
    'Run a backup now:', '',
    ...backupNow(b), '',
  );
  return lines;
}

function restore(env: EnvironmentConfig, b: BackupRunbook, restoreJobPath: string): string[] {
  const ns = b.namespace;
  const names = b.stopForRestore.map((w) => w.name).join(' ');
  return [
    '## Restore', '',
    `Puts one set back: the database \`${b.databaseName}\`${b.includesAssets ? ' and the assets' : ''}. The restore Job`
      + ` (\`${restoreJobPath}\`) is outside every folder Argo CD syncs: only you create it. It verifies the set's`
      + ' checksums, refuses to run while anything is connected to the database, restores into a new database'
      + ` \`${b.databaseName}_restoring\` and unpacks the assets aside, and only then swaps both in`
      + ' (so a failed restore leaves the live data as it was). Everything written after the set was taken is lost.'
      + ` While it runs, the database volume${b.includesAssets ? ' and the assets volume each need' : ' needs'} room for a second copy.`, '',
    `1. Pause the schedule, so no backup runs meanwhile (and none prunes the set you restore):`, '',
    '   ```sh', `   kubectl -n ${ns} patch cronjob ${b.cronJobName} --type=merge -p '{"spec":{"suspend":true}}'`, '   ```', '',
    '2. If the current data may still be worth something, back it up first (needs Penpot running):', '',
    ...backupNow(b).map((l) => `   ${l}`), '',
    '3. Stop Penpot (Argo CD shows the app OutOfSync until step 6; do not sync meanwhile):', '',
    '   ```sh',
    `   kubectl -n ${ns} scale deployment ${names} --replicas=0`,
    ...b.stopForRestore.map((w) => `   kubectl -n ${ns} wait --for=delete pod -l ${selector(w.pods)} --timeout=300s`),
    '   ```', '',
    '   (`no matching resources found` from a wait means those pods are already gone.)', '',
    '4. Create the restore Job for the set to restore: its name (`YYYYMMDDTHHMMSSZ`, listed by "Check the last runs"'
      + ' above) or `latest` for the newest complete set. After step 2 the newest set is the one just taken: name the one you want.', '',
    '   ```sh',
    `   kubectl set env --local -f ${restoreJobPath} RESTORE_SET=<set name> -o yaml | kubectl create -f -`,
    '   ```', '',
    '   The manifest leaves `RESTORE_SET` empty on purpose: created as it is, the Job fails and lists the complete sets.', '',
    '5. Follow it; it ends with `restore: set <name> restored` or `restore: FAILED: <why>`:', '',
    '   ```sh',
    `   kubectl -n ${ns} logs -f job/${b.restoreJobName} --pod-running-timeout=5m`,
    `   kubectl -n ${ns} get job ${b.restoreJobName}`,
    '   ```', '',
    '   A failure before `database ... replaced` changed nothing: fix the cause (or pick another set), delete the Job and'
      + ' go on from step 4, or start Penpot again. A failure after it: run the restore again.', '',
    '6. Start Penpot again (the configured replicas), resume the schedule and remove the Job. Syncing'
      + ` \`${env.name}-penpot\` in Argo CD in place of the \`scale\` and \`patch\` lines does the same (replicas and`
      + ' `suspend: false` are in the manifests):', '',
    '   ```sh',
    ...b.stopForRestore.map((w) => `   kubectl -n ${ns} scale deployment ${w.name} --replicas=${w.replicas}`),
    `   kubectl -n ${ns} rollout status deployment ${b.stopForRestore[0]?.name} --timeout=600s`,
    `   kubectl -n ${ns} patch cronjob ${b.cronJobName} --type=merge -p '{"spec":{"suspend":false}}'`,
    `   kubectl -n ${ns} delete job ${b.restoreJobName}`,
    '   ```', '',
    `Argo CD shows \`${env.name}-penpot\` Synced again once the replicas and the schedule are back.`, '',
  ];
}

function upgrade(env: EnvironmentConfig, b?: BackupRunbook): string[] {
  const ns = env.penpot.namespace;
  return [
    '## Upgrade Penpot', '',
    `Running \`${env.penpot.version}\`. The backend applies the database migrations of a new release when it starts;`
      + ' they are not reversible, and an older backend on a migrated database is not supported.', '',
    `1. Read the release notes, then back up now${b ? ' (section Backups) and note the set name' : ''}.`,
    `2. Set \`penpot: { version: '<X.Y.Z>' }\` in \`lib/environments/${env.name}.ts\`, run \`npm run synth\`, review`
      + ' `git diff dist/` (frontend, backend, exporter and MCP images change together), commit, push, and sync'
      + ` \`${env.name}-penpot\` in Argo CD.`,
    `3. Watch the migrations: \`kubectl -n ${ns} logs -f deployment/penpot-backend\`, then`
      + ` \`kubectl -n ${ns} rollout status deployment penpot-backend --timeout=600s\` (the startup probe allows about 5 minutes).`,
    b ? '4. Roll back: set the previous version again, `npm run synth`, commit and push, but do not sync yet. Follow Restore'
      + ' steps 1, 3, 4 and 5 with the set from step 1, then sync'
      + ` \`${env.name}-penpot\` instead of step 6: it starts the previous release with the configured replicas and resumes`
      + ` the schedule; delete the restore Job. Work done after the backup is lost.`
      : '4. Roll back: set the previous version again and restore your backup before the old release starts; work done after the backup is lost.',
    '',
  ];
}

/** The operations document of one environment. */
export function renderOperationsMarkdown(input: OperationsDocInput): string {
  const { env, backup } = input;
  const lines = [
    `# Operations of environment \`${env.name}\``, '',
    `${env.description}. Generated by \`npm run synth\`; do not edit.`, '',
  ];
  if (env.penpot.enabled) lines.push(`Penpot ${env.penpot.version} at ${env.penpot.publicUri} (namespace \`${env.penpot.namespace}\`).`, '');
  lines.push(...hostsAndPorts(input.objects), ...secrets(input.contract), ...identityOperations(env));
  if (input.manifests) lines.push(...renderContractSections(env, input.manifests));
  if (!env.penpot.enabled) {
    lines.push('## Backups', '', 'This environment runs no Penpot: there is no database or assets volume to back up.'
      + ' Everything else is configuration in git (`lib/environments/`): re-sync to rebuild it.', '');
    return lines.join('\n');
  }
  if (backup && input.restoreJobPath) {
    lines.push(...backups(env, backup), ...restore(env, backup, input.restoreJobPath), ...offsiteSections(env, backup, input.restoreJobPath));
  } else {
    lines.push('## Backups', '', `Scheduled backups are off (\`penpot.backup.enabled: false\`): nothing saves the database`
      + ' or the assets of this environment. Turn them on before relying on it.', '');
  }
  lines.push(...upgrade(env, backup));
  lines.push(...exportOperationsSection(env));
  return lines.join('\n');
}
