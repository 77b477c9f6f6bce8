/**
 * Llama Stack settings: the releases this platform knows how to configure, their defaults and
 * their validation. Everything that differs between releases is in {@link LLAMA_STACK_RELEASES},
 * so supporting another release means adding one entry checked against its upstream sources.
 */
import { checkCidr, checkImage, checkResources, checkSize, IssueList, show } from './resolve';
import { isDnsLabel, isDnsSubdomain, isHostName, isIpv4Cidr, isPort, isPositiveInteger } from './rules';
import {
  AccessMode, EnvironmentConfig, EnvironmentInput, LLAMA_STACK_INFERENCE_KINDS, LlamaStackConfig, ResourceSpec,
} from './types';

/** What the run config of one release looks like where releases differ. */
export interface LlamaStackRelease {
  /**
   * How an MCP server is registered. Up to 0.6 `registered_resources.tool_groups` entries
   * (`mcp_endpoint.uri`); from 0.7 top-level `connectors` entries, and `tool_groups` is dropped
   * silently (upstream.md section 4; OGX 0.7 release notes: "tool_groups removed from public API", #4997).
   */
  readonly mcpRegistration: 'tool_groups' | 'connectors';
  /** The API that runs agents with tools: renamed `agents` -> `responses` in 0.7 (release notes #5195). */
  readonly agentsApi: 'agents' | 'responses';
  /** Its provider: `inline::meta-reference` renamed `inline::builtin` in 0.7 (release notes #5131). */
  readonly agentsProviderType: string;
  /**
   * The file-search tool runtime the agents provider depends on (0.6.1 crashes with
   * `KeyError: Api.tool_runtime` without it): `inline::rag-runtime` renamed `inline::file-search` in 0.7 (#5187).
   */
  readonly fileSearchProvider: { readonly id: string; readonly type: string };
  /** The CLI the image runs: `llama stack run <file>` (the image entrypoint of llamastack/llama-stack containers/Containerfile). */
  readonly cli: string;
}

/**
 * Releases whose run config this platform generates, each checked against upstream:
 * - 0.6.1: image `docker.io/llamastack/distribution-starter:0.6.1` running the same provider set
 *   with an MCP tool runtime (github jaideepr97/mcp-ecosystem-experimentation,
 *   infrastructure/openshift-ai/06-llamastack-config.yaml and its session log).
 * - 0.7.1: image `docker.io/llamastack/distribution-starter:0.7.1` run on a cluster with a user
 *   config ConfigMap (an OGX install report: vLLM `base_url` ending in `/v1`, models served as
 *   `<provider_id>/<model_id>`); provider renames from the OGX 0.7 release notes.
 *
 * What does not differ: the prompts and connectors stores are key-value references
 * `{namespace, backend: kv_*}` in both (`ServerStoresConfig` in core/storage/datatypes.py; the
 * starter's config.yaml at v0.7.1 lines 278-283). An earlier entry here claimed 0.7 wants a SQL
 * table reference: 0.7.1 then refuses to start ("namespace Field required"). The generated config
 * is validated against each release's own schema (test/llama-stack-schema.test.ts).
 */
export const LLAMA_STACK_RELEASES: Readonly<Record<string, LlamaStackRelease>> = {
  '0.6.1': {
    mcpRegistration: 'tool_groups',
    agentsApi: 'agents',
    agentsProviderType: 'inline::meta-reference',
    fileSearchProvider: { id: 'rag-runtime', type: 'inline::rag-runtime' },
    cli: 'llama',
  },
  '0.7.1': {
    mcpRegistration: 'connectors',
    agentsApi: 'responses',
    agentsProviderType: 'inline::builtin',
    fileSearchProvider: { id: 'file-search', type: 'inline::file-search' },
    cli: 'llama',
  },
};

export const LLAMA_STACK_VERSION = '0.7.1';
/** The only distribution whose image bundles every provider the generated config uses. */
export const LLAMA_STACK_DISTRIBUTIONS = ['starter'] as const;
export const LLAMA_STACK_RESOURCES: ResourceSpec = { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } };

