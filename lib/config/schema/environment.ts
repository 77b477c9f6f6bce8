/**
 * The shape of what an environment file writes (`lib/environments/<env>.ts`): the one source of
 * truth for which settings exist and their types. `EnvironmentInput` (lib/config/types.ts) is
 * inferred from it, so the type editors check against and the runtime check at synth are the same.
 * Defaults are applied by `applyDefaults` (resolve.ts and the area files), documented on the
 * resolved types in types.ts; value rules live in the validators of each area.
 *
 * Adding a setting: add it here (in its section), to the resolved type in types.ts with its
 * `@default`, and to the area's defaults function; `tsc` fails until all three agree, and the
 * schema test checks that every key here reaches the resolved configuration.
 */
import { z } from 'zod';
import { offsiteInput } from '../../backup/offsite-config';
import { routingIngressShape } from '../../routing/config';
import { kubernetesMcpIdentityInput } from '../kubernetes-mcp-auth';
import { penpotExportInput } from '../../penpot/export/config';
import { llamaStackAuthInput, llamaStackStorageInput } from '../llama-stack-input';
import {
  accessMode, autoscalingInput, bool, exposureInput, namespaceGroupInput, num, numbers, podLocationInput, resourcesInput,
  section, str, stringMap, strings,
} from './primitives';
import { penpotFrontendEgressInput } from '../penpot-frontend-egress';

const clusterInput = section({
  /** @default 'kubernetes' */
  platform: z.enum(['kubernetes', 'openshift']).optional(),
});

const storageInput = section({
  className: str().optional(),
  assetsAccessMode: accessMode().optional(),
  assetsSize: str().optional(),
  postgresSize: str().optional(),
  hostPathBacked: bool().optional(),
});

const imagesInput = section({
  mirrors: stringMap().optional(),
  postgres: str().optional(),
  valkey: str().optional(),
  pullPolicy: z.enum(['IfNotPresent', 'Always']).optional(),
});

const ingressInput = section({
  className: str().optional(),
  tlsSecretName: str().optional(),
  allowedSourceCidrs: strings().optional(),
  ...routingIngressShape,
});

const argoInput = section({
  repoURL: str(),
  targetRevision: str().optional(),
  namespace: str().optional(),
  project: str().optional(),
  destinationServer: str().optional(),
});

const penpotMcpInput = section({
  enabled: bool().optional(),
  replicas: num().optional(),
  host: str().optional(),
  exposure: exposureInput().optional(),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).optional(),
});

const backupInput = section({
  enabled: bool().optional(),
  schedule: str().optional(),
  timeZone: str().optional(),
  retention: num().optional(),
  size: str().optional(),
  storageClassName: str().optional(),
  activeDeadlineSeconds: num().optional(),
  resources: resourcesInput().optional(),
  offsite: offsiteInput.optional(),
});

const objectStorageInput = z.discriminatedUnion('backend', [
  section({ backend: z.literal('fs') }),
  section({ backend: z.literal('s3'), bucket: str(), region: str(), endpoint: str().optional() }),
]);

const penpotInput = section({
  enabled: bool().optional(),
  namespace: str().optional(),
  host: str().optional(),
  scheme: z.enum(['http', 'https']).optional(),
  publicUri: str().optional(),
  version: str().optional(),
  registration: bool().optional(),
  emailVerification: bool().optional(),
  airGapped: bool().optional(),
  frontendEgress: penpotFrontendEgressInput.optional(),
  mcp: penpotMcpInput.optional(),
  telemetry: bool().optional(),
  extraFlags: strings().optional(),
  objectStorage: objectStorageInput.optional(),
  smtp: section({
    host: str(),
    port: num().optional(),
    tls: bool().optional(),
    defaultFrom: str(),
    defaultReplyTo: str().optional(),
    authenticated: bool().optional(),
  }).optional(),
  oidc: section({ baseUri: str(), name: str().optional(), scopes: str().optional() }).optional(),
  replicas: section({ frontend: num().optional(), backend: num().optional(), exporter: num().optional() }).optional(),
  exporterBrowserPoolMax: num().optional(),
  maxBodySizeBytes: num().optional(),
  resources: section({
    frontend: resourcesInput().optional(),
    backend: resourcesInput().optional(),
    exporter: resourcesInput().optional(),
    postgres: resourcesInput().optional(),
    valkey: resourcesInput().optional(),
    init: resourcesInput().optional(),
    mcp: resourcesInput().optional(),
  }).optional(),
  backup: backupInput.optional(),
  export: penpotExportInput.optional(),
});

const kubernetesMcpInput = section({
  enabled: bool().optional(),
  namespace: str().optional(),
  image: str().optional(),
  command: strings().optional(),
  extraArgs: strings().optional(),
  port: num().optional(),
  toolsets: strings().optional(),
  listOutput: z.enum(['table', 'yaml']).optional(),
  disabledTools: strings().optional(),
  logLevel: num().optional(),
  helmReleaseAccess: bool().optional(),
  helmReleaseAccessAcknowledged: str().optional(),
  rbacProfile: z.enum(['read-only', 'operator']).optional(),
  rbacRiskAcknowledged: str().optional(),
  stateless: bool().optional(),
  replicas: num().optional(),
  autoscaling: autoscalingInput().optional(),
  exposure: exposureInput().optional(),
  ingressHost: str().optional(),
  resources: resourcesInput().optional(),
  ...kubernetesMcpIdentityInput,
});

