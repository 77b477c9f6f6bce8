import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart, Yaml } from 'cdk8s';
import { ManifestObject } from './checks/model';
import { EnvironmentConfig } from './config/types';
import { CLIENT_CONFIG_FILES, claudeConfig, codexConfig, inClusterConfig, inspectorConfig, renderConnectMarkdown } from './connection-info';
import { ExternalSecret } from './external-secret';
import { LlamaStack } from './llama-stack';
import { McpGateway } from './mcp-gateway';
import { RESTORE_JOB_FILE } from './operations-chart';
import { renderOperationsMarkdown } from './operations-doc';
import { APPS_FOLDER, DIST_DIR, buildEnvironment } from './platform';
import { routingDocFile } from './routing/routing-doc';
import { buildSecretsContract, renderSecretsMarkdown } from './secrets-contract';

/** A file to write, relative to the output folder (`dist/`). */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

function renderChart(chart: Chart): { objects: any[]; yaml: string } {
  const objects = chart.toJson();
  return { objects, yaml: Yaml.stringify(...objects) };
}

const RENDERED = new WeakMap<OutputFile, readonly unknown[]>();

/**
 * The objects a manifest file of this process' synthesis was rendered from, so that the change
 * review need not parse its YAML back (undefined for other files).
 */
export function renderedObjects(file: OutputFile): readonly unknown[] | undefined {
  return RENDERED.get(file);
}

function manifestFile(path: string, rendered: { objects: any[]; yaml: string }): OutputFile {
  const file = { path, content: rendered.yaml };
  RENDERED.set(file, rendered.objects);
  return file;
}

/** Synthesizes one environment in memory: manifests per app, the root Application and the docs. */
export function synthesizeEnvironment(env: EnvironmentConfig): OutputFile[] {
  const { app, apps, appOfApps, root, operations } = buildEnvironment(env);
  const problems = app.node.findAll().flatMap((c) => c.node.validate().map((m) => `${c.node.path}: ${m}`));
  if (problems.length > 0) throw new Error(`Construct validation failed:\n  ${problems.join('\n  ')}`);

  const files: OutputFile[] = [];
  const allObjects: any[] = [];
  // Every object as the checks read it from dist/ (for the upstream-contract sections of OPERATIONS.md).
  const manifests: ManifestObject[] = [];
  const add = (app: string, objects: any[]) => manifests.push(...objects.map((doc) => ({ file: `${DIST_DIR}/${env.name}/${app}/${app}.k8s.yaml`, env: env.name, app, doc })));
  for (const { name, chart } of apps) {
    const rendered = renderChart(chart);
    allObjects.push(...rendered.objects);
    add(name, rendered.objects);
    files.push(manifestFile(`${env.name}/${name}/${name}.k8s.yaml`, rendered));
  }
  const applications = renderChart(appOfApps);
  add(APPS_FOLDER, applications.objects);
  files.push(manifestFile(`${env.name}/${APPS_FOLDER}/${APPS_FOLDER}.k8s.yaml`, applications));
  files.push(manifestFile(`${env.name}/root-application.yaml`, renderChart(root)));

  // Outside every synced folder: Argo CD never runs it (OPERATIONS.md says when to).
  const manual = operations ? renderChart(operations) : undefined;
  if (manual) files.push(manifestFile(`${env.name}/${RESTORE_JOB_FILE}`, manual));

  const contract = buildSecretsContract(env.name, ExternalSecret.findAll(app), [...allObjects, ...(manual?.objects ?? [])]);
  files.push({ path: `${env.name}/secrets.json`, content: `${JSON.stringify(contract, null, 2)}\n` });
  files.push({ path: `${env.name}/SECRETS.md`, content: renderSecretsMarkdown(contract) });
  files.push({
    path: `${env.name}/OPERATIONS.md`,
    content: renderOperationsMarkdown({
      env, objects: allObjects, contract, backup: operations?.backup.runbook,
      restoreJobPath: manual ? `${DIST_DIR}/${env.name}/${RESTORE_JOB_FILE}` : undefined,
      manifests,
    }),
  });

  files.push(routingDocFile(env, app));

  const endpoints = McpGateway.endpointsIn(app);
  const llamaStacks = LlamaStack.findAll(app).map((l) => l.endpoint);
  files.push({ path: `${env.name}/CONNECT.md`, content: renderConnectMarkdown({ environment: env.name, endpoints, objects: manifests, llamaStacks }) });
  if (endpoints.length > 0) {
    files.push({ path: `${env.name}/${CLIENT_CONFIG_FILES.codex}`, content: codexConfig(endpoints) });
    files.push({ path: `${env.name}/${CLIENT_CONFIG_FILES.claude}`, content: claudeConfig(endpoints) });
    files.push({ path: `${env.name}/${CLIENT_CONFIG_FILES.inspector}`, content: inspectorConfig(endpoints) });
    files.push({ path: `${env.name}/${CLIENT_CONFIG_FILES.inCluster}`, content: inClusterConfig(endpoints) });
  }
  return files;
}

function writeTree(dir: string, files: readonly OutputFile[], prefix: string): void {
  for (const file of files) {
    const target = path.join(dir, path.relative(prefix, file.path));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
  }
}

/**
 * Replaces `outdir/<env>/` for each synthesized environment, leaving other environments'
 * folders alone. Each folder is written aside first and swapped in with renames, so a
 * failure never leaves a half-written environment behind.
 */
export function writeEnvironments(outdir: string, envNames: readonly string[], files: readonly OutputFile[]): void {
  fs.mkdirSync(outdir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outdir, '.staging-'));
  try {
    for (const name of envNames) {
      writeTree(path.join(staging, name), files.filter((f) => f.path.startsWith(`${name}/`)), name);
    }
    for (const name of envNames) {
      const target = path.join(outdir, name);
      const old = path.join(staging, `${name}.old`);
      if (fs.existsSync(target)) fs.renameSync(target, old);
      fs.renameSync(path.join(staging, name), target);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Removes environment folders of `outdir` that no longer exist in the configuration. */
export function pruneEnvironments(outdir: string, keep: readonly string[]): string[] {
  if (!fs.existsSync(outdir)) return [];
  const removed = fs.readdirSync(outdir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !keep.includes(e.name))
    .map((e) => e.name);
  for (const name of removed) fs.rmSync(path.join(outdir, name), { recursive: true, force: true });
  return removed;
}
