/**
 * A ServiceMonitor (`monitoring.coreos.com/v1`, prometheus-operator) for a server's own metrics,
 * with, when the metrics port is not on the server's main Service, a ClusterIP Service of its own
 * for that port only (the main Service may be a NodePort: the metrics port must not ride along).
 * Written only when monitoring is on; the NetworkPolicy half (Prometheus pods in) is the caller's.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../k8s';

/** The Kubernetes MCP server's `metrics_port` (upstream.md 2b: /metrics and /stats move there). */
export const KUBERNETES_MCP_METRICS_PORT = 9090;

export interface MetricsScrapeProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels of the objects (the workload's `app.kubernetes.io/*`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels the Prometheus `serviceMonitorSelector` matches (the same as for rules). */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** Selector labels of the server's pods. */
  readonly pods: Readonly<Record<string, string>>;
  /** An existing Service to scrape (its labels and port name), or a port for a Service of its own. */
  readonly target:
    | { readonly service: { readonly labels: Readonly<Record<string, string>>; readonly portName: string } }
    | { readonly port: number };
  /** @default '/metrics' */
  readonly path?: string;
  /** @default '30s' */
  readonly interval?: string;
}

export class MetricsScrape extends Construct {
  constructor(scope: Construct, id: string, props: MetricsScrapeProps) {
    super(scope, id);
    let serviceLabels: Record<string, string>;
    let portName: string;
    if ('port' in props.target) {
      portName = 'metrics';
      serviceLabels = { ...props.labels, 'app.kubernetes.io/component': 'metrics' };
      new k8s.KubeService(this, 'service', {
        metadata: { name: `${props.name}-metrics`, namespace: props.namespace, labels: serviceLabels },
        spec: {
          type: 'ClusterIP',
          selector: { ...props.pods },
          ports: [{ name: portName, port: props.target.port, targetPort: k8s.IntOrString.fromString(portName), protocol: 'TCP' }],
        },
      });
    } else {
      serviceLabels = { ...props.target.service.labels };
      portName = props.target.service.portName;
    }
    new ApiObject(this, 'monitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels, ...props.selectorLabels },
        // Without the prometheus-operator CRDs the rest of the app still syncs.
        annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
      },
      spec: {
        selector: { matchLabels: serviceLabels },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [{ port: portName, path: props.path ?? '/metrics', interval: props.interval ?? '30s', scheme: 'http' }],
      },
    });
  }
}
