/**
 * The Llama Stack run config (`config.yaml`), generated from the typed config and the release
 * table in config/llama-stack.ts. Pure functions: the construct renders the result into a
 * ConfigMap, the tests parse it back from dist/.
 *
 * Sources of the keys (`StackConfig` in src/llama_stack/core/datatypes.py and the configs named
 * in LLAMA_STACK_RELEASES): `version: 2`, `distro_name` (replaced `image_name` in 0.5),
 * `apis`, `providers.<api>[]` with `provider_id`/`provider_type`/`config`, `storage.backends`
 * and `storage.stores`, `registered_resources.models`, `server.port` (default 8321),
 * `vector_stores.default_provider_id`, `server.auth`. Secrets enter only as `${env.NAME}` references,
 * which the server resolves from its environment at start (`replace_env_vars` in core/stack.py:475).
 * Every generated config is validated against the release's closed schema
 * (lib/checks/llama-stack-run-config.ts, test/llama-stack-schema.test.ts).
 */
import { LlamaStackRelease, llamaStackRelease } from './config/llama-stack';
import { LlamaStackInferenceConfig } from './config/types';

/** Llama Stack's HTTP port (`ServerConfig.port` default); also its containerPort and Service port. */
export const LLAMA_STACK_PORT = 8321;
/** Provider id and type of the MCP tool runtime; pre-0.7 tool groups name this provider id. */
export const MCP_TOOL_RUNTIME = { id: 'model-context-protocol', type: 'remote::model-context-protocol' } as const;
/** Environment variable (and Secret key) carrying the inference API key. */
export const INFERENCE_API_KEY = 'INFERENCE_API_KEY';

/** The id under which Llama Stack exposes a registered MCP server's tools. */
export function mcpServerId(name: string): string {
  return `mcp::${name}`;
}

/** An MCP server Llama Stack registers: `name` becomes the id {@link mcpServerId}. */
export interface McpServerRef {
  readonly name: string;
  /** Streamable HTTP URL, ending in `/mcp`. */
  readonly url: string;
}

export interface RunConfigProps {
  readonly version: string;
  readonly distribution: string;
  readonly inference: LlamaStackInferenceConfig;
  readonly mcpServers: readonly McpServerRef[];
  /** Where the key-value and SQL stores live. */
  readonly stores: RunConfigStores;
  /** Directory of uploaded files' contents (the `inline::localfs` provider); metadata goes to the SQL store. */
  readonly filesDir: string;
  /** Whether an API key reaches the server in {@link INFERENCE_API_KEY}. */
  readonly hasApiKey: boolean;
  /** `server.auth`; undefined: no authentication (anyone who reaches the port uses the API). */
  readonly auth?: RunConfigAuth;
  /** Routes refused to everyone (403), e.g. {@link PER_POD_ROUTES} when several pods serve the API. @default [] */
  readonly forbiddenRoutes?: readonly string[];
}

/**
 * The vector store API keeps its registry of stores in each process: loaded from the KV store at
 * start only (providers/utils/memory/openai_vector_store_mixin.py:203-215 at v0.7.1) and looked
 * up in memory (`openai_retrieve_vector_store`, lines 632-641; faiss `insert_chunks`,
 * inline/vector_io/faiss/faiss.py:441-446). With several pods a store made on one is "not found"
 * on the others until they restart, and their in-memory indexes overwrite each other. So
 * replicated Llama Stack refuses these routes (403) rather than answer at random.
 */
export const PER_POD_ROUTES = ['/v1/vector_stores*', '/v1/vector-io/*'] as const;

/**
 * The two storage backends (`kv_default`, `sql_default`) every store references.
 * - `sqlite`: files in `dir`, which must outlive the pod (a PVC) and belong to one pod only.
 * - `postgres`: a database every replica shares (upstream's starter `run-with-postgres-store.yaml`
 *   at v0.7.1, lines 258-278); user and password come from {@link POSTGRES_USER_ENV} and
 *   {@link POSTGRES_PASSWORD_ENV}, never from the ConfigMap.
 */
export type RunConfigStores =
  | { readonly kind: 'sqlite'; readonly dir: string }
  | { readonly kind: 'postgres'; readonly host: string; readonly port: number; readonly database: string };

/** Environment variables (from a Secret) with the PostgreSQL credentials: upstream's own names. */
export const POSTGRES_USER_ENV = 'POSTGRES_USER';
export const POSTGRES_PASSWORD_ENV = 'POSTGRES_PASSWORD';

