/** The runner: exemptions (applied, container- and env-limited, stale, invalid), environments, and the table. */
import { EXEMPTIONS } from '../../lib/policy/exemptions';
import { Exemption, PolicyCheck } from '../../lib/policy/model';
import { formatPolicyTable, runPolicy } from '../../lib/policy/run';
import { edit, good, mainOf, mo, NS, podOf } from './fixtures';

const WEB = `Deployment ${NS}/web`;
const RO = 'security/read-only-root-fs';
const REASON = 'the image writes its cache below /var/cache at start';

/** Both containers of web (init and main) have a writable root filesystem. */
const writable = () => edit(good(), 'Deployment', 'web', (d) => {
  mainOf(d).securityContext.readOnlyRootFilesystem = false;
  podOf(d).initContainers[0].securityContext.readOnlyRootFilesystem = false;
});

const resultOf = (report: ReturnType<typeof runPolicy>, check: string, object: string, env = 'test') =>
  report.results.find((r) => r.check === check && r.object === object && r.env === env)!;

describe('exemptions', () => {
  it('turns covered violations into exempt results with their reason', () => {
    const report = runPolicy({ objects: writable() }, [{ check: RO, object: WEB, reason: REASON }]);
    const result = resultOf(report, RO, WEB);
    expect(result.status).toBe('exempt');
    expect(result.violations).toEqual([]);
    expect(result.exempted.map((v) => [v.container, v.reason])).toEqual([['web', REASON], ['init', REASON]]);
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual(expect.objectContaining({ failed: 0, exempt: 1, exemptionProblems: 0 }));
  });

  it('limits an exemption with a container to that container', () => {
    const report = runPolicy({ objects: writable() }, [{ check: RO, object: WEB, container: 'init', reason: REASON }]);
    const result = resultOf(report, RO, WEB);
    expect(result.status).toBe('failed');
    expect(result.violations.map((v) => v.container)).toEqual(['web']);
    expect(result.exempted.map((v) => v.container)).toEqual(['init']);
    expect(report.ok).toBe(false);
  });

  it('limits an exemption with an env to that environment', () => {
    const objects = [...writable(), ...writable().map((m) => mo(m.doc, 'prod'))];
    const report = runPolicy({ objects }, [{ check: RO, object: WEB, env: 'prod', reason: REASON }]);
    expect(resultOf(report, RO, WEB, 'prod').status).toBe('exempt');
    expect(resultOf(report, RO, WEB, 'test').status).toBe('failed');
    expect(report.exemptionProblems).toEqual([]);
  });

  it('reports an exemption that matches no violation as stale', () => {
    const stale: Exemption = { check: RO, object: WEB, reason: REASON };
    const report = runPolicy({ objects: good() }, [stale]);
    expect(report.exemptionProblems).toEqual([expect.objectContaining({ check: 'policy/stale-exemption', index: 0, exemption: stale })]);
    expect(report.ok).toBe(false);
  });

  it('reports a container or env exemption that matches nothing as stale', () => {
    const report = runPolicy({ objects: writable() }, [
      { check: RO, object: WEB, container: 'sidecar', reason: REASON },
      { check: RO, object: WEB, env: 'prod', reason: REASON },
    ]);
    expect(report.exemptionProblems.map((p) => [p.check, p.index])).toEqual([['policy/stale-exemption', 0], ['policy/stale-exemption', 1]]);
  });

  it.each<[string, Exemption, string]>([
    ['an unknown check id', { check: 'security/read-only-rootfs', object: WEB, reason: REASON }, 'unknown check'],
    ['a wildcard object', { check: RO, object: '*', reason: REASON }, 'wildcards'],
    ['a wildcard name', { check: RO, object: `Deployment ${NS}/*`, reason: REASON }, 'wildcards'],
    ['an object without kind', { check: RO, object: `${NS}/web`, reason: REASON }, 'Kind namespace/name'],
    ['an empty reason', { check: RO, object: WEB, reason: ' ' }, 'reason'],
    ['an empty container', { check: RO, object: WEB, container: '', reason: REASON }, 'container'],
  ])('reports %s as invalid and does not apply it', (_what, exemption, message) => {
    const report = runPolicy({ objects: writable() }, [exemption]);
    expect(report.exemptionProblems).toEqual([expect.objectContaining({ check: 'policy/invalid-exemption', index: 0 })]);
    expect(report.exemptionProblems[0].message).toContain(message);
    expect(resultOf(report, RO, WEB).status).toBe('failed');
  });

  it('reports a repeated exemption as invalid', () => {
    const e: Exemption = { check: RO, object: WEB, reason: REASON };
    const report = runPolicy({ objects: writable() }, [e, { ...e }]);
    expect(report.exemptionProblems.map((p) => [p.check, p.index])).toEqual([['policy/invalid-exemption', 1]]);
  });

  it('keeps the shipped list valid: every entry names a known check, a concrete object and a reason', () => {
    const report = runPolicy({ objects: [] }, EXEMPTIONS);
    expect(report.exemptionProblems.filter((p) => p.check !== 'policy/stale-exemption')).toEqual([]);
  });
});