/** The release entry of a version, or undefined when the platform cannot configure it. */
export function llamaStackRelease(version: string): LlamaStackRelease | undefined {
  return Object.prototype.hasOwnProperty.call(LLAMA_STACK_RELEASES, version) ? LLAMA_STACK_RELEASES[version] : undefined;
}

/**
 * The upstream image of a release: `llamastack/distribution-<d>` up to 0.7.x, `ogx/distribution-<d>`
 * from 0.8.0, when the project was renamed OGX (upstream.md section 4).
 */
export function llamaStackImage(version: string, distribution: string): string {
  const m = /^(\d+)\.(\d+)\.\d+$/.exec(version);
  const ogx = m !== null && (Number(m[1]) > 0 || Number(m[2]) >= 8);
  return `docker.io/${ogx ? 'ogx' : 'llamastack'}/distribution-${distribution}:${version}`;
}

export function applyLlamaStackDefaults(input: EnvironmentInput): LlamaStackConfig {
  const l = input.llamaStack ?? {};
  const version = l.version ?? LLAMA_STACK_VERSION;
  const distribution = l.distribution ?? 'starter';
  const inference = l.inference ?? {};
  return {
    enabled: l.enabled ?? false,
    namespace: l.namespace ?? 'llama-stack',
    version,
    distribution,
    image: l.image ?? llamaStackImage(version, distribution),
    inference: {
      kind: inference.kind as LlamaStackConfig['inference']['kind'],
      url: inference.url as string,
      apiKeySecret: inference.apiKeySecret,
      models: [...(inference.models ?? [])],
      cidrs: [...(inference.cidrs ?? ['0.0.0.0/0'])],
    },
    replicas: l.replicas ?? 1,
    autoscaling: l.autoscaling && {
      minReplicas: l.autoscaling.minReplicas as number,
      maxReplicas: l.autoscaling.maxReplicas as number,
      targetCpuPercent: l.autoscaling.targetCpuPercent ?? 70,
    },
    ingressHost: l.ingressHost,
    clientNamespaces: [...(l.clientNamespaces ?? [])],
    ...llamaStackStateAndAccess(l, input.storage?.postgresSize ?? DEFAULT_POSTGRES_SIZE),
    resources: {
      requests: { ...LLAMA_STACK_RESOURCES.requests, ...l.resources?.requests },
      limits: { ...LLAMA_STACK_RESOURCES.limits, ...l.resources?.limits },
    },
  };
}

/** A URL's parts as far as the checks need them, or a reason it is unusable. */
function parseInferenceUrl(url: unknown): { url: URL } | { problem: string } {
  if (typeof url !== 'string' || url === '') return { problem: 'is missing' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `${show(url)} is not a URL` };
  }
  if (!['http:', 'https:'].includes(parsed.protocol)) return { problem: `${show(url)} is not http(s)` };
  // An API key written into the URL would be committed to git and rendered into dist/.
  if (parsed.username !== '' || parsed.password !== '') {
    return { problem: `${show(url.replace(/\/\/[^@/]*@/, '//<credentials>@'))} carries credentials; put the key in a Secret and name it in apiKeySecret` };
  }
  if (parsed.search !== '' || parsed.hash !== '') return { problem: `${show(url)} has a query or fragment` };
  return { url: parsed };
}

