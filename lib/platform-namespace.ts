import { Construct } from 'constructs';
import { UIDS_ANNOTATION, UIDS_ASSIGNED_BY_SCC } from './annotations';
import { SYNC_WAVE } from './argo-application';
import { k8s } from './k8s';
import { systemLabels } from './labels';
import { podIdentityAt } from './pods';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface PlatformNamespaceProps {
  readonly name: string;
  readonly partOf: string;
  /** The Pod Security Standard every pod of the namespace satisfies; it is enforced. */
  readonly enforce: PodSecurityLevel;
}

/**
 * A namespace the platform owns: synced before its contents (negative wave) and enforcing the
 * Pod Security level its pods meet, while warning and auditing against `restricted`.
 */
export class PlatformNamespace extends Construct {
  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: props.name,
        labels: {
          ...systemLabels(props.partOf),
          'pod-security.kubernetes.io/enforce': props.enforce,
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
        annotations: {
          [SYNC_WAVE]: '-1',
          // Says in dist/ that the missing runAsUser/fsGroup of these pods is intended (lib/pods.ts).
          ...(podIdentityAt(this) === 'platform' ? { [UIDS_ANNOTATION]: UIDS_ASSIGNED_BY_SCC } : {}),
        },
      },
    });
  }
}
