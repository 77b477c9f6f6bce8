/**
 * Runs the policy suite over a dist: every check against every object of every environment,
 * exemptions applied, the exemption list itself checked (stale or invalid entries fail), and a
 * compact table of the outcome.
 */
import { Dist, objectId } from '../checks/model';
import { EXEMPTION_CHECKS, POLICY_CHECKS } from './checks';
import { contextsByEnv } from './context';
import { EXEMPTIONS } from './exemptions';
import { Exemption, PolicyCheck, PolicyViolation, Severity } from './model';

export type PolicyStatus = 'passed' | 'exempt' | 'failed' | 'not-applicable';

export interface ExemptedViolation extends PolicyViolation {
  readonly reason: string;
}

/** Outcome of one check on one object. */
export interface PolicyResult {
  readonly env: string;
  readonly file: string;
  /** `Kind namespace/name`, the form exemptions use. */
  readonly object: string;
  readonly check: string;
  readonly severity: Severity;
  readonly status: PolicyStatus;
  /** Violations no exemption covers; non-empty exactly when status is 'failed'. */
  readonly violations: readonly PolicyViolation[];
  /** Violations an exemption covers, with its reason. */
  readonly exempted: readonly ExemptedViolation[];
}

export interface ExemptionProblem {
  readonly check: (typeof EXEMPTION_CHECKS)[keyof typeof EXEMPTION_CHECKS];
  /** Position in the exemption list. */
  readonly index: number;
  readonly exemption: Exemption;
  readonly message: string;
}

export interface PolicyCounts {
  readonly passed: number;
  readonly exempt: number;
  readonly failed: number;
  readonly notApplicable: number;
  readonly exemptionProblems: number;
}

export interface PolicyReport {
  /** Environments reported on, in dist order. */
  readonly envs: readonly string[];
  readonly checks: readonly Pick<PolicyCheck, 'id' | 'severity' | 'description'>[];
  /** Objects in the reported environments. */
  readonly objects: number;
  readonly exemptions: number;
  /** One per (environment, object, check), not-applicable included. */
  readonly results: readonly PolicyResult[];
  readonly exemptionProblems: readonly ExemptionProblem[];
  readonly counts: PolicyCounts;
  /** True when nothing failed and the exemption list has no problem. */
  readonly ok: boolean;
}

export interface PolicyOptions {
  /**
   * Report only these environments. Checks still run over every environment, so an exemption
   * that matches only in an environment left out of the report is not called stale.
   */
  readonly envs?: readonly string[];
  /** The checks to run; defaults to the whole suite (tests pass a subset). */
  readonly checks?: readonly PolicyCheck[];
}

const OBJECT_FORMAT = /^[A-Za-z][A-Za-z0-9]* [^\s/]+(\/[^\s/]+)?$/;

/** Problems with the list itself, by index; invalid entries are not applied. */
function validateExemptions(exemptions: readonly Exemption[], checkIds: ReadonlySet<string>): ExemptionProblem[] {
  const problems: ExemptionProblem[] = [];
  const seen = new Map<string, number>();
  exemptions.forEach((exemption, index) => {
    const invalid = (message: string): void => { problems.push({ check: EXEMPTION_CHECKS.invalid, index, exemption, message }); };
    const { check, object, container, env, reason } = exemption;
    if (!checkIds.has(check)) invalid(`names unknown check '${check}'`);
    else if (typeof object !== 'string' || object.includes('*') || !OBJECT_FORMAT.test(object)) {
      invalid(`object ${JSON.stringify(object)} is not 'Kind namespace/name' or 'Kind name' (wildcards are not allowed)`);
    } else if (container !== undefined && (container === '' || container.includes('*'))) invalid(`container ${JSON.stringify(container)} must be a container name`);
    else if (env !== undefined && (env === '' || env.includes('*'))) invalid(`env ${JSON.stringify(env)} must be an environment name`);
    else if (typeof reason !== 'string' || reason.trim().length < 10) invalid('needs a reason (at least a sentence)');
    else {
      const key = JSON.stringify([check, object, container ?? null, env ?? null]);
      const first = seen.get(key);
      if (first !== undefined) invalid(`repeats exemption #${first}`);
      else seen.set(key, index);
    }
  });
  return problems;
}

function exemptionMatches(e: Exemption, env: string, check: string, object: string, v: PolicyViolation): boolean {
  return e.check === check && e.object === object && (e.env === undefined || e.env === env)
    && (e.container === undefined || e.container === v.container);
}

