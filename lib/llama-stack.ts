import { createHash } from 'node:crypto';
import { Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { BundledPostgres } from './bundled-postgres';
import { LlamaStackAuthConfig, LlamaStackStorageConfig, llamaStackRelease, llamaStackReplicated } from './config/llama-stack';
import { ImagesConfig, LlamaStackConfig, ResourceSpec } from './config/types';
import { endpointUrls } from './connection-info';
import { ExternalSecret } from './external-secret';
import { imageTag, resolveImage } from './images';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';
import {
  INFERENCE_API_KEY, LLAMA_STACK_PORT, McpServerRef, PER_POD_ROUTES, POSTGRES_PASSWORD_ENV, POSTGRES_USER_ENV, RunConfigStores, llamaStackRunConfig, mcpServerId,
} from './llama-stack-run-config';
import { McpEndpoint } from './mcp-gateway';
import { containerSecurity, httpProbe, podSecurity, resourceRequirements } from './pods';
import { RoutedHost } from './routing/routed-host';
import { Routing } from './routing/routing';
import { Workload, cpuAutoscaler } from './workload';

export const LLAMA_STACK_NAME = 'llama-stack';
/**
 * The image sets no USER (it runs as root) and makes /app, /.llama and /.cache group-writable for
 * arbitrary UIDs (containers/Containerfile): any non-root UID works; 1001 matches the others here.
 */
export const LLAMA_STACK_UID = 1001;
export const CONFIG_DIR = '/etc/llama-stack';
export const CONFIG_FILE = 'config.yaml';
/**
 * The state volume (a PersistentVolumeClaim): the SQLite databases (backend `sqlite`) and the
 * uploaded files (`<STATE_DIR>/files`, both backends).
 */
export const STATE_DIR = '/var/lib/llama-stack';
export const FILES_DIR = `${STATE_DIR}/files`;
/** Name of the state PVC. */
export const STATE_CLAIM = `${LLAMA_STACK_NAME}-state`;
/**
 * The cluster's root CA, the same bundle a pod's ServiceAccount volume carries as `ca.crt`,
 * mounted from the `kube-root-ca.crt` ConfigMap that Kubernetes publishes in every namespace
 * (1.21+): the server verifies the API server with it, without mounting a ServiceAccount token.
 */
export const KUBE_CA_CONFIGMAP = 'kube-root-ca.crt';
// Not below CONFIG_DIR: a mount point inside the read-only ConfigMap volume cannot be created.
export const KUBE_CA_DIR = '/etc/kube-ca';
export const KUBE_CA_FILE = `${KUBE_CA_DIR}/ca.crt`;
/** Defaults of the bundled PostgreSQL (replicated Llama Stack). */
export const LLAMA_STACK_POSTGRES_RESOURCES: ResourceSpec = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
export const LLAMA_STACK_DATABASE = 'llamastack';
/** `~` of the server (it expands `~/.llama`); the image's own HOME (/root) is not writable as non-root. */
export const HOME_DIR = '/home/llama-stack';
/** Upstream health route (upstream.md section 4), served by the always-on inspect API. */
export const HEALTH_PATH = '/v1/health';

export const LLAMA_STACK_IDENTITY: Omit<WorkloadIdentity, 'version'> = {
  name: LLAMA_STACK_NAME, instance: LLAMA_STACK_NAME, component: 'server', partOf: LLAMA_STACK_NAME,
};

/** Selector labels of Llama Stack's pods: what other namespaces' NetworkPolicies admit. */
export function llamaStackPodLabels(): Record<string, string> {
  return selectorLabels(LLAMA_STACK_IDENTITY);
}

/** Where Llama Stack answers and what it is wired to; read by the connection docs. */
export interface LlamaStackEndpoint {
  readonly namespace: string;
  readonly serviceName: string;
  readonly port: number;
  readonly version: string;
  /** Base URL from pods of the cluster (OpenAI-compatible API under `/v1`). */
  readonly inClusterUrl: string;
  readonly ingressUrl?: string;
  /** MCP servers registered at start, with the id clients use ({@link mcpServerId}). */
  readonly mcpServers: readonly (McpServerRef & { readonly id: string })[];
  readonly registration: 'tool_groups' | 'connectors';
  readonly clientNamespaces: readonly string[];
  /** How clients authenticate: `kubernetes` (a bearer token the API server accepts) or `none`. */
  readonly auth: LlamaStackAuthConfig;
  /** kubectl context of the cluster, for the token commands in the docs. */
  readonly kubeContext?: string;
  /** Routes refused to every caller (the vector store API while several pods serve it). */
  readonly refusedRoutes: readonly string[];
}

/** The PostgreSQL Llama Stack connects to, for the NetworkPolicies. */
export type LlamaStackDatabase =
  | { readonly kind: 'bundled'; readonly pods: Readonly<Record<string, string>>; readonly port: number }
  | { readonly kind: 'external'; readonly cidrs: readonly string[]; readonly port: number };

export interface LlamaStackProps {
  readonly config: LlamaStackConfig;
  readonly images: ImagesConfig;
  /** MCP servers to register, as their gateway records: URLs come from the same values as their Services. */
  readonly mcpServers: readonly McpEndpoint[];
  /** How `ingressHost` is routed (controller, TLS, allowlist): see lib/routing/routing.ts. */
  readonly routing: Routing;
  /** Where the state lives (resolved and validated by config/llama-stack.ts). */
  readonly storage: LlamaStackStorageConfig;
  /** Who may call the API. */
  readonly auth: LlamaStackAuthConfig;
  /** StorageClass of the state PVC and the bundled PostgreSQL's volume. */
  readonly storageClassName: string;
  /** Resources of the bundled PostgreSQL. @default LLAMA_STACK_POSTGRES_RESOURCES */
  readonly postgresResources?: ResourceSpec;
  /** kubectl context of the cluster (docs only). @default undefined */
  readonly kubeContext?: string;
}

/**
 * Llama Stack: its run config in a ConfigMap mounted as a file, a Deployment and Service on 8321
 * with `/v1/health` probes, the inference API key from an existing Secret, an optional HPA and an
 * optional ingress host. The MCP servers it uses are registered in the run config at start.
 * State: SQLite on a PVC for one replica, PostgreSQL (bundled StatefulSet or external) shared by
 * all replicas otherwise; uploaded files on the PVC in both cases. Access: `server.auth` with
 * Kubernetes tokens when the API is reachable beyond the namespace.
 */
export class LlamaStack extends Construct {
  readonly workload: Workload;
  readonly namespace: string;
  readonly pods: Readonly<Record<string, string>>;
  readonly port = LLAMA_STACK_PORT;
  readonly endpoint: LlamaStackEndpoint;
  /** The run config as written into the ConfigMap. */
  readonly runConfig: Record<string, unknown>;
  /** The PostgreSQL it uses; undefined with SQLite. */
  readonly database?: LlamaStackDatabase;

  constructor(scope: Construct, id: string, props: LlamaStackProps) {
    super(scope, id);
    const { config } = props;
    const ns = config.namespace;
    this.namespace = ns;
    const identity: WorkloadIdentity = { ...LLAMA_STACK_IDENTITY, version: imageTag(config.image) };
    const labels = standardLabels(identity);
    this.pods = selectorLabels(identity);
    const release = llamaStackRelease(config.version);
    if (!release) throw new Error(`Llama Stack ${config.version} is not configurable (config validation should have refused it)`);

    const apiKey = config.inference.apiKeySecret === undefined ? undefined : new ExternalSecret(this, 'inference-key', {
      name: config.inference.apiKeySecret,
      namespace: ns,
      purpose: `API key of the ${config.inference.kind} inference server ${config.inference.url} used by Llama Stack`,
      keys: {
        [INFERENCE_API_KEY]: { description: 'The key the inference server expects', source: { kind: 'operator', example: 'inference-api-key' } },
      },
    });

    const { storage, auth } = props;
    let stores: RunConfigStores = { kind: 'sqlite', dir: STATE_DIR };
    let dbCredentials: ExternalSecret | undefined;
    if (storage.backend === 'postgres') {
      const ext = storage.externalPostgres;
      dbCredentials = new ExternalSecret(this, 'postgres-credentials', {
        name: ext?.secret ?? `${LLAMA_STACK_NAME}-postgres`,
        namespace: ns,
        purpose: ext
          ? `Login at the PostgreSQL ${ext.host}:${ext.port}/${ext.database} where Llama Stack keeps its shared stores`
          : 'PostgreSQL login: initialises the bundled database on first start and is used by Llama Stack for its shared stores',
        keys: {
          POSTGRES_USER: { description: 'Database user', source: { kind: 'operator', example: 'llamastack' } },
          POSTGRES_PASSWORD: { description: 'Database password', source: ext ? { kind: 'operator', example: 'the-password' } : { kind: 'random', bytes: 32 } },
        },
      });
      if (ext) {
        stores = { kind: 'postgres', host: ext.host, port: ext.port, database: ext.database };
        this.database = { kind: 'external', cidrs: ext.cidrs, port: ext.port };
      } else {
        const pg = new BundledPostgres(this, 'postgres', {
          namespace: ns, partOf: LLAMA_STACK_NAME, images: props.images, credentials: dbCredentials,
          databaseName: LLAMA_STACK_DATABASE, storageClassName: props.storageClassName, size: storage.bundledPostgresSize,
          resources: props.postgresResources ?? LLAMA_STACK_POSTGRES_RESOURCES,
        });
        stores = { kind: 'postgres', host: `${pg.serviceName}.${ns}.svc`, port: pg.port, database: pg.databaseName };
        this.database = { kind: 'bundled', pods: pg.pods, port: pg.port };
      }
    }

    const mcpServers = props.mcpServers.map((e) => ({ name: e.name, url: endpointUrls(e).inCluster }));
    const refusedRoutes = llamaStackReplicated(config) ? [...PER_POD_ROUTES] : [];
    this.runConfig = llamaStackRunConfig({
      version: config.version,
      distribution: config.distribution,
      inference: config.inference,
      mcpServers,
      stores,
      filesDir: FILES_DIR,
      hasApiKey: apiKey !== undefined,
      auth: auth.mode === 'kubernetes'
        ? { apiServerUrl: auth.apiServerUrl, caFile: KUBE_CA_FILE, groups: auth.clientGroups, users: auth.clientUsers }
        : undefined,
      forbiddenRoutes: refusedRoutes,
    });

    new k8s.KubePersistentVolumeClaim(this, 'state', {
      metadata: { name: STATE_CLAIM, namespace: ns, labels },
      spec: {
        accessModes: [storage.accessMode],
        storageClassName: props.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(storage.size) } },
      },
    });
    const configYaml = Yaml.stringify(this.runConfig);
    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: LLAMA_STACK_NAME, namespace: ns, labels },
      data: { [CONFIG_FILE]: configYaml },
    });

    const scratch = (name: string, size: string) => ({ name, emptyDir: { sizeLimit: k8s.Quantity.fromString(size) } });
    this.workload = new Workload(this, 'workload', {
      name: LLAMA_STACK_NAME,
      namespace: ns,
      identity,
      replicas: config.replicas,
      autoscaled: config.autoscaling !== undefined,
      // A ReadWriteOnce volume attaches to one node: the old pod must stop before the new one starts.
      strategy: storage.accessMode === 'ReadWriteOnce' ? { type: 'Recreate' } : undefined,
      // The server reads its config file only at start.
      podAnnotations: { 'checksum/config': createHash('sha256').update(configYaml).digest('hex') },
      servicePorts: [{ name: 'http', port: LLAMA_STACK_PORT }],
      pod: {
        securityContext: podSecurity(this, LLAMA_STACK_UID),
        containers: [{
          name: LLAMA_STACK_NAME,
          image: resolveImage(config.image, props.images.mirrors),
          imagePullPolicy: props.images.pullPolicy,
          // `<cli> stack run <file>` is what the image entrypoint runs for RUN_CONFIG_PATH; calling
          // it directly leaves no other config source (a bundled distro config) to fall back to.
          command: [release.cli, 'stack', 'run', `${CONFIG_DIR}/${CONFIG_FILE}`],
          ports: [{ name: 'http', containerPort: LLAMA_STACK_PORT, protocol: 'TCP' }],
          env: [
            { name: 'HOME', value: HOME_DIR },
            ...(apiKey ? [apiKey.envVar(INFERENCE_API_KEY, INFERENCE_API_KEY)] : []),
            ...(dbCredentials ? [
              dbCredentials.envVar(POSTGRES_USER_ENV, 'POSTGRES_USER'),
              dbCredentials.envVar(POSTGRES_PASSWORD_ENV, 'POSTGRES_PASSWORD'),
            ] : []),
          ],
          // Importing the providers takes a while on a small node: up to 5 minutes to come up.
          startupProbe: httpProbe(HEALTH_PATH, 'http', { periodSeconds: 10, failureThreshold: 30 }),
          readinessProbe: httpProbe(HEALTH_PATH, 'http', { periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: httpProbe(HEALTH_PATH, 'http', { periodSeconds: 20, failureThreshold: 6 }),
          resources: resourceRequirements(config.resources),
          securityContext: containerSecurity(true),
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'state', mountPath: STATE_DIR },
            { name: 'home', mountPath: HOME_DIR },
            { name: 'tmp', mountPath: '/tmp' },
            ...(auth.mode === 'kubernetes' ? [{ name: 'kube-ca', mountPath: KUBE_CA_DIR, readOnly: true }] : []),
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: LLAMA_STACK_NAME } },
          { name: 'state', persistentVolumeClaim: { claimName: STATE_CLAIM } },
          // Caches only (`~/.llama`, `~/.cache`, temporary files): rebuilt on start.
          scratch('home', '1Gi'),
          scratch('tmp', '1Gi'),
          ...(auth.mode === 'kubernetes' ? [{ name: 'kube-ca', configMap: { name: KUBE_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] : []),
        ],
      },
    });

    if (config.autoscaling) {
      cpuAutoscaler(this, 'autoscaler', { deploymentName: LLAMA_STACK_NAME, namespace: ns, labels, autoscaling: config.autoscaling });
    }

    let ingressUrl: string | undefined;
    if (config.ingressHost) {
      ingressUrl = new RoutedHost(this, 'ingress', {
        name: LLAMA_STACK_NAME,
        namespace: ns,
        host: config.ingressHost,
        backend: { serviceName: LLAMA_STACK_NAME, portName: 'http', port: LLAMA_STACK_PORT },
        purpose: 'api',
        // File uploads (the files API) are the largest requests.
        maxBodySizeBytes: 100 * 1024 * 1024,
        // Responses stream as Server-Sent Events.
        streaming: true,
        labels,
        routing: props.routing,
      }).url;
    }

    this.endpoint = {
      namespace: ns,
      serviceName: LLAMA_STACK_NAME,
      port: LLAMA_STACK_PORT,
      version: config.version,
      inClusterUrl: `http://${LLAMA_STACK_NAME}.${ns}:${LLAMA_STACK_PORT}`,
      ingressUrl,
      mcpServers: mcpServers.map((s) => ({ ...s, id: mcpServerId(s.name) })),
      registration: release.mcpRegistration,
      clientNamespaces: config.clientNamespaces,
      auth,
      kubeContext: props.kubeContext,
      refusedRoutes,
    };
  }

  /** Every Llama Stack below a scope (an environment's App), in tree order. */
  static findAll(scope: Construct): LlamaStack[] {
    return scope.node.findAll().filter((c): c is LlamaStack => c instanceof LlamaStack);
  }
}
