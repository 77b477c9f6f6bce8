import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { stringify as toToml } from 'smol-toml';
import { RISK_ACKNOWLEDGED_ANNOTATION } from './annotations';
import { KubernetesMcpIdentity, readerServiceAccount } from './config/kubernetes-mcp-auth';
import { OPERATOR_PROFILE_RULES } from './config/kubernetes-mcp-rbac';
import { ImagesConfig, KubernetesMcpConfig } from './config/types';
import { imageTag, resolveImage } from './images';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';
import { McpBearerAuth, McpEndpoint, McpGateway } from './mcp-gateway';
import { UNAUTHENTICATED_ACKNOWLEDGED_ANNOTATION } from './policy/checks-identity';
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
  /**
   * Who may call the server and as whom it reads the cluster (lib/config/kubernetes-mcp-auth.ts).
   * @default the environment defaults: no auth, no readers, no Llama Stack instance
   */
  readonly identity?: KubernetesMcpIdentity;
  /** Serve /metrics and /stats on this second port (TOML `metrics_port`) for Prometheus. @default undefined: not served apart */
  readonly metricsPort?: number;
}

/** How the server authenticates callers, as its TOML says it. */
export interface KubernetesMcpTomlAuth {
  readonly mode: KubernetesMcpIdentity['mode'];
  readonly oidc?: { readonly issuerUrl: string; readonly serverUrl: string };
  /** `kubeconfig`: the server's own identity for every call, whatever header a caller sends. @default 'passthrough' */
  readonly clusterAuthMode?: 'passthrough' | 'kubeconfig';
}

/** Environment variable every generated client config reads the Kubernetes MCP token from. */
export const KUBERNETES_MCP_TOKEN_ENV = 'K8S_MCP_TOKEN';
/** Name of the in-cluster-only instance Llama Stack calls (its connector sends no header). */
export const LLAMA_STACK_INSTANCE = `${KUBERNETES_MCP_NAME}-llama-stack`;
/** OAuth metadata paths the server answers with `authorization_url` (RFC 9728 protected resource, RFC 8414). */
export const OAUTH_METADATA_PATHS = ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server'];

/** Read rules the read-only tools need besides the built-in `view` role (which holds no Secrets). */
export const READER_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
];
/** The kubelet API (node log and stats tools): an opt-in, it is more than reading. */
export const NODE_PROXY_RULE: k8s.PolicyRule = { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] };

/**
 * The server's TOML configuration: every setting that has a config field. Read-only and
 * non-destructive unless the `operator` RBAC profile grants writes, so that the tools match RBAC.
 */
export function kubernetesMcpToml(config: KubernetesMcpConfig, auth: KubernetesMcpTomlAuth = { mode: 'none' }, metricsPort?: number): string {
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
    ...authToml(auth),
  }) + '\n';
}

/** upstream.md 2b: require_oauth alone refuses to start; passthrough is spelled out so the file says who acts. */
function authToml(auth: KubernetesMcpTomlAuth): Record<string, unknown> {
  switch (auth.mode) {
    case 'kubernetes-token':
      return { require_oauth: true, skip_jwt_verification: true, cluster_auth_mode: 'passthrough' };
    case 'oidc':
      return {
        require_oauth: true, authorization_url: auth.oidc!.issuerUrl, oauth_audience: auth.oidc!.serverUrl,
        server_url: auth.oidc!.serverUrl, cluster_auth_mode: 'passthrough',
      };
    default:
      return auth.clusterAuthMode ? { cluster_auth_mode: auth.clusterAuthMode } : {};
  }
}

/** Why the operator profile is dangerous, in one line for the connection docs. */
export const OPERATOR_PROFILE_RISK = 'This server runs with the OPERATOR RBAC profile: any client that reaches it can create, change and delete '
  + 'pods, services, configmaps, secrets, deployments, jobs and cronjobs in every namespace, and read every Secret. '
  + 'Only connect agents you trust with that, and keep the endpoint off untrusted networks.';

