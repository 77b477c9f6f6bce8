/**
 * Manifest checks over a synthesized dist/ tree: schema validation, cross-object wiring and the
 * Penpot contract. Every check is a pure function returning findings with a stable id, so a test
 * and a policy command can run the same rules.
 */
import { Dist, Finding } from './model';
import { checkLlamaStackRunConfigs, LLAMA_STACK_CHECKS } from './llama-stack-run-config';
import { checkPenpotContract, PENPOT_CHECK_IDS } from './penpot';
import { checkPodLocalState, STATE_CHECKS } from './replicated-state';
import { checkSchemas, SCHEMA_CHECKS } from './schema';
import { checkWiring, WIRING_CHECK_IDS } from './wiring';
import { checkUpstreamContracts, UPSTREAM_CONTRACT_CHECK_IDS } from './upstream-contracts';

export * from './model';
export * from './load';
export * from './lookup';
export * from './schema';
export * from './wiring';
export * from './penpot-install';
export * from './penpot';
export * from './upstream-contracts';

/** Every check id the library can report, e.g. for `--explain` or a policy allow-list. */
export const CHECK_IDS: readonly string[] = [
  ...Object.values(SCHEMA_CHECKS), ...WIRING_CHECK_IDS, ...PENPOT_CHECK_IDS, ...UPSTREAM_CONTRACT_CHECK_IDS,
  ...Object.values(LLAMA_STACK_CHECKS), ...Object.values(STATE_CHECKS),
];

export function runAllChecks(dist: Pick<Dist, 'objects' | 'contracts' | 'dirs'>): Finding[] {
  return [
    ...checkSchemas(dist.objects), ...checkWiring(dist), ...checkPenpotContract(dist.objects), ...checkUpstreamContracts(dist.objects),
    // Generated config files against their programs' own schemas, and state kept in pods.
    ...checkLlamaStackRunConfigs(dist.objects), ...checkPodLocalState(dist.objects),
  ];
}

/** One line per finding: `file: object field: message [check]`; '' when there are none. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => `${f.file ? `${f.file}: ` : ''}${f.object}${f.field ? ` ${f.field}` : ''}: ${f.message} [${f.check}]`)
    .join('\n');
}
