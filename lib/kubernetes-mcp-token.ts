/**
 * `npm run token -- --env <env> --reader <name> [--duration 24h]`: a fresh, bounded token of one reader's
 * ServiceAccount (`kubectl create token`, with the environment's `--context`), printed on stdout only so
 * that it can go straight into a variable; never written to a file. How to use it goes to stderr.
 * Exit codes: 0 printed, 1 refused or kubectl failed, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { KAGENT_READER, readerServiceAccount, resolveKubernetesMcpIdentity } from './config/kubernetes-mcp-auth';
import { ConfigError, resolveEnvironments, selectEnvironments } from './config/resolve';
import { EnvironmentConfig, EnvironmentInput } from './config/types';
import { KAGENT_CREDENTIAL_KEY, KAGENT_CREDENTIAL_SECRET, KUBERNETES_MCP_TOKEN_ENV } from './kubernetes-mcp-server';
import type { KubectlRunner } from './ops/run';

export const TOKEN_USAGE = `Usage: npm run -s token -- --env <env> --reader <name> [--duration 24h]

Prints a fresh token of the reader's ServiceAccount (kubectl create token, with the environment's
operations.kubeContext) on stdout and nothing else: put it in a variable, never in a file:
  export ${KUBERNETES_MCP_TOKEN_ENV}="$(npm run -s token -- --env <env> --reader <name>)"
How to configure Codex, Claude and MCP Inspector with it is printed on stderr.

  --env <env>         environment (lib/environments/)
  --reader <name>     one of kubernetesMcp.readers (kagent's is built in when kagent is enabled)
  --duration <d>      lifetime, as kubectl reads it (30m, 24h, 8760h); the API server may cap it [24h]
  --write-secret      only with --reader ${KAGENT_READER}: instead of printing it, put "Bearer <token>" into the Secret
                      ${KAGENT_CREDENTIAL_SECRET} that kagent's RemoteMCPServer reads (kubectl apply, manifest on stdin)
  -h, --help          this text`;

export interface TokenIo {
  readonly inputs: readonly EnvironmentInput[];
  readonly kubectl: KubectlRunner;
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
}

class UsageError extends Error {}

/** The URL a laptop client uses for the server (routed host, else the node port), for the snippets. */
function clientUrl(env: EnvironmentConfig): string {
  const k = env.kubernetesMcp;
  if (k.ingressHost) return `${env.cluster.platform === 'openshift' || env.ingress.tlsSecretName ? 'https' : 'http'}://${k.ingressHost}/mcp`;
  if (k.exposure.type === 'NodePort') return `http://<NODE_IP>:${k.exposure.nodePort ?? '<NODE_PORT>'}/mcp`;
  return `http://kubernetes-mcp-server.${k.namespace}:${k.port}/mcp (in-cluster only)`;
}

/** What to do with the token, for stderr: the variable, then each client's configuration (no token value in it). */
export function tokenSnippets(env: EnvironmentConfig, reader: string, duration: string): string[] {
  const v = KUBERNETES_MCP_TOKEN_ENV;
  const url = clientUrl(env);
  return [
    `Token of ServiceAccount ${env.kubernetesMcp.namespace}/${readerServiceAccount(reader)} (valid ${duration}) printed on stdout. Use it through a variable:`,
    `  export ${v}="$(npm run -s token -- --env ${env.name} --reader ${reader} --duration ${duration})"`,
    'Codex (~/.codex/config.toml):',
    '  [mcp_servers.kubernetes]',
    `  url = "${url}"`,
    `  bearer_token_env_var = "${v}"`,
    `Claude Code: claude mcp add --transport http kubernetes ${url} --header "Authorization: Bearer \$${v}"`,
    `  or .mcp.json: {"mcpServers": {"kubernetes": {"type": "http", "url": "${url}", "headers": {"Authorization": "Bearer \${${v}}"}}}}`,
    `MCP Inspector: Streamable HTTP, URL ${url}, header Authorization = Bearer <the token> (or --header "Authorization: Bearer \$${v}" on its CLI)`,
  ];
}

