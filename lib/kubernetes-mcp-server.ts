import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { stringify as toToml } from 'smol-toml';
import { RISK_ACKNOWLEDGED_ANNOTATION } from './annotations';
import { OPERATOR_PROFILE_RULES } from './config/kubernetes-mcp-rbac';
import { ImagesConfig, KubernetesMcpConfig } from './config/types';
import { imageTag, resolveImage } from './images';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';
import { McpEndpoint, McpGateway } from './mcp-gateway';
import { containerSecurity, httpProbe, podSecurity, resourceRequirements } from './pods';
import { Workload, cpuAutoscaler } from './workload';

/** The image's user (distroless nonroot). */
export const KUBERNETES_MCP_UID = 65532;
export const KUBERNETES_MCP_NAME = 'kubernetes-mcp-server';
export const CONFIG_DIR = '/etc/kubernetes-mcp-server';
export const CONFIG_FILE = 'config.toml';

/** Even read-only, `configuration_view` hands out the kubeconfig the server runs with. */
export const ALWAYS_DISABLED_TOOLS = ['configuration_view'];

export interface KubernetesMcpServerProps {
  readonly gateway: McpGateway;
  readonly config: KubernetesMcpConfig;
  readonly images: ImagesConfig;
  /** Serve /metrics and /stats on this second port (TOML `metrics_port`) for Prometheus. @default undefined: not served apart */
  readonly metricsPort?: number;
}

/**
 * The server's TOML configuration: every setting that has a config field. Read-only and
 * non-destructive unless the `operator` RBAC profile grants writes, so that the tools match RBAC.
 */
export function kubernetesMcpToml(config: KubernetesMcpConfig, metricsPort?: number): string {
  const toolsets = config.helmReleaseAccess && !config.toolsets.includes('helm') ? [...config.toolsets, 'helm'] : [...config.toolsets];
  const readOnly = config.rbacProfile !== 'operator';
  return toToml({
    port: String(config.port),
    ...(metricsPort !== undefined ? { metrics_port: String(metricsPort) } : {}),
    log_level: config.logLevel,
    read_only: readOnly,
    disable_destructive: readOnly,
    stateless: config.stateless,
    list_output: config.listOutput,
    toolsets,
    disabled_tools: [...new Set([...ALWAYS_DISABLED_TOOLS, ...config.disabledTools])],
    // Secrets stay out of reach even where RBAC would allow them (helm opt-in); the operator
    // profile manages Secrets on purpose (seed 002), and its warning says so.
    ...(readOnly ? { denied_resources: [{ group: '', version: 'v1', kind: 'Secret' }] } : {}),
  }) + '\n';
}

/** Why the operator profile is dangerous, in one line for the connection docs. */
export const OPERATOR_PROFILE_RISK = 'This server runs with the OPERATOR RBAC profile: any client that reaches it can create, change and delete '
  + 'pods, services, configmaps, secrets, deployments, jobs and cronjobs in every namespace, and read every Secret. '
  + 'Only connect agents you trust with that, and keep the endpoint off untrusted networks.';

/**
 * The Kubernetes MCP server: its own ServiceAccount with the built-in `view` role plus node and
 * event reading (and, with the `operator` RBAC profile only, seed 002's CRUD set), configuration
 * as a TOML file in a ConfigMap, and one port declared once (container port, Service, probes and
 * the TOML `port` all come from it).
 */
export class KubernetesMcpServer extends Construct {
  readonly endpoint: McpEndpoint;
  readonly serviceAccountName = KUBERNETES_MCP_NAME;
  readonly namespace: string;
  /** Selector labels of the server's pods (for NetworkPolicies). */
  readonly pods: Readonly<Record<string, string>>;
  /** The server's one port (containerPort, Service port, TOML `port`). */
  readonly port: number;
  readonly workload: Workload;