/**
 * `server.auth` with the `kubernetes` provider: each request's bearer token is checked with a
 * SelfSubjectReview against the API server, made with the caller's own token
 * (core/server/auth_providers.py:443-470 at v0.7.1; the same provider exists at v0.6.1). The
 * default claims mapping puts the username and the groups into the `roles` attribute
 * (core/datatypes.py:329-335), which the route policy matches.
 */
export interface RunConfigAuth {
  /** e.g. `https://kubernetes.default.svc`. */
  readonly apiServerUrl: string;
  /** CA bundle that verifies the API server's certificate, mounted in the pod. */
  readonly caFile: string;
  /** Kubernetes groups admitted to every route, e.g. `system:serviceaccounts:agents`. */
  readonly groups: readonly string[];
  /** Kubernetes user names admitted to every route, e.g. `system:serviceaccount:agents:bot`. */
  readonly users: readonly string[];
}

/**
 * Routes everyone may call. `route_policy` denies by default and applies to public routes too
 * (core/server/auth.py:188-245): without this first rule the probes get 403. Both are public
 * (no token needed) in llama_stack_api/inspect_api/fastapi_routes.py:55-71.
 */
export const PUBLIC_ROUTES = ['/v1/health', '/v1/version'] as const;

function releaseOf(version: string): LlamaStackRelease {
  const release = llamaStackRelease(version);
  // Config validation refuses unknown versions first; reaching this is a programming error.
  if (!release) throw new Error(`Llama Stack ${version} has no release entry in LLAMA_STACK_RELEASES`);
  return release;
}

/**
 * THE place where the MCP registration depends on the release: `registered_resources.tool_groups`
 * up to 0.6, top-level `connectors` from 0.7 (where `tool_groups` is dropped without an error, so
 * writing the wrong one leaves Llama Stack without the server). Returns a fragment of the run config.
 */
export function mcpRegistration(version: string, servers: readonly McpServerRef[]): Record<string, unknown> {
  if (releaseOf(version).mcpRegistration === 'connectors') {
    return { connectors: servers.map((s) => ({ connector_id: mcpServerId(s.name), connector_type: 'mcp', url: s.url })) };
  }
  return {
    registered_resources: {
      tool_groups: servers.map((s) => ({ toolgroup_id: mcpServerId(s.name), provider_id: MCP_TOOL_RUNTIME.id, mcp_endpoint: { uri: s.url } })),
    },
  };
}

/** The `providers.inference` entry: `base_url` for all three (0.7.1 starter config), the key by reference. */
function inferenceProvider(inference: LlamaStackInferenceConfig, hasApiKey: boolean): Record<string, unknown> {
  const keyRef = `\${env.${INFERENCE_API_KEY}}`;
  const config: Record<string, unknown> = { base_url: inference.url };
  // vLLM without --api-key ignores the token; the provider sends one anyway (its sample config uses `fake`).
  if (inference.kind === 'vllm') config.api_token = hasApiKey ? keyRef : 'fake';
  if (inference.kind === 'openai') config.api_key = keyRef;
  return { provider_id: inference.kind, provider_type: `remote::${inference.kind}`, config };
}

