import { cronScheduleProblem } from '../lib/config/backup';
import { applyDefaults, resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { expectIssue, issuesOf } from './support/config-issues';
import { minimalEnv } from './support/environments';

const withBackup = (backup: NonNullable<NonNullable<EnvironmentInput['penpot']>['backup']>): EnvironmentInput => minimalEnv({ penpot: { backup } });
const FIELD = 'environments.test.penpot.backup';

describe('penpot.backup defaults', () => {
  test('on, daily at 03:00 UTC, 7 sets on a 20Gi volume of the storage class', () => {
    const { backup } = applyDefaults(minimalEnv({ storage: { className: 'longhorn' } })).penpot;
    expect(backup).toEqual({
      enabled: true, schedule: '0 3 * * *', timeZone: 'Etc/UTC', retention: 7, size: '20Gi', storageClassName: 'longhorn',
      activeDeadlineSeconds: 7200,
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    });
  });

  test.each([
    '*/15 * * * *', '0 3 * * *', '30 2 1,15 * *', '0 0 * jan-mar mon-fri', '5 4 * * SUN', '0 22 * * 1-5', '0 0-23/2 ? * ?', '59 23 31 12 6',
  ])('accepts the cron schedule %p', (schedule) => {
    expect(cronScheduleProblem(schedule)).toBeUndefined();
    expect(() => resolveEnvironments([withBackup({ schedule })])).not.toThrow();
  });
});

describe('penpot.backup validation names the field and what is allowed', () => {
  test.each([
    ['0 3 * *', /has 4 field\(s\), not 5/],
    ['0 3 * * * *', /has 6 field\(s\), not 5/],
    ['', /has 0 field\(s\), not 5/],
    ['@daily', /has 1 field\(s\), not 5/],
    ['60 3 * * *', /minute "60" is not valid \(0-59/],
    ['0 24 * * *', /hour "24" is not valid \(0-23/],
    ['0 3 0 * *', /day-of-month "0" is not valid \(1-31/],
    ['0 3 * 13 *', /month "13" is not valid \(1-12 or names/],
    ['0 3 * * 7', /day-of-week "7" is not valid \(0-6 or names/],
    ['0 3 * * mon-sun', /day-of-week "mon-sun" is not valid/],
    ['*/0 3 * * *', /minute "\*\/0" is not valid/],
    ['0 3 * * funday', /day-of-week "funday" is not valid/],
    ['0 3-1 * * *', /hour "3-1" is not valid/],
  ])('a bad schedule %p', (schedule, why) => {
    expectIssue([withBackup({ schedule })], `${FIELD}.schedule`, new RegExp(`${why.source}.*allowed: a 5-field cron expression`));
  });

  test.each([0, -1, 1.5])('retention %p', (retention) => {
    expectIssue([withBackup({ retention })], `${FIELD}.retention`, /is not allowed; allowed: an integer >= 1/);
  });

  test('a time zone that does not exist', () => {
    expectIssue([withBackup({ timeZone: 'Mars/Olympus' })], `${FIELD}.timeZone`, /not a time zone; allowed: an IANA name/);
  });

  test.each(['0', '-5Gi', 'lots', '500m'])('a volume size %p', (size) => {
    expectIssue([withBackup({ size })], `${FIELD}.size`, /not a positive storage size; allowed: .*20Gi/);
  });

  test('a storage class that is not a name', () => {
    expectIssue([withBackup({ storageClassName: 'Fast Disks' })], `${FIELD}.storageClassName`, /not a StorageClass name; allowed/);
  });

  test('an active deadline below a minute', () => {
    expectIssue([withBackup({ activeDeadlineSeconds: 30 })], `${FIELD}.activeDeadlineSeconds`, /allowed: an integer >= 60/);
  });

  test('resources whose request exceeds the limit', () => {
    expectIssue([withBackup({ resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } } })],
      `${FIELD}.resources.requests.memory`, /exceeds limit 512Mi; allowed: request <= limit/);
  });

  test('every problem is reported at once', () => {
    const fields = issuesOf(withBackup({ schedule: 'nightly', retention: 0, size: 'big' })).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining([`${FIELD}.schedule`, `${FIELD}.retention`, `${FIELD}.size`]));
  });

  test('settings of a disabled backup are refused, naming the switch (they would have no effect)', () => {
    expectIssue([withBackup({ enabled: false, schedule: '0 4 * * *' })], 'environments.test.penpot.backup.schedule',
      /penpot\.backup\.enabled is false.*no effect; allowed: set penpot\.backup\.enabled: true, or remove penpot\.backup\.schedule/);
  });

  test('a disabled backup alone is accepted', () => {
    expect(() => resolveEnvironments([withBackup({ enabled: false })])).not.toThrow();
  });

  test('penpot.backup in an environment without Penpot is refused, naming penpot.enabled', () => {
    expectIssue([minimalEnv({ penpot: { enabled: false, backup: { retention: 3 } }, kubernetesMcp: { enabled: true } })],
      'environments.test.penpot.backup', /penpot\.enabled is false/);
  });
});
