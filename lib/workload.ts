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
  /** Annotations of the pod template (e.g. a config checksum that rolls the pods). @default {} */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** An HPA owns the replica count: `replicas` is left out of the Deployment. @default false */
  readonly autoscaled?: boolean;
}

/** Pods of a replicated workload prefer different nodes (a soft rule: one node still schedules). */
export function spreadOverNodes(identity: WorkloadIdentity): k8s.TopologySpreadConstraint[] {
  return [{
    maxSkew: 1,
    topologyKey: 'kubernetes.io/hostname',
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selectorLabels(identity) },
  }];
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
/** CPU-based autoscaling of a Deployment (HPA autoscaling/v2). */
export interface CpuAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuPercent: number;
}

/** A HorizontalPodAutoscaler named like the Deployment it scales on average CPU utilization. */
export function cpuAutoscaler(scope: Construct, id: string, props: {
  readonly deploymentName: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly autoscaling: CpuAutoscaling;
}): k8s.KubeHorizontalPodAutoscalerV2 {
  const a = props.autoscaling;
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, id, {
    metadata: { name: props.deploymentName, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.deploymentName },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCpuPercent } } }],
    },
  });
}

export class Workload extends Construct {
  readonly deployment: k8s.KubeDeployment;
  readonly service?: k8s.KubeService;
  readonly name: string;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    this.name = props.name;
    const replicated = props.replicas > 1 || props.autoscaled === true;
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: props.name, namespace: props.namespace, labels: standardLabels(props.identity) },
      spec: {
        // An autoscaled Deployment leaves the count to the HPA (Argo CD would fight it otherwise).
        ...(props.autoscaled ? {} : { replicas: props.replicas }),
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(props.identity) },
        strategy: props.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: standardLabels(props.identity), ...(props.podAnnotations ? { annotations: { ...props.podAnnotations } } : {}) },
          spec: {
            ...POD_DEFAULTS,
            ...(replicated ? { topologySpreadConstraints: spreadOverNodes(props.identity) } : {}),
            ...props.pod,
          },
        },
      },
    });
    if (replicated) {
      // Drains evict one pod at a time; a single replica gets no PDB (it would block drains forever).
      new k8s.KubePodDisruptionBudget(this, 'disruption-budget', {
        metadata: { name: props.name, namespace: props.namespace, labels: standardLabels(props.identity) },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels(props.identity) } },
      });
    }
    if (props.servicePorts && props.servicePorts.length > 0) {
      this.service = workloadService(this, 'service', {
        name: props.name, namespace: props.namespace, identity: props.identity, ports: props.servicePorts,
      });
    }
  }
}
