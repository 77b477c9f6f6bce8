/**
 * `npm run policy [-- --env <name>]... [-- --summary]`: runs the policy suite over the committed
 * dist/, prints a table of checks x objects per environment, and exits 1 when a check failed or
 * the exemption list has a stale or invalid entry (2 on bad usage). `--summary` (what `npm test`
 * runs) prints one line when everything passes and the table only when something failed.
 */
import * as path from 'path';
import { parseArgs } from 'node:util';
import { loadDist } from '../lib/checks/load';
import { formatPolicyTable, runPolicy } from '../lib/policy/run';

export const POLICY_OPTIONS = {
  env: { type: 'string', multiple: true },
  summary: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const POLICY_USAGE = `Usage: npm run policy -- [--env <name>]... [--summary]

Runs the policy suite (lib/policy/) over every object of the committed dist/ and prints, per environment, a table
of checks x objects (passed / exempt / failed / n/a), every failure and every exemption with its reason.

  --env <name>    only this environment (repeatable) [all of dist/]
  --summary       one line when everything passes; the table only when something failed (npm test uses it)
  -h, --help      this text

Exit codes: 0 passed, 1 a check failed or the exemption list (lib/policy/exemptions.ts) has a problem, 2 bad usage.`;

export interface PolicyIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export function policyMain(argv: readonly string[], repoRoot: string, io: PolicyIo): number {
  let values: { env?: string[]; summary?: boolean; help?: boolean };
  try {
    values = parseArgs({ args: [...argv], options: POLICY_OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    // `npm run policy --env homelab` (without `--`) hands the script only `homelab`: npm took --env for itself.
    const bare = argv.find((a) => !a.startsWith('-'));
    const hint = bare !== undefined ? `\nnpm passes flags to the script only after \`--\`: did you mean \`npm run policy -- --env ${bare}\`?` : '';
    io.err(`${(err as Error).message}${hint}\n\n${POLICY_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(POLICY_USAGE);
    return 0;
  }
  const dist = loadDist(repoRoot);
  const known = new Set(dist.objects.map((m) => m.env));
  const unknown = (values.env ?? []).filter((e) => !known.has(e));
  if (unknown.length > 0) {
    io.err(`--env: unknown environment(s) ${unknown.join(', ')}; dist/ has ${[...known].join(', ')}\n\n${POLICY_USAGE}`);
    return 2;
  }
  const report = runPolicy(dist, undefined, values.env ? { envs: values.env } : {});
  if (values.summary && report.ok) {
    const c = report.counts;
    io.out(`Policy suite OK: ${report.checks.length} checks x ${report.objects} objects in ${report.envs.length} environment(s): `
      + `${c.passed} passed, ${c.exempt} exempt, 0 failed (the table: npm run policy)`);
  } else {
    io.out(formatPolicyTable(report));
  }
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = policyMain(process.argv.slice(2), path.resolve(__dirname, '..'), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
}