/** kagent's header Secret, applied with the manifest on kubectl's stdin (the token is in no argument and no file). */
function writeKagentSecret(io: TokenIo, env: EnvironmentConfig, token: string, duration: string): number {
  const ns = env.kubernetesMcp.namespace;
  const secret = {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: KAGENT_CREDENTIAL_SECRET, namespace: ns, labels: { 'app.kubernetes.io/part-of': 'kagent', 'app.kubernetes.io/managed-by': 'npm-run-token' } },
    stringData: { [KAGENT_CREDENTIAL_KEY]: `Bearer ${token}` },
  };
  const args = ['--context', env.operations.kubeContext, 'apply', '--server-side', '--field-manager=penpot-mcp-platform', '-f', '-'];
  const r = io.kubectl(args, { capture: true, stdin: JSON.stringify(secret) });
  if (r.status !== 0) {
    io.err(`kubectl ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
    return 1;
  }
  io.err(`Secret ${ns}/${KAGENT_CREDENTIAL_SECRET} holds a token of ${readerServiceAccount(KAGENT_READER)} valid ${duration}; `
    + `run this again before it expires (kagent reads the header from the Secret).`);
  return 0;
}

function isParseArgsError(err: unknown): err is Error {
  return err instanceof TypeError && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
}

export function tokenMain(argv: readonly string[], io: TokenIo): number {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        env: { type: 'string' }, reader: { type: 'string' }, duration: { type: 'string' },
        'write-secret': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) { io.err(TOKEN_USAGE); return 0; }
    if (!values.env) throw new UsageError(`--env is required; allowed: ${io.inputs.map((i) => i.name).join(', ')}`);
    if (!values.reader) throw new UsageError('--reader is required');
    const duration = values.duration ?? '24h';
    if (!/^([0-9]+(s|m|h))+$/.test(duration)) throw new UsageError(`--duration ${JSON.stringify(duration)} is not a duration; allowed: e.g. 30m, 24h, 8760h`);
    const writeSecret = values['write-secret'] === true;
    if (writeSecret && values.reader !== KAGENT_READER) throw new UsageError(`--write-secret is only for --reader ${KAGENT_READER} (its RemoteMCPServer reads the Secret)`);
    const [env] = selectEnvironments(resolveEnvironments(io.inputs), [values.env]);
    const k = env.kubernetesMcp;
    if (!k.enabled) { io.err(`environments.${env.name}: kubernetesMcp is not enabled: there is no server to get a token for.`); return 1; }
    const identity = resolveKubernetesMcpIdentity(env);
    if (identity.mode !== 'kubernetes-token') {
      io.err(`environments.${env.name}.kubernetesMcp.auth.mode is ${JSON.stringify(identity.mode)}: `
        + (identity.mode === 'oidc' ? 'tokens come from the OIDC issuer, not from a ServiceAccount.' : 'the server takes no token.'));
      return 1;
    }
    if (!identity.readers.includes(values.reader)) {
      io.err(`"${values.reader}" is not a reader of ${env.name}; allowed: ${identity.readers.join(', ') || '(none: add it to kubernetesMcp.readers, synth and sync)'}`);
      return 1;
    }
    const args = ['--context', env.operations.kubeContext, '-n', k.namespace, 'create', 'token', readerServiceAccount(values.reader), '--duration', duration];
    const r = io.kubectl(args, { capture: true });
    if (r.status !== 0) {
      io.err(`kubectl ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
      return 1;
    }
    const token = r.stdout.trim();
    if (token === '' || /\s/.test(token)) { io.err(`kubectl ${args.join(' ')} printed no single token`); return 1; }
    if (writeSecret) return writeKagentSecret(io, env, token, duration);
    io.out(`${token}\n`);
    tokenSnippets(env, values.reader, duration).forEach((l) => io.err(l));
    return 0;
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) { io.err(`${(err as Error).message}\n\n${TOKEN_USAGE}`); return 2; }
    if (err instanceof ConfigError) { io.err(err.message); return /unknown environment|not an environment/i.test(err.message) ? 2 : 1; }
    throw err;
  }
}
