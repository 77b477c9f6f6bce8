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
import { loadOpsEnvironment, OpsEnvironment, OpsError, selectApp, UsageError } from './environment';
import { KubectlCall, formatCall } from './kubectl';
import { Cluster, KubectlRunner } from './run';
import { planSecrets, secretsNeedingLiveData } from './secrets-plan';
import { prerequisiteLines, requiredCrds } from './prerequisites';
import { planUp, requiredSecrets, secretNamespaces } from './up-plan';

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

const ENV_RULE = 'Values only the operator has (source "operator") come from the variable <SECRET>__<KEY> (upper case, every other\n'
  + 'character as _), e.g. PENPOT_POSTGRES__POSTGRES_USER=penpot; files (a TLS certificate) from <SECRET>__<KEY>_FILE=<path>.';

/** The app folders an environment can have, in sync order (`--app` accepts those of the environment). */
export const APP_FOLDERS = ['penpot', 'mcp', 'llama-stack', 'mcp-servers', 'gateway'] as const;

export const SECRETS_USAGE = `Usage: npm run secrets -- --env <env> [--dry-run | --offline] [--rotate <secret>]...

Creates every Secret of the environment's secrets contract (dist/<env>/SECRETS.md) that the cluster lacks.
Random values are generated (node:crypto) and go to kubectl on stdin only: never printed, never on disk.
${ENV_RULE}
Existing Secrets are kept. Missing Namespaces are created from the synthesized manifests.

  --env <env>         environment (lib/environments/); kubectl's current context must be its operations.kubeContext
  --rotate <secret>   replace this Secret (name, or namespace/name) with new random values; operator values are
                      taken from their variables, else kept from the live Secret. Repeatable.
  --dry-run           print the plan (create / keep / rotate per Secret and key), change nothing
  --offline           print the plan for an empty cluster without calling kubectl (no cluster needed)
  -h, --help          this text

Exit codes: 0 done, 1 refused or failed, 2 bad usage.`;

export const UP_USAGE = `Usage: npm run up -- --env <env> --app <app> [--dry-run | --offline] [--timeout 300s] [--node-ip <ip>]

Without Argo CD: checks the Secrets the app reads (and the CRDs of its custom resources) exist, server-side applies
dist/<env>/<app>/, waits for its Deployments and StatefulSets to roll out and prints how to connect. Running it
again changes nothing. mcp-servers needs kMCP's CRDs and controller installed first.

  --env <env>         environment; kubectl's current context must be its operations.kubeContext
  --app <app>         folder of dist/<env>/: ${APP_FOLDERS.join(', ')} (those the environment has)
  --timeout <d>       how long to wait for each rollout, as kubectl reads it (300s, 10m) [300s]
  --node-ip <ip>      the node address clients use (e.g. its WireGuard IP), for NodePort URLs
  --dry-run           print the plan and the connection info, change nothing
  --offline           print the plan for an empty cluster without calling kubectl (no cluster needed)
  -h, --help          this text

Exit codes: 0 done, 1 refused or failed, 2 bad usage.`;

export const DOWN_USAGE = `Usage: npm run down -- --env <env> --app <app> [--delete-data [--delete-namespace]] [--dry-run | --offline]

Deletes the app's objects (missing ones are ignored: running it twice is fine). Kept unless a flag says otherwise:
the Namespace with its Secrets, and every PersistentVolumeClaim (including a StatefulSet's data-<name>-<n>).

  --env <env>           environment; kubectl's current context must be its operations.kubeContext
  --app <app>           folder of dist/<env>/: ${APP_FOLDERS.join(', ')} (those the environment has)
  --delete-data         also delete the PersistentVolumeClaims, and with them the data
  --delete-namespace    also delete the Namespace and what is left in it (needs --delete-data)
  --dry-run             print the plan, change nothing
  --offline             print the plan without calling kubectl (claims made by StatefulSets are not listed)
  -h, --help            this text

Exit codes: 0 done, 1 refused or failed, 2 bad usage.`;

