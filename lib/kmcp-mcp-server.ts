import { Construct } from 'constructs';
import { McpServer, McpServerSpecDeploymentResourcesLimits, McpServerSpecDeploymentResourcesRequests, McpServerSpecTransportType } from '../imports/kmcp-kagent.dev';
import { KmcpServerConfig } from './config/types';
import { ExternalSecret } from './external-secret';
import { resolveImage } from './images';
import { k8s } from './k8s';
import { DEFAULT_KMCP_VERSION, kmcpAdapterImage } from './kmcp-release';
import { MANAGED_BY } from './labels';
import { McpEndpoint, McpGateway } from './mcp-gateway';
import { podIdentityAt } from './pods';
import { mcpServerStartBudget, StartBudget } from './smoke-budget';

/** Path kMCP's transport adapter serves a stdio server on (agentgateway route `/mcp`). */
export const KMCP_STDIO_PATH = '/mcp';
/** Labels kMCP puts on the pods it creates for an MCPServer (its translator's selector). */
export function kmcpPodLabels(serverName: string): Record<string, string> {
  return { 'app.kubernetes.io/name': serverName, 'app.kubernetes.io/instance': serverName };
}

export interface KmcpMcpServerProps {
  readonly gateway: McpGateway;
  readonly namespace: string;
  readonly config: KmcpServerConfig;
  readonly mirrors: Readonly<Record<string, string>>;
  readonly pullPolicy: 'IfNotPresent' | 'Always';
  /** StorageClass of the server's volume, when it has one. */
  readonly storageClassName: string;
  /** The kMCP release that runs it: its transport adapter image is set explicitly (through the mirror). @default DEFAULT_KMCP_VERSION */
  readonly kmcpVersion?: string;
}

/** The restricted container settings; kMCP sets none of its own, so pods would run as the image says. */
const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
  runAsNonRoot: true,
};

/**
 * One kMCP `MCPServer` and what the controller does not create for it (upstream.md section 3):
 * the controller builds a ServiceAccount (named like the server, no RBAC), a ConfigMap, a
 * Deployment without probes and a Service on `port`. This construct adds the PVC of its volume,
 * the Secrets it reads (declared, created outside git), read-only RBAC for its ServiceAccount when
 * configured, a restricted security context for the server and kMCP's adapter init container,
 * and the endpoint record (in-cluster: the Service is the controller's, not ours).
 */
export class KmcpMcpServer extends Construct {
  readonly endpoint: McpEndpoint;
  readonly pods: Readonly<Record<string, string>>;
  readonly secrets: readonly ExternalSecret[];
  /** What its pod must do before it answers (Argo CD cannot wait for MCPServers): lib/smoke-budget.ts. */
  readonly startBudget: StartBudget;

  constructor(scope: Construct, id: string, props: KmcpMcpServerProps) {
    super(scope, id);
    const { config: s, namespace } = props;
    this.pods = kmcpPodLabels(s.name);
    const labels = { 'app.kubernetes.io/part-of': 'mcp-servers', 'app.kubernetes.io/managed-by': MANAGED_BY };

    this.secrets = s.secrets.map((secret) => new ExternalSecret(this, `secret-${secret.name}`, {
      name: secret.name,
      namespace,
      purpose: `Environment of the MCP server ${s.name} (kMCP secretRefs)`,
      keys: Object.fromEntries(Object.entries(secret.keys).map(([key, description]) => [key, {
        description, source: { kind: 'operator' as const, example: `<${key.toLowerCase()}>` },
      }])),
    }));

    const claimName = `${s.name}-data`;
    if (s.volume) {
      new k8s.KubePersistentVolumeClaim(this, 'data', {
        metadata: { name: claimName, namespace, labels: { ...labels, ...this.pods } },
        spec: {
          accessModes: [s.volume.accessMode],
          storageClassName: props.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(s.volume.size) } },
        },
      });
    }

    // kMCP creates the ServiceAccount `<name>` and binds nothing to it.
    for (const role of s.clusterRoles) {
      new k8s.KubeClusterRoleBinding(this, `binding-${role}`, {
        metadata: { name: `mcp-server-${namespace}-${s.name}-${role}`, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name: s.name, namespace }],
      });
    }

    const quantities = <T>(values: Readonly<Record<string, string>>, make: (v: string) => T) =>
      Object.fromEntries(Object.entries(values).map(([k, v]) => [k, make(v)]));
    const server = new McpServer(this, 'server', {
      metadata: { name: s.name, namespace, labels: { ...labels, ...this.pods } },
      spec: {
        transportType: s.transport === 'http' ? McpServerSpecTransportType.HTTP : McpServerSpecTransportType.STDIO,
        ...(s.transport === 'http' ? { httpTransport: { targetPort: s.http!.targetPort, path: s.http!.path } } : { stdioTransport: {} }),
        deployment: {
          image: resolveImage(s.image, props.mirrors),
          imagePullPolicy: props.pullPolicy as any,
          cmd: s.cmd,
          ...(s.args.length > 0 ? { args: [...s.args] } : {}),
          port: s.port,
          replicas: s.replicas,
          ...(Object.keys(s.env).length > 0 ? { env: { ...s.env } } : {}),
          ...(s.secrets.length > 0 ? { secretRefs: s.secrets.map((x) => ({ name: x.name })) } : {}),
          ...(s.volume ? {
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
            volumeMounts: [{ name: 'data', mountPath: s.volume.mountPath }],
          } : {}),
          resources: {
            requests: quantities(s.resources.requests, McpServerSpecDeploymentResourcesRequests.fromString),
            limits: quantities(s.resources.limits, McpServerSpecDeploymentResourcesLimits.fromString),
          },
          podSecurityContext: {
            runAsNonRoot: true,
            // On OpenShift the restricted-v2 SCC assigns the ids (lib/pods.ts): runAsUser is not used there.
            ...(podIdentityAt(this) === 'image' ? {
              runAsUser: s.runAsUser,
              runAsGroup: s.runAsUser,
              // The volume must be writable by the server's UID.
              ...(s.volume ? { fsGroup: s.runAsUser } : {}),
            } : {}),
            seccompProfile: { type: 'RuntimeDefault' },
          },
          securityContext: CONTAINER_SECURITY as any,
          // The adapter image the controller release pins, written out so it goes through the mirror.
          ...(s.transport === 'stdio' ? {
            initContainer: {
              image: resolveImage(kmcpAdapterImage(props.kmcpVersion ?? DEFAULT_KMCP_VERSION), props.mirrors),
              imagePullPolicy: props.pullPolicy as any,
              securityContext: CONTAINER_SECURITY as any,
            },
          } : {}),
        },
      },
    });

    this.startBudget = mcpServerStartBudget(server.toJson().spec);

    this.endpoint = props.gateway.registerManaged({
      name: s.name,
      title: s.description,
      namespace,
      pods: this.pods,
      serviceName: s.name,
      servicePort: s.port,
      path: s.transport === 'http' ? s.http!.path : KMCP_STDIO_PATH,
      managedBy: 'kmcp',
      unauthenticatedReason: s.unauthenticatedAcknowledged,
    });
  }
}
