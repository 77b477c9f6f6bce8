/**
 * Thin execution step of the operations scripts: runs kubectl, reads the cluster state the
 * planners need and runs the planned calls. No decision is taken here.
 */
import { spawnSync } from 'node:child_process';
import { contextProblem } from './context';
import { OpsError } from './environment';
import { KubectlCall, NODE_PORT_JSONPATH, SECRET_KEYS_TEMPLATE, formatCall, parseSecretKeys } from './kubectl';

export interface KubectlResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl; `capture` collects stdout/stderr (reads), otherwise kubectl prints to the terminal (writes). */
export type KubectlRunner = (args: readonly string[], options: { readonly stdin?: string; readonly capture: boolean }) => KubectlResult;

export const KUBECTL_MISSING = 'kubectl was not found on PATH. The operations scripts drive kubectl: install it '
  + '(any release within one minor version of the cluster) and point it at the cluster, then run this again. Nothing was done.';

const OFFLINE_HINT = 'Add --offline to print the plan for an empty cluster without kubectl.';

/** The one line of kubectl's stderr worth showing: the last distinct one (kubectl repeats its connection errors). */
export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? '';
}

/**
 * A failed read as one line plus a hint, by what kubectl said: the cluster unreachable, the
 * credentials refused, or anything else (its last line).
 */
export function readFailure(context: string, args: readonly string[], r: KubectlResult): string {
  const said = lastLine(r.stderr) || lastLine(r.stdout) || `exit ${r.status}`;
  const all = `${r.stderr}\n${r.stdout}`;
  if (/Unable to connect to the server|connection (was )?refused|no such host|i\/o timeout|TLS handshake timeout|no route to host|context deadline exceeded|couldn't get current server API group list/i.test(all)) {
    return `The cluster of context ${context} is unreachable: ${said}\n`
      + `Hint: check that its API server is up and that this machine reaches it (VPN, WireGuard, firewall): \`kubectl --context ${context} cluster-info\`. ${OFFLINE_HINT}`;
  }
  if (/Unauthorized|must be logged in|provide credentials/i.test(all)) {
    return `The cluster of context ${context} refused kubectl's credentials: ${said}\n`
      + `Hint: refresh them (a new kubeconfig from the cluster, or \`oc login\` on OpenShift), then run this again.`;
  }
  return `${formatCall({ args })} failed (exit ${r.status}): ${said}`;
}

/** kubectl from PATH. Values only ever reach it on stdin (`input`), never in its argument list. */
export function systemKubectl(cwd: string): KubectlRunner {
  return (args, { stdin, capture }) => {
    const r = spawnSync('kubectl', [...args], {
      cwd,
      input: stdin,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new OpsError(KUBECTL_MISSING);
    if (r.error) throw r.error;
    return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
}

/** The cluster as the scripts see it: every call carries `--context <the environment's context>`. */
export class Cluster {
  constructor(private readonly kubectl: KubectlRunner, readonly context: string, private readonly print: (line: string) => void) {}

  private read(args: readonly string[]): string {
    const full = ['--context', this.context, ...args];
    const r = this.kubectl(full, { capture: true });
    if (r.status !== 0) throw new OpsError(readFailure(this.context, full, r));
    return r.stdout;
  }

  /**
   * Refuses to go on unless kubectl's current context is the environment's; without a kubeconfig
   * or without a current context it says which, with what to do.
   */
  ensureContext(envName: string): void {
    const r = this.kubectl(['--context', this.context, 'config', 'current-context'], { capture: true });
    if (r.status !== 0) {
      const listed = this.kubectl(['--context', this.context, 'config', 'get-contexts', '-o', 'name'], { capture: true });
      const contexts = listed.status === 0 ? listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean) : [];
      if (contexts.length === 0) {
        throw new OpsError(`kubectl has no kubeconfig with a context (it reads $KUBECONFIG, else ~/.kube/config). Nothing was done.\n`
          + `Hint: point KUBECONFIG at the cluster's kubeconfig (k3s: /etc/rancher/k3s/k3s.yaml; k0s: \`k0s kubeconfig admin\`), `
          + `whose context must be ${JSON.stringify(this.context)} (environments.${envName}.operations.kubeContext). ${OFFLINE_HINT}`);
      }
      throw new OpsError(`kubectl's kubeconfig has no current context (its contexts: ${contexts.join(', ')}). Nothing was done.\n`
        + `Hint: \`kubectl config use-context ${this.context}\` if that is environment ${envName}'s cluster (environments.${envName}.operations.kubeContext).`);
    }
    const current = r.stdout.trim();
    const problem = contextProblem(envName, this.context, current);
    if (problem) throw new OpsError(problem);
  }

  existingNamespaces(names: readonly string[]): Set<string> {
    if (names.length === 0) return new Set();
    const out = this.read(['get', 'namespace', ...names, '--ignore-not-found', '-o', 'name']);
    return new Set(out.split('\n').map((l) => l.trim().replace(/^namespace\//, '')).filter(Boolean));
  }

  /** Secret name -> key names in one namespace (values stay in kubectl). */
  secretKeys(namespace: string): Map<string, string[]> {
    return parseSecretKeys(this.read(['-n', namespace, 'get', 'secrets', '-o', `go-template=${SECRET_KEYS_TEMPLATE}`]));
  }

  /** The data of one Secret, kept in memory only (a rotation carries operator values over). */
  secretData(namespace: string, name: string): Record<string, string> {
    return JSON.parse(this.read(['-n', namespace, 'get', 'secret', name, '-o', 'json'])).data ?? {};
  }

  nodePort(namespace: string, service: string): number | undefined {
    const out = this.read(['-n', namespace, 'get', 'service', service, '-o', `jsonpath=${NODE_PORT_JSONPATH}`]).trim();
    return /^\d+$/.test(out) ? Number(out) : undefined;
  }

  /** Which of these CustomResourceDefinitions exist. */
  existingCrds(names: readonly string[]): Set<string> {
    if (names.length === 0) return new Set();
    const out = this.read(['get', 'customresourcedefinitions', ...names, '--ignore-not-found', '-o', 'name']);
    return new Set(out.split('\n').map((l) => l.trim().replace(/^customresourcedefinition[^/]*\//, '')).filter(Boolean));
  }

  claims(namespace: string): string[] {
    return this.read(['-n', namespace, 'get', 'persistentvolumeclaims', '-o', 'name'])
      .split('\n').map((l) => l.trim().replace(/^persistentvolumeclaim\//, '')).filter(Boolean);
  }

  /** Runs planned writes in order; the first failure stops the run (the steps before it are done). */
  execute(calls: readonly KubectlCall[]): void {
    for (const c of calls) {
      this.print(`$ ${formatCall(c)}`);
      const r = this.kubectl(c.args, { stdin: c.stdin, capture: false });
      if (r.status !== 0) {
        throw new OpsError(`${formatCall(c)} failed (exit ${r.status}). The steps before it are done; fix the cause and run this again `
          + '(done steps are skipped or change nothing).');
      }
    }
  }
}