/** Identity settings when none are given: the server reads as itself, nobody else has a ServiceAccount. */
const NO_IDENTITY: KubernetesMcpIdentity = { mode: 'none', readers: [], nodeProxyAccess: false, exposure: [], llamaStackInstance: false, kagent: false };

/** The second instance Llama Stack calls. */
export interface LlamaStackInstance {
  readonly endpoint: McpEndpoint;
  readonly pods: Readonly<Record<string, string>>;
  readonly port: number;
  readonly serviceAccountName: string;
}

/**
 * The Kubernetes MCP server: configuration as a TOML file in a ConfigMap, one port declared once
 * (container port, Service, probes and the TOML `port` all come from it), and who reads the cluster:
 * - `kubernetes-token` / `oidc`: every call needs a bearer token and the server forwards it
 *   (passthrough), so the API server applies the caller's RBAC. The server's own ServiceAccount is
 *   bound to nothing (at start it reads only discovery, which every authenticated identity may).
 *   Each reader gets a ServiceAccount bound to the reader rules (`view` + nodes + events; `nodes/proxy`
 *   only by opt-in; seed 002's CRUD set only with the `operator` profile).
 * - `none`: the server's own ServiceAccount holds the reader rules and acts for everyone who connects.
 * With Llama Stack and auth on, a second instance that only Llama Stack's pods reach answers without a
 * token and acts as its own ServiceAccount with the same reader rules (`cluster_auth_mode = "kubeconfig"`:
 * a header a caller sends is ignored).
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
  readonly identity: KubernetesMcpIdentity;
  /** ServiceAccount name of each reader. */
  readonly readerServiceAccounts: readonly string[];
  /** The in-cluster-only instance for Llama Stack. @default undefined: Llama Stack calls {@link endpoint} */
  readonly llamaStack?: LlamaStackInstance;
  /** The Secret with kagent's `Authorization` header value, when kagent must authenticate. */
  readonly kagentCredential?: HeaderSecret;

  private readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: KubernetesMcpServerProps) {
    super(scope, id);
    const { config } = props;
    const ns = config.namespace;
    const identity = props.identity ?? NO_IDENTITY;
    this.identity = identity;
    this.namespace = ns;
    this.port = config.port;
    const protectedMode = identity.mode !== 'none';
    const version = imageTag(config.image);
    const serverIdentity: WorkloadIdentity = {
      name: KUBERNETES_MCP_NAME, instance: KUBERNETES_MCP_NAME, component: 'mcp-server', partOf: 'mcp', version,
    };
    const labels = standardLabels(serverIdentity);
    this.labels = labels;
    this.pods = selectorLabels(serverIdentity);

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: this.serviceAccountName, namespace: ns, labels },
      automountServiceAccountToken: false,
    });
    this.readerServiceAccounts = protectedMode ? identity.readers.map(readerServiceAccount) : [];
    for (const [i, sa] of this.readerServiceAccounts.entries()) {
      new k8s.KubeServiceAccount(this, `reader-${identity.readers[i]}`, {
        metadata: {
          name: sa, namespace: ns,
          labels: standardLabels({ ...serverIdentity, component: 'mcp-reader', instance: sa }),
          annotations: { 'penpot-mcp-platform/token-command': `npm run token -- --env <env> --reader ${identity.readers[i]}` },
        },
        // Tokens come from `kubectl create token` (bounded lifetime), never from a mounted file.
        automountServiceAccountToken: false,
      });
    }

    const llamaSa = protectedMode && identity.llamaStackInstance ? LLAMA_STACK_INSTANCE : undefined;
    const subjects: k8s.Subject[] = [
      ...(protectedMode ? [] : [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: ns }]),
      ...this.readerServiceAccounts.map((name) => ({ kind: 'ServiceAccount', name, namespace: ns })),
      ...(llamaSa ? [{ kind: 'ServiceAccount', name: llamaSa, namespace: ns }] : []),
      ...(identity.oidc?.readerGroups ?? []).map((name) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name })),
    ];
    this.grantReaderRules(config, subjects);

    const toml = kubernetesMcpToml(config, { mode: identity.mode, oidc: identity.oidc, clusterAuthMode: config.auth?.clusterAuthMode }, props.metricsPort);
    const unauthenticatedReason = protectedMode ? undefined
      : identity.exposure.length > 0 ? identity.unauthenticatedAcknowledged : IN_NAMESPACE_ONLY_REASON;
    this.workload = this.instance('server', {
      config, images: props.images, workloadIdentity: serverIdentity, serviceAccountName: this.serviceAccountName, toml, unauthenticatedReason,
      metricsPort: props.metricsPort,
    });

    if (identity.kagent && protectedMode) {
      // Not in the secrets contract: its value is a token of a ServiceAccount this app creates, so it can only
      // be made after the first sync (`npm run token -- --reader kagent --write-secret`, see CONNECT.md).
      this.kagentCredential = { secretName: KAGENT_CREDENTIAL_SECRET, key: KAGENT_CREDENTIAL_KEY, namespace: ns };
    }

    const operator = config.rbacProfile === 'operator';
    const bearer: McpBearerAuth | undefined = protectedMode ? {
      mode: identity.mode as McpBearerAuth['mode'],
      envVar: KUBERNETES_MCP_TOKEN_ENV,
      howToGetIt: identity.mode === 'oidc'
        ? `a token of ${identity.oidc?.issuerUrl} (your MCP client runs the OAuth flow itself, or paste an access token)`
        : `\`npm run token -- --env <env> --reader <your name>\` (a reader listed in kubernetesMcp.readers), or your own cluster token (\`oc whoami -t\`)`,
      ...(this.kagentCredential ? {
        agents: `kagent's RemoteMCPServer sends the header stored in Secret \`${ns}/${KAGENT_CREDENTIAL_SECRET}\` (key \`${KAGENT_CREDENTIAL_KEY}\`, `
          + `value \`Bearer <token>\`). Create or renew it after the first sync of this app (its ServiceAccount must exist): `
          + `\`npm run token -- --env <env> --reader kagent --duration 8760h --write-secret\` (the token goes to kubectl on stdin only).`,
      } : {}),
    } : undefined;
    this.endpoint = props.gateway.expose({
      name: 'kubernetes',
      title: operator ? 'Kubernetes MCP server (OPERATOR profile: writes to the cluster)' : 'Kubernetes MCP server (read-only cluster diagnosis)',
      risk: operator ? OPERATOR_PROFILE_RISK : undefined,
      namespace: ns,
      serviceName: KUBERNETES_MCP_NAME,
      identity: serverIdentity,
      ports: [{ name: 'http', port: config.port }],
      mcpPortName: 'http',
      exposure: config.exposure,
      ingressHost: config.ingressHost,
      bearer,
      apiIdentity: protectedMode
        ? "the caller's own token (passthrough: the API server applies the caller's RBAC and audit)"
        : `ServiceAccount ${ns}/${this.serviceAccountName} (reader rules) for every caller`,
      unauthenticatedReason: !protectedMode && identity.exposure.length > 0 ? identity.unauthenticatedAcknowledged : undefined,
      extraIngressPaths: identity.mode === 'oidc' ? OAUTH_METADATA_PATHS : [],
    });

    if (llamaSa) {
      const llamaIdentity: WorkloadIdentity = { ...serverIdentity, instance: LLAMA_STACK_INSTANCE };
      const llamaLabels = standardLabels(llamaIdentity);
      new k8s.KubeServiceAccount(this, 'llama-stack-service-account', {
        metadata: { name: llamaSa, namespace: ns, labels: llamaLabels },
        automountServiceAccountToken: false,
      });
      this.instance('llama-stack', {
        config, images: props.images, workloadIdentity: llamaIdentity, serviceAccountName: llamaSa,
        toml: kubernetesMcpToml(config, { mode: 'none', clusterAuthMode: 'kubeconfig' }),
        unauthenticatedReason: LLAMA_STACK_INSTANCE_REASON,
      });
      const endpoint = props.gateway.expose({
        name: 'kubernetes-llama-stack',
        title: 'Kubernetes MCP server for Llama Stack only (in-cluster, read-only, no header)',
        namespace: ns,
        serviceName: LLAMA_STACK_INSTANCE,
        identity: llamaIdentity,
        ports: [{ name: 'http', port: config.port }],
        mcpPortName: 'http',
        exposure: { type: 'ClusterIP' },
        apiIdentity: `ServiceAccount ${ns}/${llamaSa} (reader rules; cluster_auth_mode kubeconfig ignores any caller header)`,
        unauthenticatedReason: LLAMA_STACK_INSTANCE_REASON,
      });
      this.llamaStack = { endpoint, pods: selectorLabels(llamaIdentity), port: config.port, serviceAccountName: llamaSa };
    }
  }

  /** One Deployment of the server with its TOML ConfigMap (named like the Deployment) and, if configured, an HPA. */
  private instance(id: string, p: {
    config: KubernetesMcpConfig; images: ImagesConfig; workloadIdentity: WorkloadIdentity; serviceAccountName: string; toml: string;
    /** Why this instance takes no token, for the policy suite. @default undefined: it requires one */
    unauthenticatedReason?: string;
    /** The server's metrics_port, declared as a second container port. @default undefined */
    metricsPort?: number;
  }): Workload {
    const { config } = p;
    const name = p.workloadIdentity.instance;
    const ns = config.namespace;
    const labels = standardLabels(p.workloadIdentity);
    const scope = id === 'server' ? this : new Construct(this, id);
    new k8s.KubeConfigMap(scope, 'config', {
      metadata: {
        name, namespace: ns, labels,
        ...(p.unauthenticatedReason ? { annotations: { [UNAUTHENTICATED_ACKNOWLEDGED_ANNOTATION]: p.unauthenticatedReason } } : {}),
      },
      data: { [CONFIG_FILE]: p.toml },
    });
    const workload = new Workload(scope, 'workload', {
      name,
      namespace: ns,
      identity: p.workloadIdentity,
      replicas: config.replicas,
      autoscaled: config.autoscaling !== undefined,
      // A changed TOML rolls the pods: the server reads its file only at start.
      podAnnotations: { 'checksum/config': createHash('sha256').update(p.toml).digest('hex') },
      pod: {
        serviceAccountName: p.serviceAccountName,
        // In-cluster authentication is the point of this server (discovery at start; tool calls without auth).
        automountServiceAccountToken: true,
        securityContext: podSecurity(this, KUBERNETES_MCP_UID),
        containers: [{
          name: KUBERNETES_MCP_NAME,
          image: resolveImage(config.image, p.images.mirrors),
          imagePullPolicy: p.images.pullPolicy,
          // The port lives only in the TOML file: an explicit --port would silently win over it, so
          // the entrypoint is replaced (a fork may bake one in) and --port is refused in extraArgs.
          command: [...config.command],
          args: ['--config', `${CONFIG_DIR}/${CONFIG_FILE}`, ...config.extraArgs],
          ports: [
            { name: 'http', containerPort: config.port, protocol: 'TCP' },
            ...(p.metricsPort !== undefined ? [{ name: 'metrics', containerPort: p.metricsPort, protocol: 'TCP' }] : []),
          ],
          // /healthz stays open with require_oauth (upstream.md 2b): probes need no token.
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
          { name: 'config', configMap: { name } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
        ],
      },
    });
    if (config.autoscaling) {
      cpuAutoscaler(scope, 'autoscaler', { deploymentName: name, namespace: ns, labels, autoscaling: config.autoscaling });
    }
    return workload;
  }

  /** The reader rules (and the opt-ins) for whoever reads the cluster: readers, or the server itself without auth. */
  private grantReaderRules(config: KubernetesMcpConfig, subjects: k8s.Subject[]): void {
    const ns = this.namespace;
    const labels = this.labels;
    const bind = subjects.length > 0;
    if (bind) this.bindClusterRole('view', 'view', subjects);
    this.clusterRole('nodes', `${ns}-${KUBERNETES_MCP_NAME}-nodes`, subjects, [
      ...READER_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...r.verbs] })),
      ...(this.identity.nodeProxyAccess ? [{ ...NODE_PROXY_RULE }] : []),
    ], this.identity.nodeProxyAccess ? { [RISK_ACKNOWLEDGED_ANNOTATION]: NODE_PROXY_RISK } : undefined);
    if (config.helmReleaseAccess) {
      // Opt-in risk: Helm keeps releases (values included) in Secrets; listing returns their data.
      // The acknowledgement travels on the role to the policy suite, as the operator profile's does.
      const helmAnnotations = config.helmReleaseAccessAcknowledged
        ? { [RISK_ACKNOWLEDGED_ANNOTATION]: config.helmReleaseAccessAcknowledged } : undefined;
      this.clusterRole('helm-releases', `${ns}-${KUBERNETES_MCP_NAME}-helm-releases`, subjects, [
        { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
      ], helmAnnotations);
    }
    if (config.rbacProfile === 'operator') {
      // Opt-in risk (seed 002): write access cluster-wide. The annotation carries the
      // environment's acknowledgement to the policy suite, which fails without it.
      const annotations = config.rbacRiskAcknowledged ? { [RISK_ACKNOWLEDGED_ANNOTATION]: config.rbacRiskAcknowledged } : undefined;
      this.clusterRole('operator', `${ns}-${KUBERNETES_MCP_NAME}-operator`, subjects,
        OPERATOR_PROFILE_RULES.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })), annotations);
    }
    void labels;
  }

  private clusterRole(id: string, name: string, subjects: k8s.Subject[], rules: k8s.PolicyRule[], annotations?: Record<string, string>): void {
    new k8s.KubeClusterRole(this, `${id}-role`, { metadata: { name, labels: this.labels, ...(annotations ? { annotations } : {}) }, rules });
    // Without subjects the role stays for operators to bind their own users to (`oc adm policy add-cluster-role-to-user`).
    if (subjects.length > 0) this.bindClusterRole(id, name, subjects);
  }

  private bindClusterRole(id: string, roleName: string, subjects: k8s.Subject[]): void {
    new k8s.KubeClusterRoleBinding(this, `${id}-binding`, {
      metadata: { name: `${this.namespace}-${KUBERNETES_MCP_NAME}-${id}`, labels: this.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects,
    });
  }
}

