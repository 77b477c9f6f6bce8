import { parseRepository } from '../lib/backup/offsite-config';
import { applyDefaults, resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { expectIssue, issuesOf } from './support/config-issues';
import { minimalEnv } from './support/environments';

type OffsiteInput = NonNullable<NonNullable<NonNullable<EnvironmentInput['penpot']>['backup']>['offsite']>;
const REPO = 'rest:https://nas.example.internal:8000/penpot';
const withOffsite = (offsite: Partial<OffsiteInput>): EnvironmentInput =>
  minimalEnv({ penpot: { backup: { offsite: { repository: REPO, egress: { cidrs: ['192.0.2.10/32'] }, ...offsite } as OffsiteInput } } });
const FIELD = 'environments.test.penpot.backup.offsite';

describe('penpot.backup.offsite defaults', () => {
  test('off unless configured: sets stay on the node', () => {
    expect(applyDefaults(minimalEnv()).penpot.backup.offsite).toBeUndefined();
  });

  test('the Secret penpot-backup-offsite, last 3 + 14 daily + 8 weekly + 12 monthly sets, a weekly 10% check, the URL\'s port, repository created on first use', () => {
    expect(applyDefaults(withOffsite({})).penpot.backup.offsite).toEqual({
      repository: REPO,
      credentialsSecret: 'penpot-backup-offsite',
      retention: { keepLast: 3, keepDaily: 14, keepWeekly: 8, keepMonthly: 12 },
      check: { schedule: '30 5 * * 0', readDataSubset: '10%' },
      egress: { cidrs: ['192.0.2.10/32'], port: 8000 },
      initRepository: true,
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    });
    expect(applyDefaults(withOffsite({ repository: 's3:https://s3.example.internal/bucket' })).penpot.backup.offsite!.egress.port).toBe(443);
    expect(applyDefaults(withOffsite({ repository: 'rest:http://nas.example.internal/penpot' })).penpot.backup.offsite!.egress.port).toBe(80);
  });

  test.each(['s3:https://s3.example.internal/bucket', 's3:https://10.20.0.15:9000/bucket/path', 'rest:https://nas.example.internal:8000/', 'rest:http://192.0.2.10/penpot'])(
    'accepts the repository %p', (repository) => {
      expect(typeof parseRepository(repository)).toBe('object');
      expect(() => resolveEnvironments([withOffsite({ repository })])).not.toThrow();
    });
});

describe('penpot.backup.offsite: bad input fails synth naming the field', () => {
  test.each([
    ['b2:bucket/path', /unknown scheme "b2:"/],
    ['azure:container:/', /unknown scheme "azure:"/],
    ['/var/backups/penpot', /is a local path: it would be on the node/],
    ['local:/srv/restic', /is a local path/],
    ['sftp:user@nas.example.internal:/srv/restic', /uses sftp:.*needs a passwd entry for UID 1001.*rest-server/],
    ['rest:https://user:secret@nas.example.internal/penpot', /holds credentials; put them in the Secret/],
    ['s3:https://s3.example.internal', /names no bucket/],
    ['', /is empty/],
  ])('repository %p', (repository, allowed) => {
    expectIssue([withOffsite({ repository })], `${FIELD}.repository`, allowed);
  });

  test('off-node backups without a credentials Secret name', () => {
    expectIssue([withOffsite({ credentialsSecret: '' })], `${FIELD}.credentialsSecret`, /need the Secret with RESTIC_PASSWORD/);
  });

  test('retention that keeps nothing, or a negative count', () => {
    expectIssue([withOffsite({ retention: { keepLast: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 } })], `${FIELD}.retention`, /keeps nothing; allowed: at least one .* >= 1/);
    expectIssue([withOffsite({ retention: { keepDaily: -1 } })], `${FIELD}.retention.keepDaily`, /allowed: an integer >= 0/);
    expectIssue([withOffsite({ retention: { keepWeekly: 1.5 } })], `${FIELD}.retention.keepWeekly`, /allowed: an integer >= 0/);
  });

  test('an integrity-check schedule that is not a valid cron, and a data subset restic refuses', () => {
    expectIssue([withOffsite({ check: { schedule: '0 5 * * 7' } })], `${FIELD}.check.schedule`, /day-of-week "7" is not valid/);
    expectIssue([withOffsite({ check: { schedule: 'weekly' } })], `${FIELD}.check.schedule`, /has 1 field\(s\), not 5/);
    for (const readDataSubset of ['0%', '110%', '8/7', 'some']) {
      expectIssue([withOffsite({ check: { readDataSubset } })], `${FIELD}.check.readDataSubset`, /allowed: a percentage such as "10%" or a part "n\/t"/);
    }
  });

  test('egress without the endpoint, admitting everything, or with host bits', () => {
    expectIssue([withOffsite({ egress: { cidrs: [] } })], `${FIELD}.egress.cidrs`, /is empty; allowed: the repository endpoint's addresses/);
    expectIssue([withOffsite({ egress: { cidrs: ['0.0.0.0/0'] } })], `${FIELD}.egress.cidrs[0]`, /admits every address/);
    expectIssue([withOffsite({ egress: { cidrs: ['192.0.2.10/24'] } })], `${FIELD}.egress.cidrs[0]`, /host bits set/);
    expectIssue([withOffsite({ egress: { cidrs: ['192.0.2.10/32'], port: 70000 } })], `${FIELD}.egress.port`, /allowed: 1-65535/);
  });

  test('an unknown key is refused by the schema', () => {
    const fields = issuesOf(withOffsite({ password: 'x' } as any)).map((i) => i.field);
    expect(fields.some((f) => f.startsWith(FIELD))).toBe(true);
  });

  test('offsite while backups are disabled is refused (it would have no effect)', () => {
    const input = minimalEnv({ penpot: { backup: { enabled: false, offsite: { repository: REPO, egress: { cidrs: ['192.0.2.10/32'] } } } } });
    expect(issuesOf(input).map((i) => i.field)).toContain(FIELD);
  });
});

describe('monitoring.prometheusRules alert settings', () => {
  const withRules = (rules: any, extra: Partial<EnvironmentInput> = {}): EnvironmentInput => minimalEnv({ monitoring: { prometheusRules: rules }, ...extra });

  test('defaults: 60 minutes of lateness, volumes at 80% and 90%', () => {
    expect(applyDefaults(withRules({ labels: { release: 'kps' } })).monitoring.prometheusRules)
      .toEqual({ labels: { release: 'kps' }, backupMarginMinutes: 60, volumeThresholds: { warning: 0.8, critical: 0.9 } });
  });

  test('alerts without the labels Prometheus selects are refused outside OpenShift', () => {
    expectIssue([withRules({ labels: {} })], 'environments.test.monitoring.prometheusRules.labels', /is empty: kube-prometheus-stack .* select rules by label/);
    expectIssue([withRules({})], 'environments.test.monitoring.prometheusRules.labels', /is empty/);
  });

  test('thresholds out of range or inverted, and a margin below a minute', () => {
    expectIssue([withRules({ labels: { release: 'kps' }, volumeThresholds: { warning: 0.95 } })],
      'environments.test.monitoring.prometheusRules.volumeThresholds.critical', /above the warning share/);
    expectIssue([withRules({ labels: { release: 'kps' }, volumeThresholds: { warning: 1.2, critical: 1.5 } })],
      'environments.test.monitoring.prometheusRules.volumeThresholds.warning', /between 0 and 1/);
    expectIssue([withRules({ labels: { release: 'kps' }, backupMarginMinutes: 0 })],
      'environments.test.monitoring.prometheusRules.backupMarginMinutes', /integer >= 1/);
  });
});
