/**
 * Entry points of `npm run secrets`, `npm run up` and `npm run down`: parse the arguments, load
 * the environment, read the cluster, plan (pure, lib/ops/*-plan.ts), print the plan, and unless
 * `--dry-run` run it. Each returns the process exit code: 0 done, 1 refused or failed, 2 bad usage.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/resolve';
import { isHostName } from '../config/rules';
import { EnvironmentInput } from '../config/types';
import { connectionLines, nodePortServices } from './connection';
import { appNamespaces, planDown } from './down-plan';
import { loadOpsEnvironment, OpsApp, OpsEnvironment, OpsError, selectApp } from './environment';
import { KubectlCall, formatCall } from './kubectl';
import { Cluster, KubectlRunner } from './run';
import { planSecrets, secretsNeedingLiveData } from './secrets-plan';
import { planUp, secretNamespaces } from './up-plan';

export interface OpsIo {
  /** Repository root: `dist/` lives there and kubectl runs there. */
  readonly repoRoot: string;
  readonly inputs: readonly EnvironmentInput[];
  /** Environment variables (operator values). */
  readonly variables: Readonly<Record<string, string | undefined>>;
  readonly kubectl: KubectlRunner;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

class UsageError extends Error {}

const ENV_RULE = 'Values only the operator has (source "operator") come from the variable <SECRET>__<KEY> (upper case, every other\n'
  + 'character as _), e.g. PENPOT_POSTGRES__POSTGRES_USER=penpot; files (a TLS certificate) from <SECRET>__<KEY>_FILE=<path>.';

export const SECRETS_USAGE = `Usage: npm run secrets -- --env <env> [--dry-run] [--rotate <secret>]...

Creates every Secret of the environment's secrets contract (dist/<env>/SECRETS.md) that the cluster lacks.
Random values are generated (node:crypto) and go to kubectl on stdin only: never printed, never on disk.
${ENV_RULE}
Existing Secrets are kept. Missing Namespaces are created from the synthesized manifests.

  --env <env>         environment (lib/environments/); kubectl's current context must be its operations.kubeContext
  --rotate <secret>   replace this Secret (name, or namespace/name) with new random values; operator values are
                      taken from their variables, else kept from the live Secret. Repeatable.
  --dry-run           print the plan (create / keep / rotate per Secret and key), change nothing
  -h, --help          this text`;

export const UP_USAGE = `Usage: npm run up -- --env <env> --app <app> [--dry-run] [--timeout 300s] [--node-ip <ip>]

Without Argo CD: checks the Secrets the app reads exist, server-side applies dist/<env>/<app>/, waits for its
Deployments and StatefulSets to roll out and prints how to connect. Running it again changes nothing.

  --env <env>         environment; kubectl's current context must be its operations.kubeContext
  --app <app>         folder of dist/<env>/ (penpot, mcp)
  --timeout <d>       how long to wait for each rollout, as kubectl reads it (300s, 10m) [300s]
  --node-ip <ip>      the node address clients use (e.g. its WireGuard IP), for NodePort URLs
  --dry-run           print the plan and the connection info, change nothing
  -h, --help          this text`;

export const DOWN_USAGE = `Usage: npm run down -- --env <env> --app <app> [--delete-namespace] [--delete-data] [--dry-run]

Deletes the app's objects (missing ones are ignored: running it twice is fine). Kept unless a flag says otherwise:
the Namespace with its Secrets, and every PersistentVolumeClaim (including a StatefulSet's data-<name>-<n>).

  --env <env>           environment; kubectl's current context must be its operations.kubeContext
  --app <app>           folder of dist/<env>/ (penpot, mcp)
  --delete-data         also delete the PersistentVolumeClaims, and with them the data
  --delete-namespace    also delete the Namespace and what is left in it (needs --delete-data)
  --dry-run             print the plan, change nothing
  -h, --help            this text`;

function isParseArgsError(err: unknown): err is Error {
  return err instanceof TypeError && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
}

function guarded(io: OpsIo, usage: string, body: () => number): number {
  try {
    return body();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof OpsError) {
      io.err(err.message);
      return 1;
    }
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.err(`${(err as Error).message}\n\n${usage}`);
      return 2;
    }
    throw err;
  }
}

function requireEnv(io: OpsIo, env: string | undefined): string {
  if (env === undefined) throw new UsageError(`--env is required; allowed: ${io.inputs.map((i) => i.name).join(', ')}`);
  return env;
}

function load(io: OpsIo, envName: string): { model: OpsEnvironment; cluster: Cluster } {
  const model = loadOpsEnvironment(io.inputs, envName, io.repoRoot);
  const cluster = new Cluster(io.kubectl, model.kubeContext, io.out);
  cluster.ensureContext(model.name);
  return { model, cluster };
}

function printCalls(io: OpsIo, calls: readonly KubectlCall[]): void {
  io.out(calls.length === 0 ? 'Dry run: nothing would change.' : 'Dry run: would run');
  for (const c of calls) io.out(`  ${formatCall(c)}`);
}