/** Why Llama Stack's instance takes no token (CONNECT.md and the policy suite show it). */
export const LLAMA_STACK_INSTANCE_REASON = "Llama Stack's connector sends no header on initialize (upstream.md 4); only Llama Stack's pods are admitted, "
  + 'and the server reads the cluster as its own ServiceAccount with the reader rules';
/** Why a server without auth is fine when nothing beyond its namespace is admitted. */
export const IN_NAMESPACE_ONLY_REASON = 'no NetworkPolicy admits callers from beyond the server\'s namespace (no NodePort, ingress host, client or agent namespaces)';

/** A Secret key holding a whole header value (`Bearer <token>`), created outside git. */
export interface HeaderSecret {
  readonly secretName: string;
  readonly namespace: string;
  readonly key: string;
}

/** Secret and key of kagent's `Authorization` header (the value is `Bearer <token>`). */
export const KAGENT_CREDENTIAL_SECRET = 'kubernetes-mcp-kagent-credential';
export const KAGENT_CREDENTIAL_KEY = 'authorization';

/** Why `nodes/proxy` is an opt-in, for the ClusterRole annotation and the docs. */
export const NODE_PROXY_RISK = 'kubernetesMcp.nodeProxyAccess: nodes/proxy get reaches the kubelet API of every node '
  + '(node logs and stats tools); the kubelet answers more than reads on it (CIS Kubernetes 5.1.14).';
