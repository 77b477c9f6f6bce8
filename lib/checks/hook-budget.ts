/**
 * Timing of the PostSync smoke check against what its targets need. Argo CD starts PostSync hooks
 * once the app's resources are healthy, but it has no health check for kMCP's MCPServer: the hook
 * then races the controller-made pods. For every target served by an MCPServer the script's
 * retries ((SMOKE_ATTEMPTS - 1) x SMOKE_RETRY_DELAY_SECONDS, ops/smoke/smoke.sh) must cover the
 * pod's start budget (lib/smoke-budget.ts), and the Job's activeDeadlineSeconds the script's worst case.
 */
import { mcpServerStartBudget } from '../smoke-budget';
import { hookPhasesOf } from './wiring-argo';
import { isMcpServer } from './kmcp-workloads';
import { asArray, asRecord, containerEntriesOf, Finding, findingAt, kindOf, ManifestObject, nameOf, namespaceOf } from './model';

export const HOOK_BUDGET_CHECKS = {
  covers: 'upstream/hook-budget-covers-slowest-target',
  deadline: 'upstream/hook-deadline-covers-retries',
} as const;

function envOf(container: Record<string, any>): Record<string, string> {
  return Object.fromEntries(asArray(container.env).filter((e) => typeof e?.value === 'string').map((e) => [String(e.name), String(e.value)]));
}

/** `<service>.<namespace>` of an in-cluster URL. */
function serviceOf(url: string): { service: string; namespace?: string } | undefined {
  const host = /^https?:\/\/([^/:]+)/.exec(url)?.[1];
  if (!host) return undefined;
  const [service, namespace] = host.split('.');
  return { service, namespace };
}

export function checkHookBudgets(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const job of objects.filter((m) => kindOf(m.doc) === 'Job' && (hookPhasesOf(m.doc) ?? []).includes('PostSync'))) {
    for (const { container, field } of containerEntriesOf(job.doc)) {
      const env = envOf(container);
      if (env.SMOKE_TARGETS === undefined) continue;
      const attempts = Number(env.SMOKE_ATTEMPTS ?? 3);
      const delay = Number(env.SMOKE_RETRY_DELAY_SECONDS ?? 3);
      const timeout = Number(env.SMOKE_TIMEOUT_SECONDS ?? 10);
      const waits = (attempts - 1) * delay;
      const targets = env.SMOKE_TARGETS.split('\n').map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 3);
      for (const [, name, url] of targets) {
        const at = serviceOf(url);
        const server = at && objects.find((m) => m.env === job.env && isMcpServer(m.doc) && nameOf(m.doc) === at.service
          && namespaceOf(m.doc) === (at.namespace ?? namespaceOf(job.doc)));
        if (!server) continue;
        const budget = mcpServerStartBudget(asRecord(server.doc).spec);
        if (waits < budget.seconds) {
          findings.push(findingAt(HOOK_BUDGET_CHECKS.covers, job, `check ${name} targets MCPServer ${nameOf(server.doc)}, which Argo CD cannot wait for `
            + `and whose pod may need ${budget.seconds} s to answer (${budget.parts.join(' + ')}); the script gives up after `
            + `(${attempts} - 1) tries x ${delay} s = ${waits} s: raise SMOKE_ATTEMPTS or SMOKE_RETRY_DELAY_SECONDS`, `${field}.env`));
        }
      }
      const worst = targets.length * (attempts * timeout + (attempts - 1) * delay);
      const deadline = Number(asRecord(job.doc.spec).activeDeadlineSeconds ?? Infinity);
      if (deadline < worst) {
        findings.push(findingAt(HOOK_BUDGET_CHECKS.deadline, job, `activeDeadlineSeconds ${deadline} is shorter than the script's worst case `
          + `${worst} s (${targets.length} checks x (${attempts} x ${timeout} s + ${attempts - 1} x ${delay} s)): the Job is killed before it reports`, 'spec.activeDeadlineSeconds'));
      }
    }
  }
  return findings;
}
