import type { KubernetesMcpIdentityConfig } from './kubernetes-mcp-auth';

/**
 * The platform's configuration model. Environments are written as {@link EnvironmentInput}
 * (only what differs from the defaults) and resolved into a complete {@link EnvironmentConfig}
 * by `resolveEnvironment`, which also validates every field before anything is synthesized.
 */
import type { OffsiteBackupConfig } from '../backup/offsite-config';
import type { z } from 'zod';
import type { environmentInput, kmcpServerInput } from './schema/environment';
import type { PenpotExportConfig } from '../penpot/export/config';
import type { RoutingIngressConfig } from '../routing/config';
import type { LlamaStackAuthConfig, LlamaStackStorageConfig } from './llama-stack';

/** Kubernetes resource requests and limits of one container, as Kubernetes quantities. */
export interface ResourceSpec {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export type AccessMode = 'ReadWriteOnce' | 'ReadWriteMany';

export interface StorageConfig {
  /** StorageClass of every PVC. @default 'local-path' (k3s' bundled provisioner) */
  readonly className: string;
  /**
   * Access mode of the shared Penpot assets volume. With ReadWriteOnce the frontend and backend
   * are pinned to one node and run one replica each.
   * @default 'ReadWriteOnce'
   */
  readonly assetsAccessMode: AccessMode;
  /** Size of the Penpot assets volume. @default '10Gi' */
  readonly assetsSize: string;
  /** Size of the PostgreSQL data volume. @default '5Gi' */
  readonly postgresSize: string;
  /**
   * The class provisions hostPath-backed volumes (local-path does), which ignore `fsGroup`:
   * an init container then chowns the assets volume to Penpot's UID 1001. That container runs as
   * root, which OpenShift's restricted-v2 SCC refuses: there it is a configuration error.
   * @default true when className is 'local-path', else false
   */
  readonly hostPathBacked: boolean;
}

export interface ImagesConfig {
  /**
   * Registry mirrors: source registry host -> replacement prefix. Every image whose registry
   * matches is rewritten, e.g. `{ 'docker.io': 'harbor.example.internal/dockerhub' }` turns
   * `docker.io/library/postgres:15` into `harbor.example.internal/dockerhub/library/postgres:15`.
   * @default {} (images are pulled from their upstream registries)
   */
  readonly mirrors: Readonly<Record<string, string>>;
  /** PostgreSQL image. @default 'docker.io/library/postgres:15' (upstream Penpot's own choice) */
  readonly postgres: string;
  /** Valkey image. @default 'docker.io/valkey/valkey:8.1' */
  readonly valkey: string;
  /** Pull policy of every container. @default 'IfNotPresent' (tags are pinned) */
  readonly pullPolicy: 'IfNotPresent' | 'Always';
}

/** Routing settings (controller, Traefik, Gateway): their keys are documented on RoutingIngressConfig (lib/routing/config.ts). */
export interface IngressConfig extends RoutingIngressConfig {
  /**
   * IngressClass. Unused on OpenShift (Routes have no class) and with gateway-api (HTTPRoutes attach
   * to a Gateway). @default 'traefik' with controller traefik, else 'nginx' (ingress-nginx)
   */
  readonly className: string;
  /**
   * Name of an existing TLS Secret (type kubernetes.io/tls) for the Penpot host; none means plain http.
   * Refused on OpenShift: edge Routes serve the router's certificate. @default undefined
   */
  readonly tlsSecretName?: string;
  /**
   * Source CIDRs allowed through the ingress (ingress-nginx `whitelist-source-range`; on OpenShift
   * the Route annotation `haproxy.router.openshift.io/ip_allowlist`).
   * @default [] (no restriction at the ingress)
   */
  readonly allowedSourceCidrs: readonly string[];
}

export interface ArgoConfig {
  /** Git repository Argo CD reads `dist/` from. */
  readonly repoURL: string;
  /** Branch, tag or commit. @default 'main' */
  readonly targetRevision: string;
  /** Namespace Argo CD runs in (Applications live there). @default 'argocd' */
  readonly namespace: string;
  /** AppProject of every Application. @default 'default' */
  readonly project: string;
  /** Destination API server. @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in) */
  readonly destinationServer: string;
}

export interface SmtpConfig {
  readonly host: string;
  /** @default 587 */
  readonly port: number;
  /** STARTTLS/TLS towards the SMTP server. @default true */
  readonly tls: boolean;
  readonly defaultFrom: string;
  /** @default defaultFrom */
  readonly defaultReplyTo: string;
  /** The SMTP server needs a login: username and password come from the `penpot-smtp` Secret. @default true */
  readonly authenticated: boolean;
}

export interface OidcConfig {
  /** Issuer base URI, e.g. `https://sso.example.internal/realms/main`. */
  readonly baseUri: string;
  /** Label of the login button. @default 'SSO' */
  readonly name: string;
  /** @default 'openid profile email' */
  readonly scopes: string;
}

/** See {@link PenpotConfig.frontendEgress}. */
export type PenpotFrontendEgress =
  | { readonly mode: 'https'; readonly cidrs: readonly string[] }
  | { readonly mode: 'air-gapped' };

/** Where Penpot keeps uploaded files. */
export type ObjectStorageConfig =
  | { readonly backend: 'fs' }
  | {
    readonly backend: 's3';
    readonly bucket: string;
    readonly region: string;
    /** S3 endpoint for non-AWS stores (MinIO, Garage...). */
    readonly endpoint?: string;
  };

export interface PenpotComponentSizes {
  readonly frontend: ResourceSpec;
  readonly backend: ResourceSpec;
  readonly exporter: ResourceSpec;
  readonly postgres: ResourceSpec;
  readonly valkey: ResourceSpec;
  /** Only used when `storage.hostPathBacked` (the chown init container). */
  readonly init: ResourceSpec;
  /** The Penpot MCP server. */
  readonly mcp: ResourceSpec;
}

export interface PenpotReplicas {
  /** @default 1 */
  readonly frontend: number;
  /** @default 1 */
  readonly backend: number;
  /** @default 1 */
  readonly exporter: number;
}

export interface PenpotMcpConfig {
  /** Deploy `penpotapp/mcp` and turn on `enable-mcp`. @default true */
  readonly enabled: boolean;
  /** More than one replica shares sessions through Valkey (`PENPOT_MCP_REDIS_URI`). @default 1 */
  readonly replicas: number;
  /**
   * Optional dedicated host routed straight to the MCP server's `/mcp` (for clients that cannot use
   * `<public URI>/mcp/stream`). @default undefined: same-origin only
   */
  readonly host?: string;
  /** Reach from outside the cluster besides the ingress (e.g. NodePort over a VPN). @default { type: 'ClusterIP' } */
  readonly exposure: McpExposure;
  /** `PENPOT_MCP_LOG_LEVEL`. @default 'info' */
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly resources: ResourceSpec;
}

/**
 * Scheduled backups of Penpot: one consistent set per run (a `pg_dump -Fc` of the database plus
 * a tar archive of the assets volume when objects live on the filesystem) on a volume of its own,
 * keeping the newest `retention` complete sets. Restore steps are in `dist/<env>/OPERATIONS.md`.
 */
export interface PenpotBackupConfig {
  /** Run the backup CronJob. @default true */
  readonly enabled: boolean;
  /** Standard 5-field cron expression (minute hour day-of-month month day-of-week). @default '0 3 * * *' */
  readonly schedule: string;
  /** IANA time zone the schedule is read in (CronJob `timeZone`). @default 'Etc/UTC' */
  readonly timeZone: string;
  /** Complete sets kept; older ones are deleted after each successful run. @default 7 */
  readonly retention: number;
  /** Size of the backup volume; must hold `retention` + 1 sets. @default '20Gi' */
  readonly size: string;
  /** StorageClass of the backup volume. @default storage.className */
  readonly storageClassName: string;
  /** Seconds one run may take before it is killed (Job `activeDeadlineSeconds`). @default 7200 */
  readonly activeDeadlineSeconds: number;
  /** @default requests 100m/128Mi, limits 1/512Mi */
  readonly resources: ResourceSpec;
  /** Copies of every set off the node with restic (lib/backup/offsite-config.ts). @default undefined: sets stay on the node */
  readonly offsite?: OffsiteBackupConfig;
}

export interface PenpotConfig {
  /** Deploy Penpot (an environment may hold only MCP servers). @default true */
  readonly enabled: boolean;
  /** Namespace of Penpot and its databases. @default 'penpot' */
  readonly namespace: string;
  /** Host name users type. @default `penpot.<domain>` */
  readonly host: string;
  /** Scheme users type. @default 'https' when `ingress.tlsSecretName` is set or on OpenShift (edge Routes), else 'http' */
  readonly scheme: 'http' | 'https';
  /**
   * Exactly what users type in the browser (scheme, host, optional port, no trailing slash).
   * Set it when an outer proxy changes the port; otherwise it is `<scheme>://<host>`.
   * @default `${scheme}://${host}`
   */
  readonly publicUri: string;
  /** Penpot release of the frontend, backend and exporter images. @default '2.17.0' */
  readonly version: string;
  /** Open self-registration. @default true */
  readonly registration: boolean;
  /** Require e-mail verification (needs SMTP). @default false */
  readonly emailVerification: boolean;
  /**
   * Cluster without outbound DNS/Internet: the frontend runs `enable-air-gapped-conf` (nginx does not
   * proxy the external font and template hosts). @default true when `frontendEgress.mode` is 'air-gapped', else false
   */
  readonly airGapped: boolean;
  /**
   * The fonts and dashboard templates the frontend's nginx fetches from fonts.googleapis.com,
   * fonts.gstatic.com and raw.githubusercontent.com (upstream.md section 7): `https` lets the
   * frontend open TCP 443 to `cidrs`; `air-gapped` turns those fetches off instead. Say which in
   * every environment: under the default-deny egress, neither means requests that hang for 300 s.
   * @default `{ mode: 'air-gapped' }` when `airGapped`, else `{ mode: 'https', cidrs: ['0.0.0.0/0'] }`
   */
  readonly frontendEgress: PenpotFrontendEgress;
  /** Penpot's official MCP server and the frontend's `/mcp/*` routes to it. */
  readonly mcp: PenpotMcpConfig;
  /** Anonymous telemetry to Penpot. @default false */
  readonly telemetry: boolean;
  /** Extra `PENPOT_FLAGS` entries (each `enable-*` or `disable-*`). @default [] */
  readonly extraFlags: readonly string[];
  /** @default { backend: 'fs' } on the assets volume */
  readonly objectStorage: ObjectStorageConfig;
  /** Optional SMTP; `enable-smtp` is set only when present. @default undefined */
  readonly smtp?: SmtpConfig;
  /** Optional OpenID Connect login. @default undefined */
  readonly oidc?: OidcConfig;
  readonly replicas: PenpotReplicas;
  /** Chromium instances the exporter may run at once; each needs ~300-500 MiB. @default 2 */
  readonly exporterBrowserPoolMax: number;
  /** Max upload size in bytes, shared by the frontend's nginx and the ingress. @default 367001600 (upstream default) */
  readonly maxBodySizeBytes: number;
  readonly resources: PenpotComponentSizes;
  /** Scheduled database and assets backups. */
  readonly backup: PenpotBackupConfig;
  /** Headless frame export for agents: the export MCP server (lib/penpot/export/config.ts). */
  readonly export: PenpotExportConfig;
}

/** How clients outside the cluster reach an MCP server's Service. */
export type McpExposure =
  | { readonly type: 'ClusterIP' }
  /** `nodePort` fixed (30000-32767) so client configs stay valid; omitted = allocated by the cluster. */
  | { readonly type: 'NodePort'; readonly nodePort?: number };

/** Toolsets of kubernetes-mcp-server 0.0.67. */
export const KUBERNETES_MCP_TOOLSETS = ['core', 'config', 'helm', 'kiali', 'kubevirt', 'tekton', 'kcp', 'netobserv'] as const;

export interface KubernetesMcpAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** @default 70 */
  readonly targetCpuPercent: number;
}