/** Every problem of the Llama Stack section of one environment. */
export function validateLlamaStack(issues: IssueList, config: EnvironmentConfig): void {
  const l = config.llamaStack;
  if (!l.enabled) return;
  const list = new SectionIssues(issues, 'llamaStack');
  if (!config.kubernetesMcp.enabled) {
    list.add('enabled', 'needs kubernetesMcp.enabled: true (Llama Stack is wired to the Kubernetes MCP server); '
      + 'allowed: enable kubernetesMcp, or set llamaStack.enabled to false');
  }
  list.check(isDnsLabel(l.namespace), 'namespace', `${show(l.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
  const taken = [
    ...(config.kubernetesMcp.enabled ? [['kubernetesMcp.namespace', config.kubernetesMcp.namespace]] : []),
    ...(config.penpot.enabled ? [['penpot.namespace', config.penpot.namespace]] : []),
  ].find(([, ns]) => ns === l.namespace);
  // Each app owns its namespace (its default-deny policies, its Argo CD Application).
  if (taken) list.add('namespace', `${show(l.namespace)} is already ${taken[0]}; allowed: a namespace of its own such as llama-stack`);

  const supported = Object.keys(LLAMA_STACK_RELEASES);
  list.check(llamaStackRelease(l.version) !== undefined, 'version',
    `${show(l.version)} is not a release this platform can configure (the MCP registration and provider names differ per release); `
    + `allowed: ${supported.join(', ')}`);
  list.check((LLAMA_STACK_DISTRIBUTIONS as readonly string[]).includes(l.distribution), 'distribution',
    `${show(l.distribution)} is not supported; allowed: ${LLAMA_STACK_DISTRIBUTIONS.join(', ')} (its image bundles every provider the generated config uses)`);
  checkImage(list.parent, 'llamaStack.image', l.image);

  validateInference(list, l);

  list.check(isPositiveInteger(l.replicas), 'replicas', `${show(l.replicas)} is not allowed; allowed: an integer >= 1`);
  if (l.autoscaling) {
    const a = l.autoscaling;
    list.check(isPositiveInteger(a.minReplicas) && isPositiveInteger(a.maxReplicas) && a.minReplicas <= a.maxReplicas,
      'autoscaling', `${show(a.minReplicas)}-${show(a.maxReplicas)} replicas is not allowed; allowed: 1 <= minReplicas <= maxReplicas`);
    list.check(Number.isInteger(a.targetCpuPercent) && a.targetCpuPercent >= 10 && a.targetCpuPercent <= 100,
      'autoscaling.targetCpuPercent', `${show(a.targetCpuPercent)} is not allowed; allowed: an integer 10-100`);
  }
  if (l.ingressHost !== undefined) {
    list.check(isHostName(l.ingressHost), 'ingressHost', `${show(l.ingressHost)} is not a DNS name; allowed: a host name such as llama-stack.example.internal`);
  }
  l.clientNamespaces.forEach((ns, i) => list.check(isDnsLabel(ns), `clientNamespaces[${i}]`, `${show(ns)} is not a namespace name; allowed: a DNS-1123 label`));
  checkResources(list.parent, 'llamaStack.resources', l.resources);
  const settings = llamaStackSettings(config);
  validateLlamaStackStorage(list, config, settings.storage);
  validateLlamaStackAuth(list, config, settings.auth);
}

function validateInference(list: SectionIssues, l: LlamaStackConfig): void {
  const inf = l.inference;
  const kindOk = (LLAMA_STACK_INFERENCE_KINDS as readonly string[]).includes(inf.kind);
  list.check(kindOk, 'inference.kind', `${inf.kind === undefined ? 'is missing' : `${show(inf.kind)} is not supported`}; `
    + `allowed: ${LLAMA_STACK_INFERENCE_KINDS.join(', ')}`);
  const parsed = parseInferenceUrl(inf.url);
  if ('problem' in parsed) {
    list.add('inference.url', `${parsed.problem}; allowed: the server's OpenAI-compatible base URL, e.g. http://ollama.example.internal:11434/v1`);
  } else {
    const host = parsed.url.hostname;
    list.check(isHostName(host) || isIpv4Cidr(`${host}/32`), 'inference.url', `${show(inf.url)} has no valid host; allowed: a DNS name or IPv4 address`);
    // Both providers post to `<base_url>/chat/completions`: without /v1 vLLM and Ollama answer 404.
    if ((inf.kind === 'vllm' || inf.kind === 'ollama') && !parsed.url.pathname.replace(/\/$/, '').endsWith('/v1')) {
      list.add('inference.url', `${show(inf.url)} does not end in /v1 (the provider posts to <url>/chat/completions and ${inf.kind} serves /v1/...); `
        + `allowed: e.g. ${parsed.url.origin}/v1`);
    }
  }
  if (inf.apiKeySecret !== undefined) {
    list.check(isDnsSubdomain(inf.apiKeySecret), 'inference.apiKeySecret', `${show(inf.apiKeySecret)} is not a Secret name; allowed: a DNS-1123 name`);
    list.check(inf.kind !== 'ollama', 'inference.apiKeySecret', 'Ollama takes no API key; allowed: remove apiKeySecret, or use kind openai behind an authenticating proxy');
  } else if (inf.kind === 'openai') {
    list.add('inference.apiKeySecret', 'is required for kind openai (the key is read from an existing Secret, never written in the config); '
      + 'allowed: the name of a Secret with the key INFERENCE_API_KEY');
  }
  inf.models.forEach((m, i) => list.check(typeof m === 'string' && m !== '' && !/\s/.test(m), `inference.models[${i}]`,
    `${show(m)} is not a model id; allowed: the id the server serves, e.g. llama3.1:8b`));
  list.check(inf.cidrs.length > 0, 'inference.cidrs', 'is empty: the default-deny egress policy would drop every inference request; allowed: the server\'s addresses, e.g. 10.20.0.15/32');
  inf.cidrs.forEach((c, i) => checkCidr(list.parent, `llamaStack.inference.cidrs[${i}]`, c));
}

