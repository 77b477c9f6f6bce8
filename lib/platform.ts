import { App, Chart } from 'cdk8s';
import { AppOfAppsChart, PlatformAppRef } from './app-of-apps-chart';
import { EnvironmentConfig } from './config/types';
import { isOpenShift } from './config/cluster';
import { installedKinds, markObjectsWithMissingCrds } from './crd-prerequisites';
import { kmcpControllerApps } from './kmcp-controller';
import { LlamaStackChart } from './llama-stack-chart';
import { McpChart } from './mcp-chart';
import { McpServersChart } from './mcp-servers-chart';
import { OperationsChart } from './operations-chart';
import { PenpotChart } from './penpot-chart';
import { setPodIdentity } from './pods';
import { RootApplicationChart } from './root-application-chart';
import { routingApps } from './routing/apps';

/** Folder of the synthesized YAML, relative to the repository root (what Argo CD reads). */
export const DIST_DIR = 'dist';
/** Sub-folder of an environment holding its child Applications. */
export const APPS_FOLDER = 'apps';

export interface PlatformApp extends PlatformAppRef {
  readonly chart: Chart;
}

/** The charts of one environment, not yet rendered. */
export interface EnvironmentCharts {
  readonly app: App;
  readonly apps: readonly PlatformApp[];
  readonly appOfApps: AppOfAppsChart;
  readonly root: RootApplicationChart;
  /** Manifests applied by hand (the restore Job), outside every synced folder. */
  readonly operations?: OperationsChart;
}

/** Composes every app of an environment and the Argo CD Applications that deploy them. */
export function buildEnvironment(env: EnvironmentConfig): EnvironmentCharts {
  const app = new App();
  // On OpenShift the restricted-v2 SCC assigns user and group ids: no construct may pin them.
  setPodIdentity(app, isOpenShift(env) ? 'platform' : 'image');
  const envPath = `${DIST_DIR}/${env.name}`;
  const apps: PlatformApp[] = [];
  let operations: OperationsChart | undefined;
  if (env.penpot.enabled) {
    const penpot = new PenpotChart(app, 'penpot', { env });
    apps.push({ name: 'penpot', chart: penpot, destinationNamespace: penpot.appNamespace });
    if (penpot.backup) operations = new OperationsChart(app, 'operations', { backup: penpot.backup });
  }
  if (env.kubernetesMcp.enabled) {
    const mcp = new McpChart(app, 'mcp', { env });
    apps.push({ name: 'mcp', chart: mcp, destinationNamespace: mcp.appNamespace });
    if (env.llamaStack.enabled) {
      const llama = new LlamaStackChart(app, 'llama-stack', { env, kubernetesMcp: mcp.kubernetes });
      // After `mcp`: its connectors call the Kubernetes MCP server (the sync order of OPERATIONS.md follows the waves).
      apps.push({ name: 'llama-stack', chart: llama, destinationNamespace: llama.appNamespace, syncWave: 1 });
    }
  }
  const helmApps = env.kmcp.enabled && env.kmcp.controller.install ? kmcpControllerApps(env.kmcp.controller, env.images.mirrors) : [];
  if (env.kmcp.enabled) {
    const servers = new McpServersChart(app, 'mcp-servers', { env });
    apps.push({ name: 'mcp-servers', chart: servers, destinationNamespace: servers.appNamespace });
  }
  apps.push(...routingApps(app, env));
  markObjectsWithMissingCrds(apps.map((a) => a.chart), installedKinds(helmApps.map((h) => h.helm.chart)));
  const appOfApps = new AppOfAppsChart(app, APPS_FOLDER, { environment: env.name, argo: env.argo, envPath, apps, helmApps });
  const root = new RootApplicationChart(app, 'root', { environment: env.name, argo: env.argo, appsPath: `${envPath}/${APPS_FOLDER}` });
  return { app, apps, appOfApps, root, operations };
}
