import * as path from 'node:path';
import { loadDist } from '../lib/checks';
import { EXEMPTIONS } from '../lib/policy/exemptions';
import { formatPolicyTable, runPolicy } from '../lib/policy/run';

const dist = loadDist(path.resolve(__dirname, '..'));

describe('policy suite over the committed dist/', () => {
  const report = runPolicy(dist);

  test('every environment passes every check with zero unexempted findings', () => {
    expect(report.envs).toEqual(expect.arrayContaining(['homelab', 'example', 'k0s-dev', 'openshift']));
    expect(report.checks.length).toBeGreaterThanOrEqual(30);
    const failed = report.results.filter((r) => r.status === 'failed');
    expect(failed.length === 0 ? '' : formatPolicyTable(report)).toBe('');
    expect(report.ok).toBe(true);
  });

  test('every exemption in the list is used and has a reason', () => {
    expect(report.exemptionProblems).toEqual([]);
    for (const e of EXEMPTIONS) expect(e.reason.length).toBeGreaterThan(40);
  });

  test('an exemption that matches nothing fails the run as stale', () => {
    const stale = runPolicy(dist, [...EXEMPTIONS, { check: 'security/privileged', object: 'Deployment penpot/penpot-frontend', reason: 'matches no violation' }]);
    expect(stale.ok).toBe(false);
    expect(stale.exemptionProblems.map((p) => p.check)).toContain('policy/stale-exemption');
  });

  test('without the exemption list the known exceptions show up as failures (the checks bite on dist)', () => {
    const bare = runPolicy(dist, []);
    const failedChecks = new Set(bare.results.filter((r) => r.status === 'failed').map((r) => r.check));
    expect([...failedChecks].sort()).toEqual(['security/automount-token', 'security/capabilities', 'security/read-only-root-fs', 'security/run-as-non-root']);
  });
});