/** One kMCP `MCPServer` as written in an environment file. */
export const kmcpServerInput = section({
  name: str(),
  description: str().optional(),
  transport: z.enum(['stdio', 'http']),
  image: str(),
  cmd: str(),
  args: strings().optional(),
  port: num().optional(),
  http: section({ targetPort: num().optional(), path: str().optional() }).optional(),
  env: stringMap().optional(),
  secrets: z.array(section({ name: str(), keys: stringMap() })).optional(),
  volume: section({ mountPath: str(), size: str().optional(), accessMode: accessMode().optional() }).optional(),
  clusterRoles: z.array(z.enum(['view'])).optional(),
  egress: section({ cidrs: strings().optional(), ports: numbers().optional() }).optional(),
  replicas: num().optional(),
  resources: resourcesInput().optional(),
  runAsUser: num().optional(),
  registerWithKagent: bool().optional(),
  unauthenticatedAcknowledged: str().optional(),
});

const kmcpInput = section({
  enabled: bool().optional(),
  controller: section({
    install: bool().optional(),
    namespace: str().optional(),
    chartRepoURL: str().optional(),
    chartVersion: str().optional(),
    replicas: num().optional(),
    leaderElection: bool().optional(),
    resources: resourcesInput().optional(),
  }).optional(),
  namespace: str().optional(),
  servers: z.array(kmcpServerInput).optional(),
});

const kagentInput = section({
  enabled: bool().optional(),
  agentNamespaces: strings().optional(),
});

const llamaStackInput = section({
  enabled: bool().optional(),
  namespace: str().optional(),
  version: str().optional(),
  distribution: str().optional(),
  image: str().optional(),
  inference: section({
    kind: z.enum(['ollama', 'vllm', 'openai']).optional(),
    url: str().optional(),
    apiKeySecret: str().optional(),
    models: strings().optional(),
    cidrs: strings().optional(),
  }).optional(),
  replicas: num().optional(),
  autoscaling: autoscalingInput().optional(),
  ingressHost: str().optional(),
  clientNamespaces: strings().optional(),
  resources: resourcesInput().optional(),
  storage: llamaStackStorageInput.optional(),
  auth: llamaStackAuthInput.optional(),
});

const monitoringInput = section({
  prometheusRules: section({
    labels: stringMap().optional(),
    backupMarginMinutes: num().optional(),
    volumeThresholds: section({ warning: num().optional(), critical: num().optional() }).optional(),
  }).optional(),
  prometheus: podLocationInput().optional(),
});

const networkInput = section({
  ingressController: z.union([podLocationInput(), namespaceGroupInput()]).optional(),
  dns: section({ namespace: str(), podLabels: stringMap(), ports: numbers().optional() }).optional(),
  apiServer: section({ cidrs: strings(), ports: numbers() }).optional(),
  mcpClientCidrs: strings().optional(),
  mcpClientNamespaces: strings().optional(),
  externalEgressCidrs: strings().optional(),
});

const operationsInput = section({ kubeContext: str().optional() });

const smokeChecksInput = section({
  enabled: bool().optional(),
  image: str().optional(),
  resources: resourcesInput().optional(),
});

/** An environment file: the name, the domain and the Argo repository are required, the rest defaults. */
export const environmentInput = section({
  name: str(),
  description: str().optional(),
  domain: str(),
  cluster: clusterInput.optional(),
  storage: storageInput.optional(),
  images: imagesInput.optional(),
  ingress: ingressInput.optional(),
  argo: argoInput,
  penpot: penpotInput.optional(),
  kubernetesMcp: kubernetesMcpInput.optional(),
  kmcp: kmcpInput.optional(),
  kagent: kagentInput.optional(),
  llamaStack: llamaStackInput.optional(),
  monitoring: monitoringInput.optional(),
  network: networkInput.optional(),
  operations: operationsInput.optional(),
  smokeChecks: smokeChecksInput.optional(),
});

/**
 * Sections switched by an `enabled` flag, with its default. Any other setting given while the
 * section is off would vanish without effect: that is refused, naming both fields.
 */
export const FEATURE_SWITCHES: readonly { readonly path: readonly string[]; readonly enabledByDefault: boolean }[] = [
  { path: ['penpot'], enabledByDefault: true },
  { path: ['penpot', 'mcp'], enabledByDefault: true },
  { path: ['penpot', 'backup'], enabledByDefault: true },
  { path: ['penpot', 'export'], enabledByDefault: false },
  { path: ['kubernetesMcp'], enabledByDefault: false },
  { path: ['kmcp'], enabledByDefault: false },
  { path: ['kagent'], enabledByDefault: false },
  { path: ['llamaStack'], enabledByDefault: false },
  { path: ['smokeChecks'], enabledByDefault: true },
];