export function secretsMain(argv: readonly string[], io: OpsIo): number {
  return guarded(io, SECRETS_USAGE, () => {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        'env': { type: 'string' },
        'rotate': { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        'help': { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.out(SECRETS_USAGE);
      return 0;
    }
    const { model, cluster } = load(io, requireEnv(io, values.env));
    const rotate = values.rotate ?? [];
    const namespaces = cluster.existingNamespaces([...new Set(model.secrets.map((s) => s.namespace))]);
    const existing = new Map<string, string[]>();
    for (const ns of namespaces) for (const [name, keys] of cluster.secretKeys(ns)) existing.set(`${ns}/${name}`, keys);
    const liveData = new Map(secretsNeedingLiveData(model, existing, rotate).map((s) => [`${s.namespace}/${s.name}`, cluster.secretData(s.namespace, s.name)]));

    const plan = planSecrets(model, { namespaces, secrets: existing, liveData }, { rotate, variables: io.variables }, {
      randomHex: (bytes) => randomBytes(bytes).toString('hex'),
      readFile: (file) => fs.readFileSync(file),
    });
    plan.lines.forEach((l) => io.out(l));
    plan.warnings.forEach((w) => io.err(`warning: ${w}`));
    if (plan.errors.length > 0) {
      plan.errors.forEach((e) => io.err(`error: ${e}`));
      io.err(`Nothing was created or changed.\n${ENV_RULE}`);
      return 1;
    }
    if (values['dry-run']) {
      printCalls(io, plan.calls);
      return 0;
    }
    if (plan.calls.length === 0) {
      io.out('Nothing to do: every Secret exists.');
      return 0;
    }
    cluster.execute(plan.calls);
    plan.hints.forEach((h) => io.out(h));
    const count = (a: string) => plan.decisions.filter((d) => d.action === a).length;
    io.out(`Done: ${count('create')} created, ${count('rotate')} rotated, ${count('keep')} kept.`);
    return 0;
  });
}

function parseAppArgs(argv: readonly string[], extra: Record<string, { type: 'string' | 'boolean' }>) {
  return parseArgs({
    args: [...argv],
    options: {
      'env': { type: 'string' },
      'app': { type: 'string' },
      'dry-run': { type: 'boolean' },
      'help': { type: 'boolean', short: 'h' },
      ...extra,
    },
    strict: true,
    allowPositionals: false,
  }).values as Record<string, string | boolean | undefined>;
}

function loadApp(io: OpsIo, values: Record<string, string | boolean | undefined>): { model: OpsEnvironment; app: OpsApp; cluster: Cluster } {
  const envName = requireEnv(io, values.env as string | undefined);
  const model = loadOpsEnvironment(io.inputs, envName, io.repoRoot);
  const app = selectApp(model, values.app as string | undefined);
  const cluster = new Cluster(io.kubectl, model.kubeContext, io.out);
  cluster.ensureContext(model.name);
  return { model, app, cluster };
}

function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function upMain(argv: readonly string[], io: OpsIo): number {
  return guarded(io, UP_USAGE, () => {
    const values = parseAppArgs(argv, { 'timeout': { type: 'string' }, 'node-ip': { type: 'string' } });
    if (values.help) {
      io.out(UP_USAGE);
      return 0;
    }
    const timeout = (values.timeout as string | undefined) ?? '300s';
    if (!/^[1-9]\d*(s|m|h)$/.test(timeout)) throw new UsageError(`--timeout ${JSON.stringify(timeout)} is not a duration; allowed: e.g. 300s, 10m, 1h`);
    const nodeIp = values['node-ip'] as string | undefined;
    if (nodeIp !== undefined && !isIpv4(nodeIp) && !isHostName(nodeIp)) {
      throw new UsageError(`--node-ip ${JSON.stringify(nodeIp)} is not an address; allowed: an IPv4 address or a host name`);
    }
    const { model, app, cluster } = loadApp(io, values);
    const secrets = new Map<string, string[]>();
    for (const ns of cluster.existingNamespaces(secretNamespaces(model, app))) {
      for (const [name, keys] of cluster.secretKeys(ns)) secrets.set(`${ns}/${name}`, keys);
    }
    const plan = planUp(model, app, { secrets }, { timeout });
    plan.lines.forEach((l) => io.out(l));
    if (plan.errors.length > 0) {
      plan.errors.forEach((e) => io.err(`error: ${e}`));
      io.err('Nothing was applied.');
      return 1;
    }
    if (values['dry-run']) {
      printCalls(io, plan.calls);
      connectionLines(model, app, new Map(), nodeIp).forEach((l) => io.out(l));
      return 0;
    }
    cluster.execute(plan.calls);
    const livePorts = new Map<string, number>();
    for (const svc of nodePortServices(model, app)) {
      const port = cluster.nodePort(svc.namespace, svc.name);
      if (port !== undefined) livePorts.set(`${svc.namespace}/${svc.name}`, port);
    }
    connectionLines(model, app, livePorts, nodeIp).forEach((l) => io.out(l));
    return 0;
  });
}

export function downMain(argv: readonly string[], io: OpsIo): number {
  return guarded(io, DOWN_USAGE, () => {
    const values = parseAppArgs(argv, { 'delete-namespace': { type: 'boolean' }, 'delete-data': { type: 'boolean' } });
    if (values.help) {
      io.out(DOWN_USAGE);
      return 0;
    }
    const { model, app, cluster } = loadApp(io, values);
    const pvcs = new Map<string, string[]>();
    for (const ns of cluster.existingNamespaces(appNamespaces(app))) pvcs.set(ns, cluster.claims(ns));
    const plan = planDown(model, app, { pvcs }, {
      deleteNamespace: values['delete-namespace'] === true,
      deleteData: values['delete-data'] === true,
    });
    if (plan.errors.length > 0) {
      plan.errors.forEach((e) => io.err(`error: ${e}`));
      io.err('Nothing was deleted.');
      return 1;
    }
    plan.lines.forEach((l) => io.out(l));
    if (values['dry-run']) {
      printCalls(io, plan.calls);
      return 0;
    }
    cluster.execute(plan.calls);
    io.out('Done. Running it again changes nothing.');
    return 0;
  });
}

/** The real process: kubectl from PATH, values from process.env, output to the terminal. */
export function processIo(repoRoot: string, inputs: readonly EnvironmentInput[], kubectl: KubectlRunner): OpsIo {
  return {
    repoRoot,
    inputs,
    variables: process.env,
    kubectl,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}
