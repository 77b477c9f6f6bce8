/**
 * Where an environment's off-node backup settings come from. Until the strict config schema
 * carries `penpot.backup.offsite` (lib/config/schema), the values of the environments that use it
 * live here, validated exactly as the schema will validate them; then they move to
 * `lib/environments/<env>.ts` and this function reads the resolved config.
 */
import { ConfigError } from '../config/resolve';
import type { EnvironmentConfig } from '../config/types';
import { OffsiteBackupConfig, OffsiteBackupInput, applyOffsiteDefaults, offsiteProblems } from './offsite-config';

const INTERIM: Readonly<Record<string, OffsiteBackupInput>> = {
  // restic's rest-server on the NAS in the homelab's LAN (another disk, another box).
  homelab: {
    repository: 'rest:https://nas.finalq.xyz:8000/penpot',
    egress: { cidrs: ['192.168.1.20/32'] },
    retention: { keepDaily: 14, keepWeekly: 8, keepMonthly: 12 },
  },
  // An S3-compatible object store on the internal network.
  example: {
    repository: 's3:https://s3.example.internal/penpot-backups/penpot',
    egress: { cidrs: ['10.20.0.15/32'], port: 443 },
  },
};

/** The off-node backup settings of an environment, or undefined when its sets stay on the node. */
export function offsiteOf(env: EnvironmentConfig): OffsiteBackupConfig | undefined {
  const input = INTERIM[env.name];
  if (!input || !env.penpot.enabled || !env.penpot.backup.enabled) return undefined;
  const config = applyOffsiteDefaults(input);
  const issues = offsiteProblems(`environments.${env.name}.penpot.backup.offsite`, config);
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