/**
 * What the Kubernetes MCP server's ServiceAccount may do (see lib/config/kubernetes-mcp-rbac.ts):
 * - `read-only`: the built-in `view` role plus nodes and events; the server runs `read_only`.
 * - `operator`: seed 002's CRUD set on pods, services, configmaps, secrets, deployments, jobs and
 *   cronjobs in every namespace, with the server's read-only and non-destructive modes off. RISK.
 */
export type KubernetesMcpRbacProfile = 'read-only' | 'operator';

/**
 * The Kubernetes MCP server (containers/kubernetes-mcp-server) with in-cluster RBAC, read-only by default.
 * Who may call it and as whom it reads the cluster (`auth`, `readers`, `nodeProxyAccess`): lib/config/kubernetes-mcp-auth.ts.
 */
export interface KubernetesMcpConfig extends KubernetesMcpIdentityConfig {
  /** @default false */
  readonly enabled: boolean;
  /** @default 'mcp-system' */
  readonly namespace: string;
  /** Pinned image; override for a fork. @default 'quay.io/containers/kubernetes_mcp_server:v0.0.67' */
  readonly image: string;
  /**
   * The server binary inside the image. Set explicitly so that no flag baked into an image's
   * entrypoint (a fork's `--port 8080`) can override the TOML file. @default ['/app/kubernetes-mcp-server']
   */
  readonly command: readonly string[];
  /** Extra server flags. Settings with a config field (port, config, read-only...) are refused here. @default [] */
  readonly extraArgs: readonly string[];
  /**
   * The one port of the server: containerPort, Service targetPort, probes and the TOML `port`
   * (the server's only port setting) all come from it. @default 8080
   */
  readonly port: number;
  /** Names from {@link KUBERNETES_MCP_TOOLSETS}. @default ['core', 'config'] */
  readonly toolsets: readonly string[];
  /** Output of list tools. @default 'table' */
  readonly listOutput: 'table' | 'yaml';
  /** Tools to disable besides `configuration_view` (always disabled: it hands out the kubeconfig). @default [] */
  readonly disabledTools: readonly string[];
  /** 0-9. @default 2 */
  readonly logLevel: number;
  /**
   * RISK, opt-in: lets the server list Secrets cluster-wide so the `helm` toolset can read
   * Helm releases (which Helm stores in Secrets, values included). @default false
   */
  readonly helmReleaseAccess: boolean;
  /**
   * Why this environment accepts `helmReleaseAccess` (one sentence, written into the ClusterRole's
   * annotation). Without it the synth refuses `helmReleaseAccess: true`. @default undefined: not acknowledged
   */
  readonly helmReleaseAccessAcknowledged?: string;
  /** RBAC profile of the server's ServiceAccount. @default 'read-only' */
  readonly rbacProfile: KubernetesMcpRbacProfile;
  /**
   * Why this environment accepts the `operator` profile's write access (one sentence, written into
   * the ClusterRole's annotation). Without it `npm run policy` fails on that ClusterRole.
   * @default undefined: not acknowledged
   */
  readonly rbacRiskAcknowledged?: string;
  /**
   * No per-session state: needed behind a Service with several replicas, and it avoids the
   * 409 "stream ID conflict" on reconnect after a VPN drop. @default false
   */
  readonly stateless: boolean;
  /** @default 1 */
  readonly replicas: number;
  /** HorizontalPodAutoscaler on CPU; requires `stateless`. @default undefined */
  readonly autoscaling?: KubernetesMcpAutoscaling;
  /** @default { type: 'ClusterIP' } */
  readonly exposure: McpExposure;
  /** Optional host routed by the ingress (an OpenShift Route on OpenShift) to the server. @default undefined */
  readonly ingressHost?: string;
  /** @default requests 50m/64Mi, limits 500m/256Mi */
  readonly resources: ResourceSpec;
}