/** Issues of one section: field paths are relative to it (`llamaStack.<field>`). */
class SectionIssues {
  constructor(readonly parent: IssueList, private readonly section: string) {}

  add(field: string, problem: string): void {
    this.parent.add(`${this.section}.${field}`, problem);
  }

  check(ok: boolean, field: string, problem: string): void {
    if (!ok) this.add(field, problem);
  }
}

/** The TCP port a base URL reaches (explicit, else the scheme's). */
export function inferencePort(url: string): number {
  const parsed = new URL(url);
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  if (!isPort(port)) throw new Error(`no port in ${url}`);
  return port;
}

/** The ingress host of Llama Stack with its config field, for the global uniqueness check. */
export function llamaStackIngressHosts(env: EnvironmentConfig): { field: string; host: string }[] {
  return env.llamaStack.enabled && env.llamaStack.ingressHost ? [{ field: 'llamaStack.ingressHost', host: env.llamaStack.ingressHost }] : [];
}

// ---------------------------------------------------------------------------------------------
// State and access (issue 13 defect 3, issue 11 item 4). The settings below are resolved here from
// `llamaStack.storage` / `llamaStack.auth` (when the environment gives them) and validated with
// the rest of the section, so the construct only ever sees a consistent, complete choice.

export const LLAMA_STACK_STORAGE_BACKENDS = ['sqlite', 'postgres'] as const;
export type LlamaStackStorageBackend = typeof LLAMA_STACK_STORAGE_BACKENDS[number];
export const LLAMA_STACK_AUTH_MODES = ['kubernetes', 'none'] as const;
export type LlamaStackAuthMode = typeof LLAMA_STACK_AUTH_MODES[number];

/** A PostgreSQL the environment already runs (e.g. a managed one); its login is in an existing Secret. */
export interface LlamaStackExternalPostgres {
  readonly host: string;
  /** @default 5432 */
  readonly port: number;
  /** @default 'llamastack' */
  readonly database: string;
  /** Existing Secret in the Llama Stack namespace with keys `POSTGRES_USER` and `POSTGRES_PASSWORD`. */
  readonly secret: string;
  /** Addresses of the server, for the egress NetworkPolicy. */
  readonly cidrs: readonly string[];
}

/** Where Llama Stack keeps its state (stored responses, conversations, files, prompts, vector stores). */
export interface LlamaStackStorageConfig {
  /**
   * `sqlite`: SQLite files on a PersistentVolumeClaim of one pod (one replica only: SQLite is
   * not shared between pods). `postgres`: PostgreSQL stores every replica shares.
   * @default 'postgres' when replicas > 1 or autoscaling, else 'sqlite'
   */
  readonly backend: LlamaStackStorageBackend;
  /** Size of the PVC with the SQLite files (sqlite) or the uploaded files (both). @default '5Gi' */
  readonly size: string;
  /**
   * Access mode of that PVC. Several replicas share the uploaded files, so they need a class that
   * provisions ReadWriteMany (NFS, CephFS). @default 'ReadWriteOnce' for one replica, 'ReadWriteMany' for several
   */
  readonly accessMode: AccessMode;
  /** With `postgres`: an existing server; without it a PostgreSQL StatefulSet is bundled in the namespace. @default undefined */
  readonly externalPostgres?: LlamaStackExternalPostgres;
  /** Size of the bundled PostgreSQL's volume. @default storage.postgresSize */
  readonly bundledPostgresSize: string;
}

