/**
 * Defaults and validation of `penpot.backup` (see {@link PenpotBackupConfig}). Hooked into
 * `resolve.ts`; every issue names the full field (`environments.<env>.penpot.backup.<field>`).
 */
import { applyOffsiteDefaults, offsiteProblems } from '../backup/offsite-config';
import type { ConfigIssue } from './resolve';
import { isDnsSubdomain, isPositiveInteger, parseQuantity } from './rules';
import { EnvironmentConfig, EnvironmentInput, PenpotBackupConfig, ResourceSpec } from './types';

export const BACKUP_DEFAULTS = {
  schedule: '0 3 * * *',
  timeZone: 'Etc/UTC',
  retention: 7,
  size: '20Gi',
  activeDeadlineSeconds: 7200,
  resources: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '1', memory: '512Mi' },
  },
} as const;

/** Applies the documented defaults of `penpot.backup`. Pure: does not validate. */
export function applyBackupDefaults(input: EnvironmentInput): PenpotBackupConfig {
  const b = input.penpot?.backup ?? {};
  return {
    enabled: b.enabled ?? true,
    schedule: b.schedule ?? BACKUP_DEFAULTS.schedule,
    timeZone: b.timeZone ?? BACKUP_DEFAULTS.timeZone,
    retention: b.retention ?? BACKUP_DEFAULTS.retention,
    size: b.size ?? BACKUP_DEFAULTS.size,
    storageClassName: b.storageClassName ?? input.storage?.className ?? 'local-path',
    activeDeadlineSeconds: b.activeDeadlineSeconds ?? BACKUP_DEFAULTS.activeDeadlineSeconds,
    resources: {
      requests: { ...BACKUP_DEFAULTS.resources.requests, ...b.resources?.requests },
      limits: { ...BACKUP_DEFAULTS.resources.limits, ...b.resources?.limits },
    },
    ...(b.offsite ? { offsite: applyOffsiteDefaults(b.offsite) } : {}),
  };
}

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

// The CronJob controller parses schedules with robfig/cron v3's standard parser: these bounds
// are its own (day-of-week is 0-6, Sunday = 0; 7 is rejected), names are case-insensitive.
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function cronValue(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const i = field.names?.indexOf(text.toLowerCase()) ?? -1;
  return i < 0 ? undefined : field.min + i;
}

/** Why one field of a cron expression is invalid, or undefined when it is valid. */
function cronFieldProblem(text: string, field: CronField): string | undefined {
  const bad = `${field.name} "${text}" is not valid (${field.min}-${field.max}${field.names ? ' or names' : ''}, '*', ranges a-b, steps /n, lists a,b)`;
  for (const item of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
    if (!m) return bad;
    if (m[2] !== undefined && Number(m[2]) < 1) return bad;
    if (m[1] === '*' || (m[1] === '?' && (field.name === 'day-of-month' || field.name === 'day-of-week'))) continue;
    const [from, to, ...rest] = m[1].split('-');
    const a = cronValue(from, field);
    const b = to === undefined ? a : cronValue(to, field);
    if (rest.length > 0 || a === undefined || b === undefined || a > b) return bad;
  }
  return undefined;
}

/** Why a schedule is not a 5-field cron expression the CronJob controller accepts, or undefined. */
export function cronScheduleProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (schedule.trim() === '' || fields.length !== CRON_FIELDS.length) {
    return `has ${schedule.trim() === '' ? 0 : fields.length} field(s), not 5`;
  }
  for (let i = 0; i < fields.length; i++) {
    const problem = cronFieldProblem(fields[i], CRON_FIELDS[i]);
    if (problem) return problem;
  }
  return undefined;
}

function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const show = (v: unknown): string => JSON.stringify(v);

function resourceProblems(field: string, spec: ResourceSpec): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const kind of ['cpu', 'memory'] as const) {
    const req = parseQuantity(spec.requests[kind]);
    const lim = parseQuantity(spec.limits[kind]);
    if (req === undefined || req <= 0) out.push({ field: `${field}.requests.${kind}`, problem: `${show(spec.requests[kind])} is not a positive quantity; allowed: e.g. ${kind === 'cpu' ? '100m' : '128Mi'}` });
    if (lim === undefined || lim <= 0) out.push({ field: `${field}.limits.${kind}`, problem: `${show(spec.limits[kind])} is not a positive quantity; allowed: e.g. ${kind === 'cpu' ? '1' : '512Mi'}` });
    if (req !== undefined && lim !== undefined && req > lim) {
      out.push({ field: `${field}.requests.${kind}`, problem: `request ${spec.requests[kind]} exceeds limit ${spec.limits[kind]}; allowed: request <= limit` });
    }
  }
  return out;
}

/** Adds every problem of `penpot.backup` to `issues` (only meaningful when Penpot is enabled). */
export function validateBackup(env: EnvironmentConfig, issues: ConfigIssue[]): void {
  const b = env.penpot.backup;
  const field = `environments.${env.name}.penpot.backup`;
  const add = (name: string, problem: string) => issues.push({ field: `${field}.${name}`, problem });
  if (typeof b.enabled !== 'boolean') add('enabled', `${show(b.enabled)} is not allowed; allowed: true or false`);
  if (!b.enabled) return;

  const cron = typeof b.schedule === 'string' ? cronScheduleProblem(b.schedule) : 'is not a string';
  if (cron) {
    add('schedule', `${show(b.schedule)} ${cron}; allowed: a 5-field cron expression `
      + '"minute hour day-of-month month day-of-week", e.g. "0 3 * * *" (03:00 every day)');
  }
  if (!isTimeZone(b.timeZone)) add('timeZone', `${show(b.timeZone)} is not a time zone; allowed: an IANA name such as Etc/UTC or Europe/Madrid`);
  if (!isPositiveInteger(b.retention)) add('retention', `${show(b.retention)} is not allowed; allowed: an integer >= 1 (complete sets kept)`);
  const bytes = parseQuantity(b.size);
  if (bytes === undefined || bytes <= 0 || b.size.endsWith('m')) {
    add('size', `${show(b.size)} is not a positive storage size; allowed: a Kubernetes quantity greater than zero such as 20Gi`);
  }
  if (b.storageClassName.trim() === '' || !isDnsSubdomain(b.storageClassName)) {
    add('storageClassName', `${show(b.storageClassName)} is not a StorageClass name; allowed: a non-empty DNS-1123 name such as local-path`);
  }
  if (!Number.isInteger(b.activeDeadlineSeconds) || b.activeDeadlineSeconds < 60) {
    add('activeDeadlineSeconds', `${show(b.activeDeadlineSeconds)} is not allowed; allowed: an integer >= 60 (seconds one run may take)`);
  }
  issues.push(...resourceProblems(`${field}.resources`, b.resources));
  if (b.offsite) issues.push(...offsiteProblems(`${field}.offsite`, b.offsite));
}