/** The kMCP controller (kagent-dev/kmcp), installed by Argo CD from its Helm charts. */
export interface KmcpControllerConfig {
  /** Install the CRDs chart and the controller chart through Argo CD. Turn off when kMCP is already installed. @default true */
  readonly install: boolean;
  /** @default 'kmcp-system' */
  readonly namespace: string;
  /** Helm repository of both charts, without `oci://` (Argo CD's form for OCI registries). @default 'ghcr.io/kagent-dev/kmcp/helm' */
  readonly chartRepoURL: string;
  /** Version of the `kmcp-crds` and `kmcp` charts (and of the controller image). @default '0.3.0' */
  readonly chartVersion: string;
  /** Chart value `controller.replicaCount`. @default 1 */
  readonly replicas: number;
  /** Chart value `controller.leaderElection.enabled`; needed with more than one replica. @default true */
  readonly leaderElection: boolean;
  /** Chart value `resources`. @default the chart's own: requests 10m/64Mi, limits 500m/128Mi */
  readonly resources: ResourceSpec;
}

/** A Secret an MCP server reads as environment variables (kMCP `secretRefs`), created outside git. */
export interface KmcpServerSecret {
  /** Secret name in the servers' namespace. */
  readonly name: string;
  /** Key (= environment variable name) -> what it holds. */
  readonly keys: Readonly<Record<string, string>>;
}

