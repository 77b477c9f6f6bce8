import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoConfig } from './config/types';

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/** A Helm chart from a chart repository (for an OCI registry: its path without `oci://`). */
export interface HelmChartSource {
  readonly repoURL: string;
  readonly chart: string;
  /** Pinned chart version. */
  readonly version: string;
  /** Chart values (rendered into `helm.valuesObject`). @default undefined: the chart's defaults */
  readonly values?: Readonly<Record<string, unknown>>;
}

export interface ArgoApplicationProps {
  /** Name of the Application (unique in Argo CD's namespace). */
  readonly name: string;
  readonly argo: ArgoConfig;
  /** Folder of the repository holding the manifests, e.g. `dist/homelab/penpot`. Exactly one of path and helm. */
  readonly path?: string;
  /** A Helm chart instead of a folder of this repository. */
  readonly helm?: HelmChartSource;
  /** Labels of the namespace when Argo CD creates it (`CreateNamespace=true`), e.g. Pod Security levels. @default undefined */
  readonly managedNamespaceLabels?: Readonly<Record<string, string>>;
  /** Namespace the manifests deploy into (or Argo CD's own for an app of apps). */
  readonly destinationNamespace: string;
  /** Extra `syncPolicy.syncOptions`. @default [] */
  readonly syncOptions?: readonly string[];
  /** Order among sibling Applications of an app of apps (lower first). @default undefined */
  readonly syncWave?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * An Argo CD Application over a plain-YAML directory, synced by hand: there is no
 * `syncPolicy.automated`, so nothing reaches the cluster until someone presses Sync after
 * reading the diff. No resources finalizer either: deleting the Application must never
 * cascade into deleting PersistentVolumeClaims.
 */
export class ArgoApplication extends Construct {
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoApplicationProps) {
    super(scope, id);
    if ((props.path === undefined) === (props.helm === undefined)) {
      throw new Error(`ArgoApplication ${props.name}: give exactly one of path and helm`);
    }
    this.apiObject = new ApiObject(this, 'application', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: props.name,
        namespace: props.argo.namespace,
        labels: { ...props.labels },
        ...(props.syncWave !== undefined ? { annotations: { [SYNC_WAVE]: String(props.syncWave) } } : {}),
      },
      spec: {
        project: props.argo.project,
        source: props.helm ? helmSource(props.helm) : {
          repoURL: props.argo.repoURL,
          targetRevision: props.argo.targetRevision,
          path: props.path,
          // Only the top level: docs and contracts beside the manifests are not deployed.
          directory: { recurse: false },
        },
        destination: { server: props.argo.destinationServer, namespace: props.destinationNamespace },
        syncPolicy: {
          // PruneLast: remove what left git only after everything new is healthy.
          syncOptions: ['PruneLast=true', ...(props.syncOptions ?? [])],
          ...(props.managedNamespaceLabels ? { managedNamespaceMetadata: { labels: { ...props.managedNamespaceLabels } } } : {}),
        },
      },
    });
  }
}

function helmSource(helm: HelmChartSource): Record<string, unknown> {
  return {
    repoURL: helm.repoURL,
    chart: helm.chart,
    targetRevision: helm.version,
    ...(helm.values ? { helm: { valuesObject: helm.values } } : {}),
  };
}
