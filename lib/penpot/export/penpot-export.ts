import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { ImagesConfig } from '../../config/types';
import { ExternalSecret } from '../../external-secret';
import { imageTag, resolveImage } from '../../images';
import { k8s } from '../../k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from '../../labels';
import { McpEndpoint, McpGateway } from '../../mcp-gateway';
import { NetworkIsolation, Peer } from '../../network-isolation';
import { containerSecurity, httpProbe, literalEnv, podSecurity, resourceRequirements } from '../../pods';
import { Workload } from '../../workload';
import { BUNDLE_FILE, exportServerBundle } from './bundle';
import { EXPORT_IMAGE_UID, PenpotExportConfig } from './config';
import { DEFAULT_PORT, HEALTH_PATH, MCP_PATH, SERVER_ENV } from './server';

export const PENPOT_EXPORT_NAME = 'penpot-export';
export const PENPOT_EXPORT_PORT = DEFAULT_PORT;
export const BUNDLE_DIR = '/opt/penpot-export';
export const TOKEN_SECRET_NAME = 'penpot-export-mcp-token';
export const TOKEN_SECRET_KEY = 'PENPOT_EXPORT_MCP_TOKEN';
/** Variable the client configs read the token from. */
export const TOKEN_ENV_VAR = 'PENPOT_EXPORT_TOKEN';