/** node:util's parseArgs errors, by code (under jest they come from another realm, so not `instanceof TypeError`). */
function isParseArgsError(err: unknown): err is Error {
  return String((err as NodeJS.ErrnoException | undefined)?.code).startsWith('ERR_PARSE_ARGS');
}

function guarded(io: OpsIo, usage: string, body: () => number): number {
  try {
    return body();
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.err(`${(err as Error).message}\n\n${usage}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof OpsError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
}

/** Options every operations script accepts. */
const COMMON_OPTIONS = {
  'env': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'offline': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const;

export const SECRETS_OPTIONS = { ...COMMON_OPTIONS, 'rotate': { type: 'string', multiple: true } } as const;
export const UP_OPTIONS = { ...COMMON_OPTIONS, 'app': { type: 'string' }, 'timeout': { type: 'string' }, 'node-ip': { type: 'string' } } as const;
export const DOWN_OPTIONS = { ...COMMON_OPTIONS, 'app': { type: 'string' }, 'delete-namespace': { type: 'boolean' }, 'delete-data': { type: 'boolean' } } as const;

type Values = Record<string, string | boolean | string[] | undefined>;

function parse(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>): Values {
  const values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Values;
  if (values['dry-run'] && values.offline) throw new UsageError('--dry-run and --offline exclude each other: --offline is a dry run against an empty cluster');
  return values;
}

/** The environment named by --env: checked against the configuration before anything else runs. */
function loadEnvironment(io: OpsIo, values: Values): OpsEnvironment {
  const known = io.inputs.map((i) => i.name);
  const env = values.env as string | undefined;
  if (env === undefined) throw new UsageError(`--env is required; allowed: ${known.join(', ')}`);
  if (!known.includes(env)) throw new UsageError(`--env ${JSON.stringify(env)} is not an environment; allowed: ${known.join(', ')}`);
  return loadOpsEnvironment(io.inputs, env, io.repoRoot);
}

/** kubectl, pointed at the environment's context; only after every argument was checked. */
function connect(io: OpsIo, model: OpsEnvironment): Cluster {
  const cluster = new Cluster(io.kubectl, model.kubeContext, io.out);
  cluster.ensureContext(model.name);
  return cluster;
}

const OFFLINE_HEADER = 'Offline: the plan for an empty cluster (kubectl was not called; a live cluster may already hold some of this).';

function printCalls(io: OpsIo, calls: readonly KubectlCall[], label = 'Dry run'): void {
  io.out(calls.length === 0 ? `${label}: nothing would change.` : `${label}: would run`);
  for (const c of calls) io.out(`  ${formatCall(c)}`);
}

export function secretsMain(argv: readonly string[], io: OpsIo): number {
  return guarded(io, SECRETS_USAGE, () => {
    const values = parse(argv, SECRETS_OPTIONS);
    if (values.help) {
      io.out(SECRETS_USAGE);
      return 0;
    }
    const model = loadEnvironment(io, values);
    const rotate = (values.rotate as string[] | undefined) ?? [];
    const ids = model.secrets.map((s) => `${s.namespace}/${s.name}`);
    for (const arg of rotate) {
      if (!model.secrets.some((s) => s.name === arg || `${s.namespace}/${s.name}` === arg)) {
        throw new UsageError(`--rotate ${arg}: no such Secret in the contract of ${model.name}; allowed: ${[...new Set(ids)].join(', ') || '(none)'}`);
      }
    }
    const sources = {
      randomHex: (bytes: number) => randomBytes(bytes).toString('hex'),
      readFile: (file: string) => fs.readFileSync(file),
    };
    if (values.offline) {
      io.out(OFFLINE_HEADER);
      const plan = planSecrets(model, { namespaces: new Set(), secrets: new Map(), liveData: new Map() }, { rotate: [], variables: io.variables }, sources);
      plan.lines.forEach((l) => io.out(l));
      plan.warnings.forEach((w) => io.err(`warning: ${w}`));
      if (plan.errors.length > 0) {
        plan.errors.forEach((e) => io.err(`error: ${e}`));
        io.err(`A real run would create nothing until these are given.\n${ENV_RULE}`);
        return 1;
      }
      printCalls(io, plan.calls, 'Offline');
      return 0;
    }
    const cluster = connect(io, model);
    const namespaces = cluster.existingNamespaces([...new Set(model.secrets.map((s) => s.namespace))]);
    const existing = new Map<string, string[]>();
    for (const ns of namespaces) for (const [name, keys] of cluster.secretKeys(ns)) existing.set(`${ns}/${name}`, keys);
    const liveData = new Map(secretsNeedingLiveData(model, existing, rotate).map((s) => [`${s.namespace}/${s.name}`, cluster.secretData(s.namespace, s.name)]));

    const plan = planSecrets(model, { namespaces, secrets: existing, liveData }, { rotate, variables: io.variables }, sources);
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

function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function upMain(argv: readonly string[], io: OpsIo): number {
  return guarded(io, UP_USAGE, () => {
    const values = parse(argv, UP_OPTIONS);
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
    const model = loadEnvironment(io, values);
    const app = selectApp(model, values.app as string | undefined);
    const crds = requiredCrds(model, app);

    if (values.offline) {
      io.out(OFFLINE_HEADER);
      const needed = requiredSecrets(model, app);
      // On an empty cluster the Secrets come first; the plan shows what follows once they exist.
      const assumed = new Map(needed.map((r) => [`${r.secret.namespace}/${r.secret.name}`, r.secret.keys.map((k) => k.key)]));
      if (needed.length > 0) {
        io.out(`  first: \`npm run secrets -- --env ${model.name}\` creates ${needed.map((r) => `${r.secret.namespace}/${r.secret.name}`).join(', ')} (up refuses to apply without them)`);
      }
      prerequisiteLines(crds).lines.forEach((l) => io.out(l));
      const plan = planUp(model, app, { secrets: assumed }, { timeout });
      plan.lines.forEach((l) => io.out(l));
      printCalls(io, plan.calls, 'Offline');
      connectionLines(model, app, new Map(), nodeIp).forEach((l) => io.out(l));
      return 0;
    }

    const cluster = connect(io, model);
    const secrets = new Map<string, string[]>();
    for (const ns of cluster.existingNamespaces(secretNamespaces(model, app))) {
      for (const [name, keys] of cluster.secretKeys(ns)) secrets.set(`${ns}/${name}`, keys);
    }
    const prerequisites = prerequisiteLines(crds, cluster.existingCrds(crds.map((c) => c.crd)));
    const plan = planUp(model, app, { secrets }, { timeout });
    prerequisites.lines.forEach((l) => io.out(l));
    plan.lines.forEach((l) => io.out(l));
    const errors = [...prerequisites.errors, ...plan.errors];
    if (errors.length > 0) {
      errors.forEach((e) => io.err(`error: ${e}`));
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
    const values = parse(argv, DOWN_OPTIONS);
    if (values.help) {
      io.out(DOWN_USAGE);
      return 0;
    }
    const options = { deleteNamespace: values['delete-namespace'] === true, deleteData: values['delete-data'] === true };
    if (options.deleteNamespace && !options.deleteData) {
      throw new UsageError('--delete-namespace deletes every PersistentVolumeClaim in the Namespace and the data on them; add --delete-data to confirm, or leave the Namespace');
    }
    const model = loadEnvironment(io, values);
    const app = selectApp(model, values.app as string | undefined);
    if (values.offline) {
      io.out(OFFLINE_HEADER);
      const plan = planDown(model, app, { pvcs: new Map() }, options);
      plan.lines.forEach((l) => io.out(l));
      printCalls(io, plan.calls, 'Offline');
      return 0;
    }
    const cluster = connect(io, model);
    const pvcs = new Map<string, string[]>();
    for (const ns of cluster.existingNamespaces(appNamespaces(app))) pvcs.set(ns, cluster.claims(ns));
    const plan = planDown(model, app, { pvcs }, options);
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
