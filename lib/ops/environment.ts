/**
 * What the operations scripts know about one environment: its kube context, the objects of each
 * app exactly as committed in `dist/<env>/<app>/`, the Secrets the manifests read (with how each
 * value comes to exist) and the MCP endpoint records.
 *
 * Why from the configuration and not from `dist/<env>/secrets.json` alone: the JSON contract
 * leaves out how long a random value is and the endpoint paths, which only the ExternalSecret and
 * McpGateway declarations hold. So the environment is synthesized in memory (the same code as
 * `npm run synth`) and then compared with the committed `dist/<env>/` byte for byte: when they
 * differ the scripts refuse to run. The contract used is therefore exactly the committed one, and
 * `npm run up` applies exactly the files Argo CD would sync.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadObjectsFromYaml } from '../checks/load';
import { resolveEnvironments, selectEnvironments } from '../config/resolve';
import { EnvironmentConfig, EnvironmentInput } from '../config/types';
import { ExternalSecret, SecretValueSource } from '../external-secret';
import { McpEndpoint, McpGateway } from '../mcp-gateway';
import { buildEnvironment, DIST_DIR } from '../platform';
import { buildSecretsContract } from '../secrets-contract';
import { synthesizeEnvironment } from '../synth';
import { K8sObject } from './kubectl';

/** Bad command-line usage, found before kubectl is touched (printed with the usage, exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Thrown for a problem the operator must fix (printed without a stack trace, exit code 1). */
export class OpsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpsError';
  }
}

export interface SecretKeySpec {
  readonly key: string;
  readonly description: string;
  readonly source: SecretValueSource;
}

export interface SecretSpec {
  readonly name: string;
  readonly namespace: string;
  readonly type: 'Opaque' | 'kubernetes.io/tls';
  readonly purpose: string;
  readonly keys: readonly SecretKeySpec[];
  /** `Kind/name` of every object that reads it (same namespace). */
  readonly readBy: readonly string[];
  /** Workloads start without it. */
  readonly optional: boolean;
}

export interface OpsApp {
  /** Folder name under `dist/<env>/`, e.g. `penpot`. */
  readonly name: string;
  /** `dist/<env>/<app>`, relative to the repository root (what `kubectl apply -f` gets). */
  readonly dir: string;
  /** Every object of the folder, in file order. */
  readonly objects: readonly K8sObject[];
}

/** How kMCP is installed, for the prerequisites of `up --app mcp-servers`. */
export interface OpsKmcp {
  /** The environment's Argo CD Applications install it (`kmcp.controller.install`). */
  readonly install: boolean;
  readonly namespace: string;
  readonly chartRepoURL: string;
  readonly chartVersion: string;
}

export interface OpsEnvironment {
  readonly name: string;
  readonly kubeContext: string;
  /** Set when `kmcp.enabled`. */
  readonly kmcp?: OpsKmcp;
  readonly apps: readonly OpsApp[];
  readonly secrets: readonly SecretSpec[];
  readonly endpoints: readonly McpEndpoint[];
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p).map((f) => path.posix.join(e.name, f)) : [e.name];
  }).sort();
}

/** Files of `dist/<env>/` that differ from a fresh synthesis (empty when dist is current). */
export function staleFiles(repoRoot: string, envName: string, expected: ReadonlyMap<string, string>): string[] {
  const envDir = path.join(repoRoot, DIST_DIR, envName);
  const problems: string[] = [];
  for (const [rel, content] of expected) {
    const file = path.join(envDir, rel);
    if (!fs.existsSync(file)) problems.push(`${rel} (missing)`);
    else if (fs.readFileSync(file, 'utf8') !== content) problems.push(`${rel} (changed)`);
  }
  for (const rel of listFiles(envDir)) if (!expected.has(rel)) problems.push(`${rel} (not synthesized)`);
  return problems;
}

/**
 * Loads one environment for the operations scripts from the configuration and the committed
 * `dist/<env>/`. Throws a ConfigError for an unknown name or an invalid configuration, and an
 * {@link OpsError} when the committed dist/ is not what the configuration synthesizes.
 */
export function loadOpsEnvironment(inputs: readonly EnvironmentInput[], envName: string, repoRoot: string): OpsEnvironment {
  const [env] = selectEnvironments(resolveEnvironments(inputs), [envName]);
  const expected = new Map(synthesizeEnvironment(env).map((f) => [path.posix.relative(env.name, f.path), f.content]));
  const stale = staleFiles(repoRoot, env.name, expected);
  if (stale.length > 0) {
    throw new OpsError(`${DIST_DIR}/${env.name}/ is not what the configuration synthesizes: ${stale.join(', ')}.\n`
      + `Run \`npm run synth -- --env ${env.name}\`, review \`git diff ${DIST_DIR}/\`, then run this again.`);
  }
  return buildOpsEnvironment(env, (dir) => listFiles(path.join(repoRoot, dir)).filter((f) => /\.ya?ml$/.test(f)).flatMap((f) => {
    const rel = path.posix.join(dir, f);
    return loadObjectsFromYaml(fs.readFileSync(path.join(repoRoot, rel), 'utf8'), rel, env.name).map((o) => o.doc as K8sObject);
  }));
}

/**
 * The model of a resolved environment. `readApp` gives the objects of `dist/<env>/<app>`; by
 * default the charts synthesized in memory (what tests use; the same objects as the files).
 */
export function buildOpsEnvironment(env: EnvironmentConfig, readApp?: (dir: string) => K8sObject[]): OpsEnvironment {
  const charts = buildEnvironment(env);
  const apps: OpsApp[] = charts.apps.map(({ name, chart }) => {
    const dir = path.posix.join(DIST_DIR, env.name, name);
    return { name, dir, objects: readApp ? readApp(dir) : (chart.toJson() as K8sObject[]) };
  });
  const declared = ExternalSecret.findAll(charts.app);
  const contract = buildSecretsContract(env.name, declared, apps.flatMap((a) => a.objects));
  const secrets: SecretSpec[] = declared.map((s, i) => ({
    name: s.secretName,
    namespace: s.namespace,
    type: s.type,
    purpose: s.purpose,
    keys: Object.entries(s.keys).map(([key, spec]) => ({ key, description: spec.description, source: spec.source })),
    readBy: contract.secrets[i].readBy,
    optional: contract.secrets[i].optional ?? false,
  }));
  const c = env.kmcp.controller;
  return {
    name: env.name,
    kubeContext: env.operations.kubeContext,
    ...(env.kmcp.enabled ? { kmcp: { install: c.install, namespace: c.namespace, chartRepoURL: c.chartRepoURL, chartVersion: c.chartVersion } } : {}),
    apps,
    secrets,
    endpoints: McpGateway.endpointsIn(charts.app),
  };
}

/** The app named on the command line; an unknown name lists the environment's apps. */
export function selectApp(model: OpsEnvironment, name: string | undefined): OpsApp {
  const known = model.apps.map((a) => a.name).join(', ');
  if (name === undefined) throw new UsageError(`--app is required; allowed for ${model.name}: ${known}`);
  const app = model.apps.find((a) => a.name === name);
  if (!app) throw new UsageError(`--app ${JSON.stringify(name)} is not an app of ${model.name}; allowed: ${known}`);
  return app;
}