/** Prints the token (to a pipe or `$(...)`, never an argument): what a person runs to get it. */
export function tokenReadCommand(namespace: string): string {
  return `kubectl -n ${namespace} get secret ${TOKEN_SECRET_NAME} -o jsonpath='{.data.${TOKEN_SECRET_KEY}}' | base64 -d`;
}
/** The ConfigMap is larger than client-side apply's 256 KiB last-applied annotation: Argo CD applies it server-side. */
export const SERVER_SIDE_APPLY = { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' } as const;

export interface PenpotExportProps {
  readonly gateway: McpGateway;
  readonly namespace: string;
  readonly config: PenpotExportConfig;
  readonly images: ImagesConfig;
  /** Penpot's frontend Service in the cluster, e.g. `http://penpot-frontend.penpot:8080` (nginx completes downloads). */
  readonly penpotUrl: string;
}

/**
 * The Penpot export MCP server (issue 16): the bundled server (lib/penpot/export/bundle.ts) in a
 * ConfigMap, run by a pinned stock Node image; the ConfigMap's hash rolls the pods. It logs in to
 * Penpot as a service account (operator-supplied Secret) and requires a bearer token of its own
 * Secret from every caller. Read-only root filesystem, no service account token, no privileges.
 */
export class PenpotExport extends Construct {
  readonly endpoint: McpEndpoint;
  readonly pods: Readonly<Record<string, string>>;
  readonly account: ExternalSecret;
  readonly token: ExternalSecret;
  readonly bundleBytes: number;
  readonly configMapName = `${PENPOT_EXPORT_NAME}-server`;

  constructor(scope: Construct, id: string, props: PenpotExportProps) {
    super(scope, id);
    const { config, namespace } = props;
    const identity: WorkloadIdentity = { name: PENPOT_EXPORT_NAME, instance: PENPOT_EXPORT_NAME, component: 'mcp-server', partOf: 'penpot', version: imageTag(config.image) };
    const labels = standardLabels(identity);
    this.pods = selectorLabels(identity);

    this.account = new ExternalSecret(this, 'account', {
      name: config.accountSecretName, namespace,
      purpose: 'Login of the Penpot service account the export server renders as (a password account, member of the teams whose files agents export)',
      keys: {
        PENPOT_EXPORT_EMAIL: { description: 'E-mail of the Penpot service account', source: { kind: 'operator', example: 'export-bot@example.internal' } },
        PENPOT_EXPORT_PASSWORD: { description: 'Its Penpot password', source: { kind: 'operator', example: 'penpot-password' } },
      },
    });
    this.token = new ExternalSecret(this, 'token', {
      name: TOKEN_SECRET_NAME, namespace,
      purpose: 'Bearer token every caller of the Penpot export MCP server sends (Authorization: Bearer <token>)',
      keys: { [TOKEN_SECRET_KEY]: { description: 'Random token; give it to the agents that may export', source: { kind: 'random', bytes: 32 } } },
    });

    const bundle = exportServerBundle();
    this.bundleBytes = Buffer.byteLength(bundle);
    new k8s.KubeConfigMap(this, 'server', {
      metadata: { name: this.configMapName, namespace, labels, annotations: { ...SERVER_SIDE_APPLY } },
      data: { [BUNDLE_FILE]: bundle },
    });

    new Workload(this, 'workload', {
      name: PENPOT_EXPORT_NAME,
      namespace,
      identity,
      replicas: config.replicas,
      podAnnotations: { 'checksum/server': createHash('sha256').update(bundle).digest('hex') },
      pod: {
        securityContext: podSecurity(this, EXPORT_IMAGE_UID),
        containers: [{
          name: PENPOT_EXPORT_NAME,
          image: resolveImage(config.image, props.images.mirrors),
          imagePullPolicy: props.images.pullPolicy,
          command: ['node', `${BUNDLE_DIR}/${BUNDLE_FILE}`],
          ports: [{ name: 'http', containerPort: PENPOT_EXPORT_PORT, protocol: 'TCP' }],
          env: [
            ...literalEnv({ [SERVER_ENV.penpotUrl]: props.penpotUrl, [SERVER_ENV.port]: String(PENPOT_EXPORT_PORT), NODE_ENV: 'production' }),
            this.account.envVar(SERVER_ENV.email, 'PENPOT_EXPORT_EMAIL'),
            this.account.envVar(SERVER_ENV.password, 'PENPOT_EXPORT_PASSWORD'),
            this.token.envVar(SERVER_ENV.token, TOKEN_SECRET_KEY),
          ],
          readinessProbe: httpProbe(HEALTH_PATH, 'http', { periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: httpProbe(HEALTH_PATH, 'http', { periodSeconds: 20, failureThreshold: 6 }),
          resources: resourceRequirements(config.resources),
          securityContext: containerSecurity(true),
          volumeMounts: [{ name: 'server', mountPath: BUNDLE_DIR, readOnly: true }],
        }],
        volumes: [{ name: 'server', configMap: { name: this.configMapName } }],
      },
    });

    this.endpoint = props.gateway.expose({
      name: PENPOT_EXPORT_NAME,
      title: 'Penpot export MCP server (headless PNG/SVG export of boards; bearer token of the Secret penpot-export-mcp-token)',
      namespace,
      serviceName: PENPOT_EXPORT_NAME,
      identity,
      ports: [{ name: 'http', port: PENPOT_EXPORT_PORT }],
      mcpPortName: 'http',
      path: MCP_PATH,
      exposure: { type: 'ClusterIP' },
      bearer: {
        mode: 'static-token',
        secret: { name: TOKEN_SECRET_NAME, key: TOKEN_SECRET_KEY },
        envVar: TOKEN_ENV_VAR,
        howToGetIt: `\`${tokenReadCommand(namespace)}\` (the shared token of Secret ${namespace}/${TOKEN_SECRET_NAME}; whoever can read that Secret can export)`,
        // Not registered with kagent: a RemoteMCPServer would need a second Secret holding `Bearer <token>`.
        agents: `Agents in the client namespaces send \`Authorization: Bearer <token>\` with the token of Secret \`${namespace}/${TOKEN_SECRET_NAME}\` `
          + `(key \`${TOKEN_SECRET_KEY}\`), e.g. copied into their own Secret; it has no kagent RemoteMCPServer.`,
      },
      apiIdentity: 'none (it calls Penpot as its service account, never the Kubernetes API)',
    });
  }

  /**
   * Its flows in the namespace's default-deny isolation: out only to the frontend's nginx (which
   * routes /api, /api/export and /assets; DNS is allowed for every pod), in only from the configured
   * callers on the MCP port. Nothing else reaches it, and it reaches neither the exporter nor the backend.
   */
  isolate(net: NetworkIsolation, frontend: { name: string; pods: Readonly<Record<string, string>> }, frontendPort: number, config: PenpotExportConfig): void {
    const self = { name: PENPOT_EXPORT_NAME, pods: this.pods };
    net.allow(self, frontend, [{ port: frontendPort }]);
    const callers: Peer[] = [
      ...config.clientNamespaces.map((namespace): Peer => ({ pods: {}, namespace })),
      ...(config.clientCidrs.length > 0 ? [{ cidrs: config.clientCidrs } as Peer] : []),
    ];
    net.workload(self.name, self.pods);
    for (const peer of callers) net.allowIngress(self, peer, [{ port: PENPOT_EXPORT_PORT }]);
  }
}