/** A volume claimed for one MCP server (e.g. the files a filesystem server serves). */
export interface KmcpServerVolume {
  readonly mountPath: string;
  /** @default '1Gi' */
  readonly size: string;
  /** @default 'ReadWriteOnce' */
  readonly accessMode: AccessMode;
}

/** One kMCP `MCPServer`: the controller turns it into a ServiceAccount, ConfigMap, Deployment and Service. */
export interface KmcpServerConfig {
  /** MCPServer name, also its Deployment, Service and ServiceAccount name. DNS-1123 label. */
  readonly name: string;
  /** One line for the docs and kagent. @default `MCP server <name>` */
  readonly description: string;
  /** `stdio`: kMCP bridges stdin/stdout to HTTP with its transport adapter; `http`: the server speaks HTTP itself. */
  readonly transport: 'stdio' | 'http';
  /** Pinned image holding the server (and, for stdio, able to run the adapter binary kMCP copies in). */
  readonly image: string;
  /** The executable, one string (kMCP's `cmd`); its arguments go to `args`. */
  readonly cmd: string;
  /** @default [] */
  readonly args: readonly string[];
  /**
   * Port of the Service kMCP creates (stdio: where its adapter listens; http: the server's own port,
   * which kMCP's Service targets). @default 3000
   */
  readonly port: number;
  /** Only for `http`: where the server serves MCP. */
  readonly http?: { readonly targetPort: number; readonly path: string };
  /** Plain environment variables (kMCP's `env` takes strings only: secrets go to `secrets`). @default {} */
  readonly env: Readonly<Record<string, string>>;
  /** Secrets whose keys become environment variables. @default [] */
  readonly secrets: readonly KmcpServerSecret[];
  /** @default undefined (no volume) */
  readonly volume?: KmcpServerVolume;
  /**
   * Built-in read-only ClusterRoles bound to the ServiceAccount kMCP creates (kMCP binds nothing).
   * @default [] (no Kubernetes API access)
   */
  readonly clusterRoles: readonly ('view')[];
  /** Destinations outside the cluster the server needs, e.g. a package registry for `npx`. @default { cidrs: [], ports: [] } */
  readonly egress: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /** @default 1 */
  readonly replicas: number;
  /** @default requests 50m/128Mi, limits 1/512Mi */
  readonly resources: ResourceSpec;
  /** UID the container runs as (kMCP sets no security context of its own); unused on OpenShift (the SCC assigns it). @default 1000 (the `node` user of node images) */
  readonly runAsUser: number;
  /** Generate a kagent RemoteMCPServer for it when `kagent.enabled`. @default true */
  readonly registerWithKagent: boolean;
  /**
   * Why this server may take no credential although agents of other namespaces call it (kMCP puts
   * no authentication in front of a server; the program's own, if any, is all there is). Required
   * whenever `kagent.agentNamespaces` or `network.mcpClientNamespaces` reach it; shown in CONNECT.md's
   * count of open endpoints. @default undefined: not acknowledged (refused when other namespaces reach it)
   */
  readonly unauthenticatedAcknowledged?: string;
}

