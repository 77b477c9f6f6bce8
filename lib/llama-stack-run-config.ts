/**
 * The Llama Stack run config (`config.yaml`), generated from the typed config and the release
 * table in config/llama-stack.ts. Pure functions: the construct renders the result into a
 * ConfigMap, the tests parse it back from dist/.
 *
 * Sources of the keys (`StackConfig` in src/llama_stack/core/datatypes.py and the configs named
 * in LLAMA_STACK_RELEASES): `version: 2`, `distro_name` (replaced `image_name` in 0.5),
 * `apis`, `providers.<api>[]` with `provider_id`/`provider_type`/`config`, `storage.backends`
 * and `storage.stores`, `registered_resources.models`, `server.port` (default 8321),
 * `vector_stores.default_provider_id`. Secrets enter only as `${env.NAME}` references, which the
 * server resolves from its environment at start (`replace_env_vars` in core/stack.py).
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
  /** Writable directory for the SQLite databases and uploaded files (an emptyDir). */
  readonly stateDir: string;
  /** Whether an API key reaches the server in {@link INFERENCE_API_KEY}. */
  readonly hasApiKey: boolean;
}

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
  const storeRef = (name: string) => (release.promptAndConnectorStores === 'kv'
    ? { namespace: name, backend: 'kv_default' }
    : { table_name: name, backend: 'sql_default' });
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
        // `agent_state` is required up to 0.6 (AgentPersistenceConfig) and an ignored extra key
        // where only `responses` remains (provider configs are plain pydantic models).
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
        config: { storage_dir: `${props.stateDir}/files`, metadata_store: { table_name: 'files_metadata', backend: 'sql_default' } },
      }],
      file_processors: [{ provider_id: 'pypdf', provider_type: 'inline::pypdf', config: {} }],
    },
    storage: {
      backends: {
        kv_default: { type: 'kv_sqlite', db_path: `${props.stateDir}/kvstore.db` },
        sql_default: { type: 'sql_sqlite', db_path: `${props.stateDir}/sql_store.db` },
      },
      stores: {
        metadata: { namespace: 'registry', backend: 'kv_default' },
        inference: { table_name: 'inference_store', backend: 'sql_default' },
        conversations: { table_name: 'openai_conversations', backend: 'sql_default' },
        prompts: storeRef('prompts'),
        connectors: storeRef('connectors'),
      },
    },
    ...registration,
    registered_resources: {
      models,
      ...(registration.registered_resources as Record<string, unknown> | undefined),
    },
    server: { port: LLAMA_STACK_PORT },
    vector_stores: { default_provider_id: 'faiss' },
  };
}
