/**
 * How long a workload Argo CD cannot see may need, after its sync, before it answers. Argo CD has
 * no health check for `kagent.dev/MCPServer` (upstream.md section 5): the object is "healthy" once
 * applied, so the PostSync smoke check starts while the kMCP controller is still creating the
 * Deployment and its pod is pulling images and downloading its package. The budget is the sum of
 * what that pod must do; the smoke check retries for at least that long.
 *
 * The allowances are deliberate upper estimates for a small cluster on a home or office uplink
 * (a node image of ~50 MB, an npm package tree of a few MB fetched by `npx -y` at every start,
 * as the pod has no package cache that survives it).
 */
import { asArray, asRecord, asString } from './checks/model';

export const START_ALLOWANCES = {
  /** The controller turns the MCPServer into a Deployment and Service (watch, reconcile, scheduling). */
  reconcileSeconds: 30,
  /** One image not yet on the node. */
  imagePullSeconds: 120,
  /** A package runner (`npx -y`, `uvx`, ...) resolving and downloading the server's package tree. */
  packageDownloadSeconds: 180,
  /** The server process starting to listen. */
  processStartSeconds: 30,
} as const;

/** Commands that download the server's package when the pod starts. */
export const PACKAGE_RUNNERS: readonly string[] = ['npx', 'pnpx', 'bunx', 'uvx', 'pipx'];

export interface StartBudget {
  readonly seconds: number;
  /** What it is made of, for the runbook, e.g. `2 image pulls x 120 s`. */
  readonly parts: readonly string[];
}

/**
 * The start budget of the pod kMCP makes for an MCPServer `spec` (the object's `spec`, as in
 * dist/): the server image, for stdio also the transport adapter image (its init container), and
 * the package download when `cmd` is a package runner (kmcp-workloads.ts models the same pod).
 */
export function mcpServerStartBudget(spec: unknown): StartBudget {
  const s = asRecord(spec);
  const d = asRecord(s.deployment);
  const images = s.transportType === 'http' ? 1 : 2;
  const cmd = (asString(d.cmd) ?? '').split('/').pop() ?? '';
  const downloads = PACKAGE_RUNNERS.includes(cmd) || (cmd === 'npm' && asArray(d.args).includes('exec')) ? 1 : 0;
  const a = START_ALLOWANCES;
  const parts = [
    `controller reconcile ${a.reconcileSeconds} s`,
    `${images} image pull${images > 1 ? 's' : ''} x ${a.imagePullSeconds} s`,
    ...(downloads ? [`package download (${cmd}) ${a.packageDownloadSeconds} s`] : []),
    `process start ${a.processStartSeconds} s`,
  ];
  return { seconds: a.reconcileSeconds + images * a.imagePullSeconds + downloads * a.packageDownloadSeconds + a.processStartSeconds, parts };
}

/** Tries needed so that `(tries - 1) x delay` covers `budgetSeconds` (the script sleeps between tries). */
export function attemptsFor(budgetSeconds: number, retryDelaySeconds: number, minimum: number): number {
  return Math.max(minimum, 1 + Math.ceil(budgetSeconds / retryDelaySeconds));
}