/** Who may call the Llama Stack API (`server.auth` with the `kubernetes` provider). */
export interface LlamaStackAuthConfig {
  /**
   * `kubernetes`: a bearer token the cluster's API server accepts (a ServiceAccount token,
   * `kubectl create token`, `oc whoami -t`), checked with a SelfSubjectReview; only the client
   * groups and users pass the route policy. `none`: no authentication.
   * @default 'kubernetes' when the API has an ingress host/Route or client namespaces, else 'none'
   */
  readonly mode: LlamaStackAuthMode;
  /** Why `none` is acceptable although the API is reachable beyond its namespace (a sentence). @default undefined */
  readonly noneAcknowledged?: string;
  /** Kubernetes groups admitted. @default `system:serviceaccounts:<ns>` for each of clientNamespaces */
  readonly clientGroups: readonly string[];
  /** Kubernetes user names admitted, e.g. `system:serviceaccount:agents:bot` or an OIDC user. @default [] */
  readonly clientUsers: readonly string[];
  /** The API server as the pods reach it. @default 'https://kubernetes.default.svc' */
  readonly apiServerUrl: string;
}

/** What the environment may give under `llamaStack.storage` / `llamaStack.auth` (llama-stack-input.ts). */
export type LlamaStackStorageInput = NonNullable<NonNullable<EnvironmentInput['llamaStack']>['storage']>;
export type LlamaStackAuthInput = NonNullable<NonNullable<EnvironmentInput['llamaStack']>['auth']>;

export interface LlamaStackSettings {
  readonly storage: LlamaStackStorageConfig;
  readonly auth: LlamaStackAuthConfig;
}

export const LLAMA_STACK_STATE_SIZE = '5Gi';
export const KUBERNETES_API_URL = 'https://kubernetes.default.svc';

/** More than one pod at some time: shared state is needed. */
export function llamaStackReplicated(l: Pick<StateShape, 'replicas' | 'autoscaling'>): boolean {
  return l.replicas > 1 || (l.autoscaling !== undefined && l.autoscaling.maxReplicas > 1);
}

/** Reachable beyond its own namespace: through the ingress host/Route or from client namespaces. */
export function llamaStackExposed(l: Pick<LlamaStackConfig, 'ingressHost' | 'clientNamespaces'>): boolean {
  return l.ingressHost !== undefined || l.clientNamespaces.length > 0;
}

/** The ServiceAccounts of a namespace as a Kubernetes group (what a pod's token carries). */
export function serviceAccountsGroup(namespace: string): string {
  return `system:serviceaccounts:${namespace}`;
}

/** The resolved storage and auth settings of an environment. */
export function llamaStackSettings(env: EnvironmentConfig): LlamaStackSettings {
  return { storage: env.llamaStack.storage, auth: env.llamaStack.auth };
}

/** Storage's `postgresSize` default (resolve.ts), the bundled database's default size. */
const DEFAULT_POSTGRES_SIZE = '5Gi';

function llamaStackStateAndAccess(l: NonNullable<EnvironmentInput['llamaStack']>, postgresSize: string): LlamaStackSettings {
  const shape = {
    replicas: l.replicas ?? 1,
    autoscaling: l.autoscaling && { minReplicas: l.autoscaling.minReplicas, maxReplicas: l.autoscaling.maxReplicas },
    ingressHost: l.ingressHost,
    clientNamespaces: l.clientNamespaces ?? [],
  };
  return { storage: resolveLlamaStackStorage(shape, l.storage, postgresSize), auth: resolveLlamaStackAuth(shape, l.auth) };
}

