/**
 * Off-node copies of the Penpot backup sets (`penpot.backup.offsite`): shape, defaults and
 * validation. Every issue names the full field (`environments.<env>.penpot.backup.offsite.<field>`).
 */
import { cronScheduleProblem } from '../config/backup';
import type { ConfigIssue } from '../config/resolve';
import { ipv4CidrProblem, isDnsSubdomain, isPort, parseQuantity } from '../config/rules';
import { bool, num, resourcesInput, section, str, strings } from '../config/schema/primitives';
import type { EnvironmentInput, ResourceSpec } from '../config/types';

/** restic's own image, pinned (Alpine: busybox sh, openssh-client, ca-certificates). */
export const RESTIC_IMAGE = 'docker.io/restic/restic:0.19.1';

/** How many snapshots (one per backup set) the repository keeps; restic `forget --keep-*`. */
export interface OffsiteRetention {
  /**
   * The newest N sets whatever their day: a manual backup (before an upgrade or a restore) does not
   * push the night's set of the same day out of the repository. @default 3
   */
  readonly keepLast: number;
  /** The newest set of each of the last N days that have one. @default 14 */
  readonly keepDaily: number;
  /** ... of each of the last N weeks. @default 8 */
  readonly keepWeekly: number;
  /** ... of each of the last N months. @default 12 */
  readonly keepMonthly: number;
}

/** The periodic integrity check (`restic check --read-data-subset`), a CronJob of its own. */
export interface OffsiteCheck {
  /** 5-field cron expression. @default '30 5 * * 0' (Sundays 05:30, after the night's backup) */
  readonly schedule: string;
  /** Share of the stored data read back and decrypted per run: `N%` or `n/t`. @default '10%' */
  readonly readDataSubset: string;
}

/** The repository endpoint the backup, check and restore pods may connect to (NetworkPolicy egress). */
export interface OffsiteEgress {
  /** Addresses of the repository endpoint (IPv4 CIDRs), exactly: nothing else is reachable. */
  readonly cidrs: readonly string[];
  /** TCP port. @default the URL's port, else 443 for https and 80 for http */
  readonly port: number;
}

export interface OffsiteBackupConfig {
  /**
   * restic repository URL off the node: `s3:https://<host>/<bucket>[/<path>]` (any S3-compatible
   * store) or `rest:https://<host>[:port]/<path>` (restic's rest-server). No credentials in it:
   * they come from the Secret. Local paths are refused (they are on the node).
   */
  readonly repository: string;
  /** Secret holding `RESTIC_PASSWORD` and the scheme's credentials. @default 'penpot-backup-offsite' */
  readonly credentialsSecret: string;
  readonly retention: OffsiteRetention;
  readonly check: OffsiteCheck;
  readonly egress: OffsiteEgress;
  /** Create the repository on the first upload when it does not exist. @default true */
  readonly initRepository: boolean;
  /** Of the upload, check and fetch containers. @default requests 100m/256Mi, limits 1/1Gi */
  readonly resources: ResourceSpec;
}

/** The shape of `penpot.backup.offsite` (referenced from lib/config/schema/environment.ts): everything but `repository` and `egress.cidrs` has a default. */
export const offsiteInput = section({
  repository: str(),
  credentialsSecret: str().optional(),
  retention: section({ keepLast: num().optional(), keepDaily: num().optional(), keepWeekly: num().optional(), keepMonthly: num().optional() }).optional(),
  check: section({ schedule: str().optional(), readDataSubset: str().optional() }).optional(),
  egress: section({ cidrs: strings(), port: num().optional() }),
  initRepository: bool().optional(),
  resources: resourcesInput().optional(),
});
export type OffsiteBackupInput = NonNullable<NonNullable<NonNullable<EnvironmentInput['penpot']>['backup']>['offsite']>;