/** MCP servers run by kMCP. */
export interface KmcpConfig {
  /** @default false */
  readonly enabled: boolean;
  readonly controller: KmcpControllerConfig;
  /** Namespace of the MCPServers (the `mcp-servers` app). @default 'mcp-servers' */
  readonly namespace: string;
  /** @default [] */
  readonly servers: readonly KmcpServerConfig[];
}

/** kagent agents: they reach the platform's MCP servers through `RemoteMCPServer` objects. */
export interface KagentConfig {
  /** Generate a RemoteMCPServer for each MCP server (the Kubernetes one and kMCP ones that opt in). @default false */
  readonly enabled: boolean;
  /**
   * Namespaces where kagent agents run: they may reference the RemoteMCPServers (which live beside
   * their servers) and call the servers through the default-deny policies. @default ['kagent']
   */
  readonly agentNamespaces: readonly string[];
}

/** OpenAI-compatible inference servers Llama Stack can use (provider `remote::<kind>`). */
export const LLAMA_STACK_INFERENCE_KINDS = ['ollama', 'vllm', 'openai'] as const;
export type LlamaStackInferenceKind = typeof LLAMA_STACK_INFERENCE_KINDS[number];

/** Where Llama Stack sends inference requests. */
export interface LlamaStackInferenceConfig {
  /**
   * `ollama` and `vllm` use their own providers; `openai` is any OpenAI-compatible server
   * (LiteLLM, a hosted API...) that needs a key. No default: name yours.
   */
  readonly kind: LlamaStackInferenceKind;
  /**
   * Base URL of the server's OpenAI-compatible API, ending in `/v1`, e.g.
   * `http://ollama.example.internal:11434/v1`. No credentials in it (they would land in git).
   */
  readonly url: string;
  /**
   * Name of an existing Secret in the Llama Stack namespace whose key `INFERENCE_API_KEY` holds
   * the API key; required for `openai`, optional for `vllm` (`--api-key`), not used by `ollama`.
   * The key reaches the server as an environment variable, never through the ConfigMap.
   * @default undefined
   */
  readonly apiKeySecret?: string;
  /** Model ids the server serves, registered at start as `<kind>/<id>`. @default [] */
  readonly models: readonly string[];
  /** Addresses of the inference server, for the egress NetworkPolicy. @default ['0.0.0.0/0'] */
  readonly cidrs: readonly string[];
}

