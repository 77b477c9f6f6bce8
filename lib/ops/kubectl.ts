/**
 * kubectl invocations as data. The planners (secrets-plan, up-plan, down-plan) return lists of
 * {@link KubectlCall}; the execution step (run.ts) runs them. Keeping the calls as plain data is
 * what lets the plans be tested without a cluster and printed by `--dry-run`.
 */

/** Field manager of every server-side apply: stable, so a second apply owns the same fields and changes nothing. */
export const FIELD_MANAGER = 'penpot-mcp-platform';

/** Label on the Secrets `npm run secrets` creates (they are not synthesized, so not `cdk8s`). */
export const SECRETS_MANAGED_BY = 'npm-run-secrets';

/**
 * go-template printing `<name> <key> <key>...` per Secret: the key names of every Secret of a
 * namespace without their values ever leaving kubectl.
 */
export const SECRET_KEYS_TEMPLATE = '{{range .items}}{{.metadata.name}}{{range $k, $v := .data}} {{$k}}{{end}}{{"\\n"}}{{end}}';

/** JSONPath of the node port of a NodePort Service that carries one port (the MCP gateway's). */
export const NODE_PORT_JSONPATH = '{.spec.ports[0].nodePort}';

export interface KubectlCall {
  /** Arguments after `kubectl`, starting with `--context <ctx>`. */
  readonly args: readonly string[];
  /** Text piped to kubectl (a manifest for `-f -`); never printed. */
  readonly stdin?: string;
  /** What travels on stdin, for the printed plan (e.g. `Secret penpot/penpot-postgres, values hidden`). */
  readonly stdinNote?: string;
}

/** A manifest object as far as the operations scripts look at it. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly annotations?: Record<string, string>; readonly labels?: Record<string, string> };
  readonly spec?: any;
  readonly [key: string]: unknown;
}

export function call(context: string, args: readonly string[], stdin?: { text: string; note: string }): KubectlCall {
  return stdin
    ? { args: ['--context', context, ...args], stdin: stdin.text, stdinNote: stdin.note }
    : { args: ['--context', context, ...args] };
}

/** `kind.group/name` (e.g. `deployment.apps/penpot-backend`, `service/penpot-backend`): unambiguous for kubectl. */
export function resourceRef(obj: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return `${obj.kind.toLowerCase()}${group ? `.${group}` : ''}/${obj.metadata.name}`;
}

/** `Kind ns/name` or `Kind name` for messages. */
export function describeObject(obj: Pick<K8sObject, 'kind' | 'metadata'>): string {
  return obj.metadata.namespace ? `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}` : `${obj.kind} ${obj.metadata.name}`;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The call as the operator would type it; stdin is named, never shown. */
export function formatCall(c: KubectlCall): string {
  const line = ['kubectl', ...c.args].map(shellQuote).join(' ');
  return c.stdin === undefined ? line : `${line}   # stdin: ${c.stdinNote ?? 'a manifest'}`;
}

/** Parses the output of {@link SECRET_KEYS_TEMPLATE}: Secret name -> key names. */
export function parseSecretKeys(output: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    const [name, ...keys] = line.trim().split(/\s+/);
    if (name) out.set(name, keys);
  }
  return out;
}
