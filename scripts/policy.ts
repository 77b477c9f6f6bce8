/**
 * `npm run policy [-- --env <name>]...`: runs the policy suite over the committed dist/, prints
 * a table of checks x objects per environment, and exits 1 when a check failed or the exemption
 * list has a stale or invalid entry (2 on bad usage).
 */
import * as path from 'path';
import { loadDist } from '../lib/checks/load';
import { formatPolicyTable, runPolicy } from '../lib/policy/run';

function parseArgs(argv: readonly string[]): { envs?: string[] } {
  const envs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--env' && argv[i + 1] !== undefined) envs.push(argv[++i]);
    else if (arg.startsWith('--env=')) envs.push(arg.slice('--env='.length));
    else throw new Error(`unknown argument '${arg}'; usage: policy [--env <name>]...`);
  }
  return envs.length > 0 ? { envs } : {};
}

function main(): number {
  let options: { envs?: string[] };
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const repoRoot = path.resolve(__dirname, '..');
  const dist = loadDist(repoRoot);
  const known = new Set(dist.objects.map((m) => m.env));
  const unknown = (options.envs ?? []).filter((e) => !known.has(e));
  if (unknown.length > 0) {
    console.error(`unknown environment(s) ${unknown.join(', ')}; dist/ has ${[...known].join(', ')}`);
    return 2;
  }
  const report = runPolicy(dist, undefined, options);
  console.log(formatPolicyTable(report));
  return report.ok ? 0 : 1;
}

process.exitCode = main();