export interface LlamaStackAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** @default 70 */
  readonly targetCpuPercent: number;
}

/** Llama Stack (OGX from 0.8.0) wired to the Kubernetes MCP server, in its own namespace. */
export interface LlamaStackConfig {
  /** Needs `kubernetesMcp.enabled`. @default false */
  readonly enabled: boolean;
  /** Its own namespace (not the MCP server's). @default 'llama-stack' */
  readonly namespace: string;
  /**
   * Release; one this platform knows how to configure (the MCP registration key and the provider
   * names changed between releases). @default '0.7.1'
   */
  readonly version: string;
  /** Distribution image flavour. @default 'starter' */
  readonly distribution: string;
  /**
   * Image; override for a mirror or a rebuilt image of the same release.
   * @default `docker.io/llamastack/distribution-<distribution>:<version>` up to 0.7.x, `docker.io/ogx/...` from 0.8.0
   */
  readonly image: string;
  readonly inference: LlamaStackInferenceConfig;
  /** @default 1 */
  readonly replicas: number;
  /**
   * HorizontalPodAutoscaler on CPU, e.g. `{ minReplicas: 2, maxReplicas: 5, targetCpuPercent: 70 }`.
   * Needs shared state: `storage.backend` 'postgres' (the default then). @default undefined
   */
  readonly autoscaling?: LlamaStackAutoscaling;
  /** Optional host routed by the ingress to the Llama Stack API. @default undefined */
  readonly ingressHost?: string;
  /** Namespaces whose pods (your apps and agents) may call the Llama Stack API. @default [] */
  readonly clientNamespaces: readonly string[];
  /** Where its state lives: SQLite on a PVC (one replica) or shared PostgreSQL (see config/llama-stack.ts). */
  readonly storage: LlamaStackStorageConfig;
  /** Who may call its API: Kubernetes tokens by default when it is reachable beyond its namespace. */
  readonly auth: LlamaStackAuthConfig;
  /** @default requests 250m/1Gi, limits 2/2Gi */
  readonly resources: ResourceSpec;
}

