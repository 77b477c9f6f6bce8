/**
 * Llama Stack settings: the releases this platform knows how to configure, their defaults and
 * their validation. Everything that differs between releases is in {@link LLAMA_STACK_RELEASES},
 * so supporting another release means adding one entry checked against its upstream sources.
 */
import { checkCidr, checkImage, checkResources, IssueList, show } from './resolve';
import { isDnsLabel, isDnsSubdomain, isHostName, isIpv4Cidr, isPort, isPositiveInteger } from './rules';
import {
  EnvironmentConfig, EnvironmentInput, LLAMA_STACK_INFERENCE_KINDS, LlamaStackConfig, ResourceSpec,
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
  /**
   * How the prompts and connectors stores are referenced: a KV namespace up to 0.6 (the 0.6.1
   * config below), a SQL table from 0.7 (`ServerStoresConfig.connectors: SqlStoreReference` in
   * src/llama_stack/core/storage/datatypes.py before the OGX rename).
   */
  readonly promptAndConnectorStores: 'kv' | 'sql';
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
 */
export const LLAMA_STACK_RELEASES: Readonly<Record<string, LlamaStackRelease>> = {
  '0.6.1': {
    mcpRegistration: 'tool_groups',
    agentsApi: 'agents',
    agentsProviderType: 'inline::meta-reference',
    fileSearchProvider: { id: 'rag-runtime', type: 'inline::rag-runtime' },
    promptAndConnectorStores: 'kv',
    cli: 'llama',
  },
  '0.7.1': {
    mcpRegistration: 'connectors',
    agentsApi: 'responses',
    agentsProviderType: 'inline::builtin',
    fileSearchProvider: { id: 'file-search', type: 'inline::file-search' },
    promptAndConnectorStores: 'sql',
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
