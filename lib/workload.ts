import { Construct } from 'constructs';
import { k8s } from './k8s';
import { POD_DEFAULTS } from './pods';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';

/** A port a Service exposes, by the name of the container port it targets. */
export interface ServicePortSpec {
  readonly name: string;
  readonly port: number;
  /** Named container port. @default the same as `name` */
  readonly targetPort?: string;
}

export interface WorkloadProps {
  /** Name of the Deployment and its Service (stable: no hash suffix). */
  readonly name: string;
  readonly namespace: string;
  readonly identity: WorkloadIdentity;
  readonly replicas: number;
  /** The pod spec without the fields every platform pod shares ({@link POD_DEFAULTS}). */
  readonly pod: k8s.PodSpec;
  /** @default RollingUpdate */
  readonly strategy?: k8s.DeploymentStrategy;
  /** Ports of the ClusterIP Service of the same name; none means no Service. @default [] */
  readonly servicePorts?: readonly ServicePortSpec[];
}

/** Builds the Service of a workload selecting exactly its pods. */
export function workloadService(scope: Construct, id: string, props: {
  readonly name: string;
  readonly namespace: string;
  readonly identity: WorkloadIdentity;
  readonly ports: readonly ServicePortSpec[];
  readonly headless?: boolean;
}): k8s.KubeService {
  return new k8s.KubeService(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: standardLabels(props.identity) },
    spec: {
      type: 'ClusterIP',
      ...(props.headless ? { clusterIp: 'None' } : {}),
      selector: selectorLabels(props.identity),
      ports: props.ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: k8s.IntOrString.fromString(p.targetPort ?? p.name),
        protocol: 'TCP',
      })),
    },
  });
}

/**
 * A Deployment plus its ClusterIP Service, labelled and selected by `app.kubernetes.io/*`
 * so that the selector never changes when constructs are renamed.
 */
export class Workload extends Construct {
  readonly deployment: k8s.KubeDeployment;
  readonly service?: k8s.KubeService;
  readonly name: string;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    this.name = props.name;
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: props.name, namespace: props.namespace, labels: standardLabels(props.identity) },
      spec: {
        replicas: props.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(props.identity) },
        strategy: props.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: standardLabels(props.identity) },
          spec: { ...POD_DEFAULTS, ...props.pod },
        },
      },
    });
    if (props.servicePorts && props.servicePorts.length > 0) {
      this.service = workloadService(this, 'service', {
        name: props.name, namespace: props.namespace, identity: props.identity, ports: props.servicePorts,
      });
    }
  }
}