  constructor(scope: Construct, id: string, props: KubernetesMcpServerProps) {
    super(scope, id);
    const { config } = props;
    const ns = config.namespace;
    this.namespace = ns;
    this.port = config.port;
    const identity: WorkloadIdentity = {
      name: KUBERNETES_MCP_NAME, instance: KUBERNETES_MCP_NAME, component: 'mcp-server', partOf: 'mcp',
      version: imageTag(config.image),
    };
    const labels = standardLabels(identity);
    this.pods = selectorLabels(identity);
    const toml = kubernetesMcpToml(config, props.metricsPort);

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: this.serviceAccountName, namespace: ns, labels },
      automountServiceAccountToken: false,
    });
    this.bindClusterRole('view', 'view', labels);
    this.clusterRole('nodes', `${ns}-${KUBERNETES_MCP_NAME}-nodes`, labels, [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    if (config.helmReleaseAccess) {
      // Opt-in risk: Helm keeps releases (values included) in Secrets; listing returns their data.
      // The acknowledgement travels on the role to the policy suite, as the operator profile's does.
      const helmAnnotations = config.helmReleaseAccessAcknowledged
        ? { [RISK_ACKNOWLEDGED_ANNOTATION]: config.helmReleaseAccessAcknowledged } : undefined;
      this.clusterRole('helm-releases', `${ns}-${KUBERNETES_MCP_NAME}-helm-releases`, labels, [
        { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
      ], helmAnnotations);
    }
    if (config.rbacProfile === 'operator') {
      // Opt-in risk (seed 002): write access cluster-wide. The annotation carries the
      // environment's acknowledgement to the policy suite, which fails without it.
      const annotations = config.rbacRiskAcknowledged ? { [RISK_ACKNOWLEDGED_ANNOTATION]: config.rbacRiskAcknowledged } : undefined;
      this.clusterRole('operator', `${ns}-${KUBERNETES_MCP_NAME}-operator`, labels,
        OPERATOR_PROFILE_RULES.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })), annotations);
    }

    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: KUBERNETES_MCP_NAME, namespace: ns, labels },
      data: { [CONFIG_FILE]: toml },
    });

    this.workload = new Workload(this, 'workload', {
      name: KUBERNETES_MCP_NAME,
      namespace: ns,
      identity,
      replicas: config.replicas,
      autoscaled: config.autoscaling !== undefined,
      // A changed TOML rolls the pods: the server reads its file only at start.
      podAnnotations: { 'checksum/config': createHash('sha256').update(toml).digest('hex') },
      pod: {
        serviceAccountName: this.serviceAccountName,
        // In-cluster authentication is the point of this server.
        automountServiceAccountToken: true,
        securityContext: podSecurity(this, KUBERNETES_MCP_UID),
        containers: [{
          name: KUBERNETES_MCP_NAME,
          image: resolveImage(config.image, props.images.mirrors),
          imagePullPolicy: props.images.pullPolicy,
          // The port lives only in the TOML file: an explicit --port would silently win over it, so
          // the entrypoint is replaced (a fork may bake one in) and --port is refused in extraArgs.
          command: [...config.command],
          args: ['--config', `${CONFIG_DIR}/${CONFIG_FILE}`, ...config.extraArgs],
          ports: [
            { name: 'http', containerPort: config.port, protocol: 'TCP' },
            ...(props.metricsPort !== undefined ? [{ name: 'metrics', containerPort: props.metricsPort, protocol: 'TCP' }] : []),
          ],
          readinessProbe: httpProbe('/healthz', 'http', { periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: httpProbe('/healthz', 'http', { periodSeconds: 20, failureThreshold: 6 }),
          resources: resourceRequirements(config.resources),
          securityContext: containerSecurity(true),
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: KUBERNETES_MCP_NAME } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
        ],
      },
    });

    if (config.autoscaling) {
      cpuAutoscaler(this, 'autoscaler', { deploymentName: KUBERNETES_MCP_NAME, namespace: ns, labels, autoscaling: config.autoscaling });
    }

    const operator = config.rbacProfile === 'operator';
    this.endpoint = props.gateway.expose({
      name: 'kubernetes',
      title: operator ? 'Kubernetes MCP server (OPERATOR profile: writes to the cluster)' : 'Kubernetes MCP server (read-only cluster diagnosis)',
      risk: operator ? OPERATOR_PROFILE_RISK : undefined,
      namespace: ns,
      serviceName: KUBERNETES_MCP_NAME,
      identity,
      ports: [{ name: 'http', port: config.port }],
      mcpPortName: 'http',
      exposure: config.exposure,
      ingressHost: config.ingressHost,
    });
  }

  private clusterRole(id: string, name: string, labels: Record<string, string>, rules: k8s.PolicyRule[], annotations?: Record<string, string>): void {
    new k8s.KubeClusterRole(this, `${id}-role`, { metadata: { name, labels, ...(annotations ? { annotations } : {}) }, rules });
    this.bindClusterRole(id, name, labels);
  }

  private bindClusterRole(id: string, roleName: string, labels: Record<string, string>): void {
    const ns = this.namespace;
    new k8s.KubeClusterRoleBinding(this, `${id}-binding`, {
      metadata: { name: `${ns}-${KUBERNETES_MCP_NAME}-${id}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: ns }],
    });
  }
}