export function runPolicy(
  dist: Pick<Dist, 'objects'>, exemptions: readonly Exemption[] = EXEMPTIONS, options: PolicyOptions = {},
): PolicyReport {
  const checks = options.checks ?? POLICY_CHECKS;
  const problems = validateExemptions(exemptions, new Set(checks.map((c) => c.id)));
  const invalid = new Set(problems.map((p) => p.index));
  const usable = exemptions.map((e, i) => ({ e, i })).filter(({ i }) => !invalid.has(i));
  const used = new Set<number>();
  const contexts = contextsByEnv(dist.objects);
  const reported = (env: string): boolean => options.envs === undefined || options.envs.includes(env);
  const results: PolicyResult[] = [];

  for (const [env, ctx] of contexts) {
    for (const m of ctx.objects) {
      const object = objectId(m.doc);
      for (const check of checks) {
        const base = { env, file: m.file, object, check: check.id, severity: check.severity };
        if (!check.appliesTo(m.doc)) {
          if (reported(env)) results.push({ ...base, status: 'not-applicable', violations: [], exempted: [] });
          continue;
        }
        let found: PolicyViolation[];
        try {
          found = check.check(m.doc, ctx);
        } catch (err) {
          // A crashing check must fail loudly, never pass silently.
          found = [{ field: '', message: `check crashed: ${(err as Error).message}` }];
        }
        const violations: PolicyViolation[] = [];
        const exempted: ExemptedViolation[] = [];
        for (const v of found) {
          if (v.acknowledged !== undefined) {
            exempted.push({ ...v, reason: `acknowledged in the environment's config: ${v.acknowledged}` });
            continue;
          }
          const match = usable.find(({ e }) => exemptionMatches(e, env, check.id, object, v));
          if (match) {
            used.add(match.i);
            exempted.push({ ...v, reason: match.e.reason });
          } else {
            violations.push(v);
          }
        }
        if (!reported(env)) continue;
        const status: PolicyStatus = violations.length > 0 ? 'failed' : exempted.length > 0 ? 'exempt' : 'passed';
        results.push({ ...base, status, violations, exempted });
      }
    }
  }

  for (const { e, i } of usable) {
    if (!used.has(i)) {
      problems.push({
        check: EXEMPTION_CHECKS.stale, index: i, exemption: e,
        message: `matches no violation${e.env ? ` in env '${e.env}'` : ' in any environment'}: remove it`,
      });
    }
  }
  problems.sort((a, b) => a.index - b.index);

  const count = (s: PolicyStatus): number => results.filter((r) => r.status === s).length;
  const counts: PolicyCounts = {
    passed: count('passed'), exempt: count('exempt'), failed: count('failed'), notApplicable: count('not-applicable'),
    exemptionProblems: problems.length,
  };
  const envs = [...contexts.keys()].filter(reported);
  return {
    envs,
    checks: checks.map(({ id, severity, description }) => ({ id, severity, description })),
    objects: dist.objects.filter((m) => reported(m.env)).length,
    exemptions: exemptions.length,
    results,
    exemptionProblems: problems,
    counts,
    ok: counts.failed === 0 && problems.length === 0,
  };
}

function pad(s: string | number, width: number, right = false): string {
  const text = String(s);
  return right ? text.padStart(width) : text.padEnd(width);
}

const where = (v: PolicyViolation): string => `${v.container ? `[${v.container}] ` : ''}${v.field ? `${v.field}: ` : ''}`;

export function describeExemption(e: Exemption): string {
  return `${e.check} ${e.object}${e.container ? ` [${e.container}]` : ''}${e.env ? ` (env ${e.env})` : ''}`;
}

/**
 * The report as text: per environment one row per check (passed / exempt / failed / n/a objects),
 * then every failure and every exemption with its reason; then problems with the exemption list
 * and a summary line.
 */
export function formatPolicyTable(report: PolicyReport): string {
  const lines: string[] = [];
  const idWidth = Math.max(5, ...report.checks.map((c) => c.id.length));
  lines.push(`Policy suite: ${report.checks.length} checks x ${report.objects} objects in ${report.envs.length} `
    + `environment(s) (${report.envs.join(', ') || 'none'}); ${report.exemptions} exemption(s)`);
  for (const env of report.envs) {
    const results = report.results.filter((r) => r.env === env);
    const objects = new Set(results.map((r) => `${r.file}\u0000${r.object}`)).size;
    lines.push('', `== ${env || '(no environment)'}: ${objects} objects ==`);
    lines.push(`  ${pad('check', idWidth)}  ${pad('severity', 8)}  ${pad('passed', 6, true)}  ${pad('exempt', 6, true)}  ${pad('failed', 6, true)}  ${pad('n/a', 4, true)}`);
    for (const c of report.checks) {
      const mine = results.filter((r) => r.check === c.id);
      const n = (s: PolicyStatus): number => mine.filter((r) => r.status === s).length;
      const failed = n('failed');
      lines.push(`${failed > 0 ? '✗' : ' '} ${pad(c.id, idWidth)}  ${pad(c.severity, 8)}  ${pad(n('passed'), 6, true)}  `
        + `${pad(n('exempt'), 6, true)}  ${pad(failed, 6, true)}  ${pad(n('not-applicable'), 4, true)}`);
    }
    const failedResults = results.filter((r) => r.status === 'failed');
    if (failedResults.length > 0) {
      lines.push('  failed:');
      for (const r of failedResults) {
        for (const v of r.violations) lines.push(`    FAIL ${r.check} ${r.object} ${where(v)}${v.message}`);
      }
    }
    const exempted = results.filter((r) => r.exempted.length > 0);
    if (exempted.length > 0) {
      lines.push('  exempt:');
      for (const r of exempted) {
        for (const v of r.exempted) lines.push(`    EXEMPT ${r.check} ${r.object} ${where(v)}${v.message} -- reason: ${v.reason}`);
      }
    }
  }
  if (report.exemptionProblems.length > 0) {
    lines.push('', '== exemption list (lib/policy/exemptions.ts) ==');
    for (const p of report.exemptionProblems) {
      lines.push(`    FAIL ${p.check} #${p.index} ${describeExemption(p.exemption)}: ${p.message}`);
    }
  }
  const c = report.counts;
  lines.push('', `${report.ok ? 'OK' : 'FAILED'}: ${c.passed} passed, ${c.exempt} exempt, ${c.failed} failed, `
    + `${c.notApplicable} not applicable; ${c.exemptionProblems} exemption problem(s)`);
  return lines.join('\n');
}