type StateShape = Pick<LlamaStackConfig, 'replicas' | 'ingressHost' | 'clientNamespaces'> & { readonly autoscaling?: { readonly maxReplicas: number } };

export function resolveLlamaStackStorage(l: StateShape, input: LlamaStackStorageInput | undefined, postgresSize: string): LlamaStackStorageConfig {
  const replicated = llamaStackReplicated(l);
  const backend = input?.backend ?? (replicated || input?.externalPostgres ? 'postgres' : 'sqlite');
  const ext = input?.externalPostgres;
  return {
    backend,
    size: input?.size ?? LLAMA_STACK_STATE_SIZE,
    accessMode: input?.accessMode ?? (replicated ? 'ReadWriteMany' : 'ReadWriteOnce'),
    externalPostgres: ext && {
      host: ext.host as string,
      port: ext.port ?? 5432,
      database: ext.database ?? 'llamastack',
      secret: ext.secret as string,
      cidrs: [...(ext.cidrs ?? [])],
    },
    bundledPostgresSize: input?.bundledPostgresSize ?? postgresSize,
  };
}

export function resolveLlamaStackAuth(l: StateShape, input: LlamaStackAuthInput | undefined): LlamaStackAuthConfig {
  return {
    mode: input?.mode ?? (llamaStackExposed(l) ? 'kubernetes' : 'none'),
    noneAcknowledged: input?.noneAcknowledged,
    clientGroups: [...(input?.clientGroups ?? l.clientNamespaces.map(serviceAccountsGroup))],
    clientUsers: [...(input?.clientUsers ?? [])],
    apiServerUrl: input?.apiServerUrl ?? KUBERNETES_API_URL,
  };
}

function validateLlamaStackStorage(list: SectionIssues, config: EnvironmentConfig, s: LlamaStackStorageConfig): void {
  const l = config.llamaStack;
  if (!(LLAMA_STACK_STORAGE_BACKENDS as readonly string[]).includes(s.backend)) {
    list.add('storage.backend', `${show(s.backend)} is not supported; allowed: ${LLAMA_STACK_STORAGE_BACKENDS.join(', ')}`);
    return;
  }
  const replicated = llamaStackReplicated(l);
  if (s.backend === 'sqlite' && replicated) {
    const why = l.autoscaling ? `autoscaling up to ${l.autoscaling.maxReplicas} replicas` : `${l.replicas} replicas`;
    list.add('storage.backend', `"sqlite" with ${why}: each pod would keep its own SQLite stores, so a follow-up request `
      + '(previous_response_id, a conversation, a file) that lands on another pod fails; allowed: "postgres" (shared stores), or one replica without autoscaling');
  }
  checkSize(list.parent, 'llamaStack.storage.size', s.size);
  checkSize(list.parent, 'llamaStack.storage.bundledPostgresSize', s.bundledPostgresSize);
  list.check(['ReadWriteOnce', 'ReadWriteMany'].includes(s.accessMode), 'storage.accessMode',
    `${show(s.accessMode)} is not supported; allowed: ReadWriteOnce or ReadWriteMany`);
  if (replicated && s.accessMode === 'ReadWriteOnce') {
    list.add('storage.accessMode', '"ReadWriteOnce" with several replicas: the uploaded files volume can be mounted by the pods of one node only; '
      + 'allowed: "ReadWriteMany" on a storage class that provisions it (storage.className), or one replica');
  }
  if (s.backend === 'sqlite' && s.externalPostgres) {
    list.add('storage.externalPostgres', 'is set but storage.backend is "sqlite"; allowed: remove it, or set storage.backend to "postgres"');
  }
  const ext = s.externalPostgres;
  if (ext) {
    list.check(typeof ext.host === 'string' && (isHostName(ext.host) || isIpv4Cidr(`${ext.host}/32`)), 'storage.externalPostgres.host',
      `${ext.host === undefined ? 'is missing' : `${show(ext.host)} is not a host`}; allowed: a DNS name or IPv4 address`);
    list.check(isPort(ext.port), 'storage.externalPostgres.port', `${show(ext.port)} is out of range; allowed: an integer 1-65535`);
    list.check(typeof ext.database === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(ext.database), 'storage.externalPostgres.database',
      `${show(ext.database)} is not a database name; allowed: letters, digits and _ (at most 63)`);
    if (ext.secret === undefined) {
      list.add('storage.externalPostgres.secret', 'is missing: the login is read from an existing Secret, never written in the config; '
        + 'allowed: the name of a Secret with keys POSTGRES_USER and POSTGRES_PASSWORD');
    } else {
      list.check(isDnsSubdomain(ext.secret), 'storage.externalPostgres.secret', `${show(ext.secret)} is not a Secret name; allowed: a DNS-1123 name`);
    }
    list.check(ext.cidrs.length > 0, 'storage.externalPostgres.cidrs', 'is empty: the default-deny egress policy would drop every database connection; allowed: the server\'s addresses, e.g. 10.20.0.30/32');
    ext.cidrs.forEach((c, i) => checkCidr(list.parent, `llamaStack.storage.externalPostgres.cidrs[${i}]`, c));
  }
}

