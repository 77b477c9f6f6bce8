import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoConfig } from './config/types';

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

export interface ArgoApplicationProps {
  /** Name of the Application (unique in Argo CD's namespace). */
  readonly name: string;
  readonly argo: ArgoConfig;
  /** Folder of the repository holding the manifests, e.g. `dist/homelab/penpot`. */
  readonly path: string;
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
        source: {
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
        },
      },
    });
  }
}