describe('runPolicy', () => {
  it('reports every (object, check) pair, not-applicable included', () => {
    const report = runPolicy({ objects: good() });
    expect(report.results).toHaveLength(good().length * report.checks.length);
    expect(resultOf(report, 'cronjob/deadline', WEB).status).toBe('not-applicable');
    expect(report.envs).toEqual(['test']);
  });

  it('reports only the selected environments but judges staleness over all of them', () => {
    const objects = [...good(), ...writable().map((m) => mo(m.doc, 'prod'))];
    const report = runPolicy({ objects }, [{ check: RO, object: WEB, reason: REASON }], { envs: ['test'] });
    expect(report.envs).toEqual(['test']);
    expect(new Set(report.results.map((r) => r.env))).toEqual(new Set(['test']));
    expect(report.objects).toBe(good().length);
    expect(report.exemptionProblems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('fails an object when a check throws instead of passing it', () => {
    const broken: PolicyCheck = {
      id: 'test/broken', severity: 'danger', description: 'throws', appliesTo: () => true,
      check: () => { throw new Error('boom'); },
    };
    const report = runPolicy({ objects: good().slice(0, 1) }, [], { checks: [broken] });
    expect(report.results[0]).toEqual(expect.objectContaining({ status: 'failed', violations: [expect.objectContaining({ message: 'check crashed: boom' })] }));
  });
});

describe('formatPolicyTable', () => {
  const report = runPolicy({ objects: writable() }, [
    { check: RO, object: WEB, container: 'init', reason: REASON },
    { check: 'security/privileged', object: WEB, reason: 'left over from a removed debug sidecar' },
  ]);
  const text = formatPolicyTable(report);
  const lines = text.split('\n');

  it('prints a header and one row per check with passed, exempt, failed and n/a counts', () => {
    expect(lines[0]).toMatch(/^Policy suite: \d+ checks x 13 objects in 1 environment\(s\) \(test\); 2 exemption\(s\)$/);
    expect(text).toContain('== test: 13 objects ==');
    const row = lines.find((l) => l.includes(` ${RO} `))!;
    expect(row.startsWith('✗')).toBe(true);
    expect(row.trim().split(/\s+/).slice(-4)).toEqual(['3', '0', '1', '9']);
    for (const c of report.checks) expect(lines.some((l) => l.includes(` ${c.id} `))).toBe(true);
  });

  it('lists failures with object, container, field and message, and exemptions with their reason', () => {
    expect(text).toContain(`FAIL ${RO} ${WEB} [web] spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: `
      + "container 'web' can write to its root filesystem");
    expect(text).toContain(`EXEMPT ${RO} ${WEB} [init] spec.template.spec.initContainers[0].securityContext.readOnlyRootFilesystem: `
      + `container 'init' can write to its root filesystem -- reason: ${REASON}`);
  });

  it('lists problems with the exemption list and ends with the verdict', () => {
    expect(text).toContain('== exemption list (lib/policy/exemptions.ts) ==');
    expect(text).toContain(`FAIL policy/stale-exemption #1 security/privileged ${WEB}: matches no violation in any environment`);
    expect(lines[lines.length - 1]).toMatch(/^FAILED: \d+ passed, 0 exempt, 1 failed, \d+ not applicable; 1 exemption problem\(s\)$/);
  });

  it('ends with OK when nothing failed', () => {
    expect(formatPolicyTable(runPolicy({ objects: good() }, [])).split('\n').pop()).toMatch(/^OK: /);
  });
});
