/**
 * The policy suite: every check, by theme. Ids are stable; exemptions and reports refer to them.
 */
import { AVAILABILITY_CHECKS } from './checks-availability';
import { NAMESPACE_CHECKS } from './checks-namespace';
import { IDENTITY_CHECKS } from './checks-identity';
import { NETWORK_CHECKS } from './checks-network';
import { RBAC_CHECKS } from './checks-rbac';
import { SECURITY_CHECKS } from './checks-security';
import { WORKLOAD_CHECKS } from './checks-workload';
import { PolicyCheck } from './model';

export * from './checks-availability';
export * from './checks-identity';
export * from './checks-namespace';
export * from './checks-network';
export * from './checks-rbac';
export * from './checks-security';
export * from './checks-workload';

export const POLICY_CHECKS: readonly PolicyCheck[] = [
  ...WORKLOAD_CHECKS, ...AVAILABILITY_CHECKS, ...SECURITY_CHECKS, ...RBAC_CHECKS, ...NETWORK_CHECKS, ...NAMESPACE_CHECKS, ...IDENTITY_CHECKS,
];

/** Ids the runner reports about the exemption list itself. */
export const EXEMPTION_CHECKS = {
  stale: 'policy/stale-exemption',
  invalid: 'policy/invalid-exemption',
} as const;

export const POLICY_CHECK_IDS: readonly string[] = POLICY_CHECKS.map((c) => c.id);
