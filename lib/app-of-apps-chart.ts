import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoApplication, HelmChartSource } from './argo-application';
import { ArgoConfig } from './config/types';
import { systemLabels } from './labels';

/** One deployable app of an environment: a folder `dist/<env>/<name>/` and its namespace. */
export interface PlatformAppRef {
  readonly name: string;
  readonly destinationNamespace: string;
  /** Order among the environment's apps (lower first). @default 0 */
  readonly syncWave?: number;
  /** Extra sync options (e.g. `ServerSideApply=true` for large CRDs). @default [] */
  readonly syncOptions?: readonly string[];
}

/** A third-party app installed from its Helm chart (not from `dist/`). */
export interface HelmAppRef {
  readonly name: string;
  readonly destinationNamespace: string;
  readonly helm: HelmChartSource;
  /** @default 0 */
  readonly syncWave?: number;
  /** @default [] */
  readonly syncOptions?: readonly string[];
  /** Labels of the namespace Argo CD creates for it. @default undefined */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

export interface AppOfAppsChartProps {
  readonly environment: string;
  readonly argo: ArgoConfig;
  /** `dist/<env>` as seen from the repository root. */
  readonly envPath: string;
  readonly apps: readonly PlatformAppRef[];
  /** @default [] */
  readonly helmApps?: readonly HelmAppRef[];
}

/** Application objects of an environment's apps; the root Application syncs this folder. */
export class AppOfAppsChart extends Chart {
  constructor(scope: Construct, id: string, props: AppOfAppsChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const app of props.apps) {
      new ArgoApplication(this, app.name, {
        name: applicationName(props.environment, app.name),
        argo: props.argo,
        path: `${props.envPath}/${app.name}`,
        destinationNamespace: app.destinationNamespace,
        syncWave: app.syncWave ?? 0,
        syncOptions: app.syncOptions,
        labels: systemLabels('gitops'),
      });
    }
    for (const app of props.helmApps ?? []) {
      new ArgoApplication(this, app.name, {
        name: applicationName(props.environment, app.name),
        argo: props.argo,
        helm: app.helm,
        destinationNamespace: app.destinationNamespace,
        syncWave: app.syncWave ?? 0,
        syncOptions: app.syncOptions,
        managedNamespaceLabels: app.namespaceLabels,
        labels: systemLabels('gitops'),
      });
    }
  }
}

/** Application names are prefixed with the environment: one Argo CD may serve several clusters. */
export function applicationName(environment: string, app: string): string {
  return `${environment}-${app}`;
}