/** The complete run config of one Llama Stack installation. */
export function llamaStackRunConfig(props: RunConfigProps): Record<string, unknown> {
  const release = releaseOf(props.version);
  const agentsProviderId = release.agentsProviderType.split('::')[1];
  const registration = mcpRegistration(props.version, props.mcpServers);
  const models = props.inference.models.map((id) => ({
    model_id: id, provider_id: props.inference.kind, provider_model_id: id, model_type: 'llm',
  }));
  return {
    version: 2,
    distro_name: props.distribution,
    apis: [release.agentsApi, 'files', 'file_processors', 'inference', 'tool_runtime', 'vector_io'],
    providers: {
      inference: [inferenceProvider(props.inference, props.hasApiKey)],
      [release.agentsApi]: [{
        provider_id: agentsProviderId,
        provider_type: release.agentsProviderType,
        // Both keys are required in both releases: `AgentPersistenceConfig` (0.6.1,
        // inline/agents/meta_reference/config.py) and `ResponsesPersistenceConfig` (0.7.1,
        // inline/responses/builtin/config.py:15-19).
        config: {
          persistence: {
            agent_state: { namespace: 'agents', backend: 'kv_default' },
            responses: { table_name: 'responses', backend: 'sql_default' },
          },
        },
      }],
      tool_runtime: [
        { provider_id: release.fileSearchProvider.id, provider_type: release.fileSearchProvider.type, config: {} },
        { provider_id: MCP_TOOL_RUNTIME.id, provider_type: MCP_TOOL_RUNTIME.type, config: {} },
      ],
      // The agents provider needs vector_io and files (api_dependencies of its provider spec).
      vector_io: [{ provider_id: 'faiss', provider_type: 'inline::faiss', config: { persistence: { namespace: 'vector_io::faiss', backend: 'kv_default' } } }],
      files: [{
        provider_id: 'localfs',
        provider_type: 'inline::localfs',
        config: { storage_dir: props.filesDir, metadata_store: { table_name: 'files_metadata', backend: 'sql_default' } },
      }],
      file_processors: [{ provider_id: 'pypdf', provider_type: 'inline::pypdf', config: {} }],
    },
    storage: {
      backends: storageBackends(props.stores),
      stores: {
        metadata: { namespace: 'registry', backend: 'kv_default' },
        inference: { table_name: 'inference_store', backend: 'sql_default' },
        conversations: { table_name: 'openai_conversations', backend: 'sql_default' },
        // Key-value references in both releases: `ServerStoresConfig.prompts`/`.connectors` are
        // `KVStoreReference` (core/storage/datatypes.py:320-326 at v0.7.1), as in the starter's
        // config.yaml (v0.7.1 lines 278-283, v0.6.1 lines 272-277). A SQL reference stops the start.
        prompts: { namespace: 'prompts', backend: 'kv_default' },
        connectors: { namespace: 'connectors', backend: 'kv_default' },
      },
    },
    ...registration,
    registered_resources: {
      models,
      ...(registration.registered_resources as Record<string, unknown> | undefined),
    },
    server: { port: LLAMA_STACK_PORT, ...serverAuthBlock(props.auth, props.forbiddenRoutes ?? []) },
    vector_stores: { default_provider_id: 'faiss' },
  };
}

/** `storage.backends`: the same two names whichever backend, so store references never change. */
export function storageBackends(stores: RunConfigStores): Record<string, unknown> {
  if (stores.kind === 'sqlite') {
    return {
      kv_default: { type: 'kv_sqlite', db_path: `${stores.dir}/kvstore.db` },
      sql_default: { type: 'sql_sqlite', db_path: `${stores.dir}/sql_store.db` },
    };
  }
  const connection = {
    host: stores.host,
    port: stores.port,
    db: stores.database,
    user: `\${env.${POSTGRES_USER_ENV}}`,
    password: `\${env.${POSTGRES_PASSWORD_ENV}}`,
  };
  return {
    kv_default: { type: 'kv_postgres', ...connection },
    sql_default: { type: 'sql_postgres', ...connection },
  };
}

/** `server.auth` when there is anything to say: authentication, or routes refused to all. */
function serverAuthBlock(auth: RunConfigAuth | undefined, forbidden: readonly string[]): Record<string, unknown> {
  if (auth) return { auth: serverAuth(auth, forbidden) };
  if (forbidden.length === 0) return {};
  // A route policy works without a provider (core/server/server.py:270-277); everyone is anonymous.
  return { auth: { route_policy: [forbidRule(forbidden), { permit: { paths: '*' }, description: 'no authentication (llamaStack.auth.mode none)' }] } };
}

function forbidRule(paths: readonly string[]): Record<string, unknown> {
  return { forbid: { paths: [...paths] }, description: 'vector stores live in each pod\'s memory: refused while several pods serve the API' };
}

/**
 * `server.auth` (see {@link RunConfigAuth}): probes first, then the routes refused to all, then
 * one rule per admitted group or user.
 */
export function serverAuth(auth: RunConfigAuth, forbidden: readonly string[] = []): Record<string, unknown> {
  const admitted = [...auth.groups.map((g) => ({ value: g, what: 'group' })), ...auth.users.map((u) => ({ value: u, what: 'user' }))];
  return {
    provider_config: {
      type: 'kubernetes',
      api_server_url: auth.apiServerUrl,
      verify_tls: true,
      tls_cafile: auth.caFile,
      // Upstream's default, written out so a change of default cannot silently change who is admitted.
      claims_mapping: { username: 'roles', groups: 'roles' },
    },
    route_policy: [
      { permit: { paths: [...PUBLIC_ROUTES] }, description: 'health and version stay open for probes and monitoring' },
      ...(forbidden.length > 0 ? [forbidRule(forbidden)] : []),
      // `when` conditions of one rule are ANDed (core/server/auth.py:333-345): one rule per
      // principal makes them alternatives. No match denies (auth.py:239-244).
      ...admitted.map((a) => ({ permit: { paths: '*' }, when: `user with ${a.value} in roles`, description: `Kubernetes ${a.what} ${a.value}` })),
    ],
  };
}