/** Kubernetes user and group names: no whitespace (a route-policy condition is split on it). */
const PRINCIPAL = /^[^\s]{1,253}$/;

function validateLlamaStackAuth(list: SectionIssues, config: EnvironmentConfig, a: LlamaStackAuthConfig): void {
  const l = config.llamaStack;
  if (!(LLAMA_STACK_AUTH_MODES as readonly string[]).includes(a.mode)) {
    list.add('auth.mode', `${show(a.mode)} is not supported; allowed: ${LLAMA_STACK_AUTH_MODES.join(', ')}`);
    return;
  }
  const exposure = [
    ...(l.ingressHost ? [`ingressHost ${l.ingressHost}`] : []),
    ...(l.clientNamespaces.length > 0 ? [`clientNamespaces ${l.clientNamespaces.join(', ')}`] : []),
  ].join(' and ');
  if (a.mode === 'none') {
    if (exposure !== '' && a.noneAcknowledged === undefined) {
      list.add('auth.mode', `"none" while the API is reachable through ${exposure}: anyone who reaches it spends the inference server and drives `
        + 'the Kubernetes tools; allowed: "kubernetes", or give the reason in llamaStack.auth.noneAcknowledged');
    }
    if (a.noneAcknowledged !== undefined && a.noneAcknowledged.trim().length < 20) {
      list.add('auth.noneAcknowledged', `${show(a.noneAcknowledged)} is not a reason; allowed: a sentence saying why the API needs no credential here`);
    }
  } else {
    if (a.noneAcknowledged !== undefined) {
      list.add('auth.noneAcknowledged', `acknowledges a risk mode ${show(a.mode)} does not take; allowed: remove it, or set auth.mode to "none"`);
    }
    if (exposure !== '' && a.clientGroups.length === 0 && a.clientUsers.length === 0) {
      list.add('auth.clientGroups', `admits nobody, so the API behind ${exposure} answers 403 to every client; `
        + 'allowed: the Kubernetes groups (e.g. system:serviceaccounts:agents) or auth.clientUsers that may call it');
    }
    let url: URL | undefined;
    try { url = new URL(a.apiServerUrl); } catch { url = undefined; }
    list.check(url !== undefined && url.protocol === 'https:' && url.username === '' && url.search === '', 'auth.apiServerUrl',
      `${show(a.apiServerUrl)} is not an https URL of the API server; allowed: e.g. ${KUBERNETES_API_URL}`);
  }
  const seen = new Set<string>();
  for (const [field, values] of [['clientGroups', a.clientGroups], ['clientUsers', a.clientUsers]] as const) {
    values.forEach((v, i) => {
      list.check(typeof v === 'string' && PRINCIPAL.test(v), `auth.${field}[${i}]`, `${show(v)} is not a Kubernetes ${field === 'clientGroups' ? 'group' : 'user'} name; allowed: a name without spaces`);
      list.check(!seen.has(v), `auth.${field}[${i}]`, `${show(v)} is listed twice`);
      seen.add(v);
    });
  }
}