/** PrometheusRule alerts; needs the prometheus-operator CRDs (kube-prometheus-stack). */
export interface PrometheusRulesConfig {
  /** Labels your Prometheus' `ruleSelector` matches, e.g. `{ release: 'kube-prometheus-stack' }`. @default {} */
  readonly labels: Readonly<Record<string, string>>;
  /** Minutes a backup (or repository check) may be late past its schedule's longest gap before it alerts. @default 60 */
  readonly backupMarginMinutes: number;
  /** Used share of a platform PVC that warns and that pages. @default { warning: 0.8, critical: 0.9 } */
  readonly volumeThresholds: { readonly warning: number; readonly critical: number };
}

export interface MonitoringConfig {
  /** Alerts for the MCP server (and Llama Stack): down 5 min, memory above 80% of the limit. @default undefined: none */
  readonly prometheusRules?: PrometheusRulesConfig;
  /**
   * The Prometheus pods that scrape the servers' own metrics (NetworkPolicy ingress to the metrics
   * ports; ServiceMonitors are written with prometheusRules). @default namespace `monitoring`
   * (`openshift-user-workload-monitoring` on OpenShift), pods `app.kubernetes.io/name: prometheus`
   */
  readonly prometheus: PodLocation;
}

/** Pods addressed by namespace and labels (for NetworkPolicies). */
export interface PodLocation {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * Pods addressed by labels of their namespaces rather than its name, e.g. OpenShift's router:
 * `{ namespaceLabels: { 'network.openshift.io/policy-group': 'ingress' }, podLabels: {} }`.
 */
export interface NamespaceGroupLocation {
  readonly namespaceLabels: Readonly<Record<string, string>>;
  /** `{}` selects every pod of those namespaces. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** Cluster DNS pods and the ports they listen on (policies see the pod's port, not the Service's). */
export interface DnsLocation extends PodLocation {
  /** @default [53] */
  readonly ports?: readonly number[];
}

/** What the default-deny NetworkPolicies let through. Defaults depend on `cluster.platform` (lib/config/cluster.ts). */
export interface NetworkConfig {
  /**
   * The ingress controller's pods. @default ingress-nginx in namespace ingress-nginx; on OpenShift
   * the router's namespaces by `network.openshift.io/policy-group: ingress`
   */
  readonly ingressController: PodLocation | NamespaceGroupLocation;
  /**
   * Cluster DNS. @default k3s CoreDNS: kube-system, k8s-app=kube-dns, port 53; on OpenShift
   * openshift-dns, dns.operator.openshift.io/daemonset-dns=default, port 5353
   */
  readonly dns: DnsLocation;
  /**
   * Where the Kubernetes MCP server reaches the API server. On k3s the `kubernetes` Service
   * (10.43.0.1:443) is translated to the node's :6443 before policies apply on most CNIs; narrow
   * the CIDRs to the Service IP plus your nodes' addresses. @default { cidrs: ['0.0.0.0/0'], ports: [443, 6443] };
   * on OpenShift ports [6443] (the `kubernetes` Service's 443 is translated to the control plane's 6443 first)
   */
  readonly apiServer: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /** Client addresses (e.g. the VPN range) allowed to MCP servers exposed on a NodePort. @default [] */
  readonly mcpClientCidrs: readonly string[];
  /** Namespaces whose pods (agents) may call the MCP servers in the cluster. @default [] */
  readonly mcpClientNamespaces: readonly string[];
  /** Where Penpot's backend may reach SMTP, OIDC and S3 (only the configured ports). @default ['0.0.0.0/0'] */
  readonly externalEgressCidrs: readonly string[];
}

/**
 * The kind of cluster an environment targets. `kubernetes` covers k3s, k0s and other upstream
 * distributions (ingress-nginx, NodePorts, fixed image UIDs); `openshift` exposes through Routes
 * with TLS at the router and leaves UIDs to the restricted-v2 SCC.
 */
export type ClusterPlatform = 'kubernetes' | 'openshift';

export interface ClusterConfig {
  /** @default 'kubernetes' */
  readonly platform: ClusterPlatform;
}

/** How the operations scripts (`npm run secrets`, `npm run up`, `npm run down`) reach the cluster. */
export interface OperationsConfig {
  /**
   * The kubeconfig context of this environment's cluster. The scripts refuse to run while kubectl's
   * current context is another one, and pass `--context` to every kubectl call.
   * @default 'default' (the context of k3s' /etc/rancher/k3s/k3s.yaml; `k0s kubeconfig admin` names it 'Default')
   */
  readonly kubeContext: string;
}

/**
 * The post-sync smoke check: an Argo CD PostSync hook Job per app that calls each component and
 * MCP endpoint (lib/smoke-check.ts, script ops/smoke/smoke.sh); a failure turns the sync red.
 */
export interface SmokeChecksConfig {
  /** @default true */
  readonly enabled: boolean;
  /** Pinned image with `sh` and `curl`. @default 'docker.io/curlimages/curl:8.12.1' (UID 100) */
  readonly image: string;
  /** @default requests 10m/16Mi, limits 200m/64Mi */
  readonly resources: ResourceSpec;
}

/** One target cluster: everything needed to synthesize `dist/<name>/`. */
export interface EnvironmentConfig {
  /** Folder under `dist/` and prefix of the Argo CD Applications. DNS-1123 label. */
  readonly name: string;
  /** One line shown in the generated docs. */
  readonly description: string;
  /** Internal DNS domain, e.g. 'finalq.xyz' (on OpenShift the router's, e.g. 'apps.ocp.example.internal'). */
  readonly domain: string;
  /** @default { platform: 'kubernetes' } */
  readonly cluster: ClusterConfig;
  readonly storage: StorageConfig;
  readonly images: ImagesConfig;
  readonly ingress: IngressConfig;
  readonly argo: ArgoConfig;
  readonly penpot: PenpotConfig;
  readonly kubernetesMcp: KubernetesMcpConfig;
  readonly kmcp: KmcpConfig;
  readonly kagent: KagentConfig;
  readonly llamaStack: LlamaStackConfig;
  readonly monitoring: MonitoringConfig;
  readonly network: NetworkConfig;
  readonly operations: OperationsConfig;
  readonly smokeChecks: SmokeChecksConfig;
}

/**
 * What an environment file writes: the name, the domain and the Argo repository are required,
 * everything else falls back to the documented defaults. Inferred from the strict input schema
 * (lib/config/schema/environment.ts), which also checks it at synth.
 */
export type EnvironmentInput = DeepReadonly<z.input<typeof environmentInput>>;

/** A kMCP server as written in an environment file: what it runs, the rest defaulted. */
export type KmcpServerInput = DeepReadonly<z.input<typeof kmcpServerInput>>;

/** Inputs are read, never changed: readonly lists and objects are accepted where they are written. */
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