export const OFFSITE_DEFAULTS = {
  credentialsSecret: 'penpot-backup-offsite',
  retention: { keepLast: 3, keepDaily: 14, keepWeekly: 8, keepMonthly: 12 },
  check: { schedule: '30 5 * * 0', readDataSubset: '10%' },
  initRepository: true,
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
} as const;

/** Repository schemes the platform accepts, and the Secret keys each needs besides `RESTIC_PASSWORD`. */
export const REPOSITORY_SCHEMES = {
  s3: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  rest: ['RESTIC_REST_USERNAME', 'RESTIC_REST_PASSWORD'],
} as const;
export type RepositoryScheme = keyof typeof REPOSITORY_SCHEMES;

export interface RepositoryEndpoint {
  readonly scheme: RepositoryScheme;
  readonly protocol: 'http' | 'https';
  readonly host: string;
  /** The URL's explicit port, if any. */
  readonly port?: number;
}

/** Parses a repository URL, or returns why it is not one the platform accepts. */
export function parseRepository(url: string): RepositoryEndpoint | string {
  const allowed = 'allowed: s3:https://<host>/<bucket>[/<path>] or rest:https://<host>[:port]/<path>';
  if (typeof url !== 'string' || url.trim() === '') return `is empty; ${allowed}`;
  if (url.startsWith('/') || url.startsWith('.') || url.startsWith('local:')) {
    return `is a local path: it would be on the node the copy must survive; ${allowed}`;
  }
  if (url.startsWith('sftp:')) {
    // OpenSSH refuses to start for a UID without a passwd entry (`No user exists for uid 1001`),
    // and the restic image has none for the backup's user.
    return `uses sftp:, which the backup pods cannot run (ssh needs a passwd entry for UID 1001, the restic image has none); ${allowed} (rest-server can serve the same host)`;
  }
  const m = /^(s3|rest):(https?):\/\/([^/:@?#]+)(?::(\d+))?(\/[^?#]*)?$/.exec(url);
  if (!m) {
    if (/^[a-z0-9]+:/.test(url) && !/^(s3|rest):/.test(url)) return `has the unknown scheme "${url.split(':')[0]}:"; ${allowed}`;
    if (/@/.test(url)) return `holds credentials; put them in the Secret, not in the URL; ${allowed}`;
    return `is not a repository URL; ${allowed}`;
  }
  const [, scheme, protocol, host, port, path] = m;
  if (!isDnsSubdomain(host) && !/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return `has an invalid host "${host}"; ${allowed}`;
  if (port !== undefined && !isPort(Number(port))) return `has an invalid port ${port}; ${allowed}`;
  if (scheme === 's3' && (path === undefined || path === '/' )) return `names no bucket; ${allowed}`;
  return { scheme: scheme as RepositoryScheme, protocol: protocol as 'http' | 'https', host, port: port === undefined ? undefined : Number(port) };
}

/** The port the repository answers on: the URL's, else the protocol's. */
export function defaultRepositoryPort(url: string): number {
  const e = parseRepository(url);
  if (typeof e === 'string') return 443;
  return e.port ?? (e.protocol === 'https' ? 443 : 80);
}

/** Applies the documented defaults. Pure: does not validate. */
export function applyOffsiteDefaults(input: OffsiteBackupInput): OffsiteBackupConfig {
  return {
    repository: input.repository,
    credentialsSecret: input.credentialsSecret ?? OFFSITE_DEFAULTS.credentialsSecret,
    retention: { ...OFFSITE_DEFAULTS.retention, ...input.retention },
    check: { ...OFFSITE_DEFAULTS.check, ...input.check },
    egress: { cidrs: [...(input.egress?.cidrs ?? [])], port: input.egress?.port ?? defaultRepositoryPort(input.repository) },
    initRepository: input.initRepository ?? OFFSITE_DEFAULTS.initRepository,
    resources: {
      requests: { ...OFFSITE_DEFAULTS.resources.requests, ...input.resources?.requests },
      limits: { ...OFFSITE_DEFAULTS.resources.limits, ...input.resources?.limits },
    },
  };
}

const show = (v: unknown): string => JSON.stringify(v);

/** `N%` (0 < N <= 100) or `n/t` (1 <= n <= t): what `restic check --read-data-subset` accepts. */
export function isReadDataSubset(value: string): boolean {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (pct) return Number(pct[1]) > 0 && Number(pct[1]) <= 100;
  const frac = /^(\d+)\/(\d+)$/.exec(value);
  return frac !== null && Number(frac[1]) >= 1 && Number(frac[1]) <= Number(frac[2]);
}

/** Every problem of `offsite`; `field` is its full path. */
export function offsiteProblems(field: string, o: OffsiteBackupConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const add = (name: string, problem: string) => out.push({ field: `${field}.${name}`, problem });
  const repo = parseRepository(o.repository);
  if (typeof repo === 'string') add('repository', `${show(o.repository)} ${repo}`);
  if (typeof o.credentialsSecret !== 'string' || !isDnsSubdomain(o.credentialsSecret)) {
    add('credentialsSecret', `${show(o.credentialsSecret)} is not a Secret name; allowed: a DNS-1123 name such as penpot-backup-offsite `
      + '(off-node backups need the Secret with RESTIC_PASSWORD and the repository credentials)');
  }
  const keep = o.retention;
  for (const k of ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const) {
    if (!Number.isInteger(keep[k]) || keep[k] < 0) add(`retention.${k}`, `${show(keep[k])} is not allowed; allowed: an integer >= 0 (0 = not used)`);
  }
  if (Object.values(keep).every((v) => !(typeof v === 'number' && v >= 1))) {
    add('retention', `${show(keep)} keeps nothing; allowed: at least one of keepLast, keepDaily, keepWeekly, keepMonthly >= 1`);
  }
  const cron = typeof o.check.schedule === 'string' ? cronScheduleProblem(o.check.schedule) : 'is not a string';
  if (cron) add('check.schedule', `${show(o.check.schedule)} ${cron}; allowed: a 5-field cron expression such as "30 5 * * 0"`);
  if (typeof o.check.readDataSubset !== 'string' || !isReadDataSubset(o.check.readDataSubset)) {
    add('check.readDataSubset', `${show(o.check.readDataSubset)} is not allowed; allowed: a percentage such as "10%" or a part "n/t" such as "1/7"`);
  }
  if (!Array.isArray(o.egress.cidrs) || o.egress.cidrs.length === 0) {
    add('egress.cidrs', `${show(o.egress.cidrs)} is empty; allowed: the repository endpoint's addresses as IPv4 CIDRs, e.g. ["192.0.2.10/32"]`);
  } else {
    o.egress.cidrs.forEach((c, i) => {
      const problem = ipv4CidrProblem(c);
      if (problem) add(`egress.cidrs[${i}]`, problem);
      else if (c.endsWith('/0')) add(`egress.cidrs[${i}]`, `${show(c)} admits every address; allowed: the repository endpoint's own addresses`);
    });
  }
  if (!isPort(o.egress.port)) add('egress.port', `${show(o.egress.port)} is not a port; allowed: 1-65535`);
  if (typeof o.initRepository !== 'boolean') add('initRepository', `${show(o.initRepository)} is not allowed; allowed: true or false`);
  for (const kind of ['cpu', 'memory'] as const) {
    for (const side of ['requests', 'limits'] as const) {
      const q = parseQuantity(o.resources[side][kind]);
      if (q === undefined || q <= 0) add(`resources.${side}.${kind}`, `${show(o.resources[side][kind])} is not a positive quantity`);
    }
  }
  return out;
}

/** Keys of the credentials Secret for a repository URL (RESTIC_PASSWORD first). */
export function credentialKeys(repository: string): string[] {
  const e = parseRepository(repository);
  return ['RESTIC_PASSWORD', ...(typeof e === 'string' ? [] : REPOSITORY_SCHEMES[e.scheme])];
}
