import { createHash } from 'node:crypto';
import { Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { llamaStackRelease } from './config/llama-stack';
import { ImagesConfig, LlamaStackConfig } from './config/types';
import { endpointUrls } from './connection-info';
import { ExternalSecret } from './external-secret';
import { imageTag, resolveImage } from './images';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';
import { INFERENCE_API_KEY, LLAMA_STACK_PORT, McpServerRef, llamaStackRunConfig, mcpServerId } from './llama-stack-run-config';
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
/** SQLite databases and uploaded files: per pod, gone with it (an emptyDir). */
export const STATE_DIR = '/var/lib/llama-stack';
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
}

export interface LlamaStackProps {
  readonly config: LlamaStackConfig;
  readonly images: ImagesConfig;
  /** MCP servers to register, as their gateway records: URLs come from the same values as their Services. */
  readonly mcpServers: readonly McpEndpoint[];
  /** How `ingressHost` is routed (controller, TLS, allowlist): see lib/routing/routing.ts. */
  readonly routing: Routing;
}

/**
 * Llama Stack: its run config in a ConfigMap mounted as a file, a Deployment and Service on 8321
 * with `/v1/health` probes, the inference API key from an existing Secret, an optional HPA and an
 * optional ingress host. The MCP servers it uses are registered in the run config at start.
 */
export class LlamaStack extends Construct {
  readonly workload: Workload;
  readonly namespace: string;
  readonly pods: Readonly<Record<string, string>>;
  readonly port = LLAMA_STACK_PORT;
  readonly endpoint: LlamaStackEndpoint;
  /** The run config as written into the ConfigMap. */
  readonly runConfig: Record<string, unknown>;

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

    const mcpServers = props.mcpServers.map((e) => ({ name: e.name, url: endpointUrls(e).inCluster }));
    this.runConfig = llamaStackRunConfig({
      version: config.version,
      distribution: config.distribution,
      inference: config.inference,
      mcpServers,
      stateDir: STATE_DIR,
      hasApiKey: apiKey !== undefined,
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
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: LLAMA_STACK_NAME } },
          scratch('state', '2Gi'),
          scratch('home', '1Gi'),
          scratch('tmp', '1Gi'),
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
    };
  }

  /** Every Llama Stack below a scope (an environment's App), in tree order. */
  static findAll(scope: Construct): LlamaStack[] {
    return scope.node.findAll().filter((c): c is LlamaStack => c instanceof LlamaStack);
  }
}
