import { LLAMA_STACK_RELEASES, llamaStackImage } from '../lib/config/llama-stack';
import { LlamaStackInferenceConfig } from '../lib/config/types';
import { INFERENCE_API_KEY, MCP_TOOL_RUNTIME, llamaStackRunConfig, mcpRegistration } from '../lib/llama-stack-run-config';

const MCP = [{ name: 'kubernetes', url: 'http://kubernetes-mcp-server.mcp-system:8080/mcp' }];
const inference = (over: Partial<LlamaStackInferenceConfig> = {}): LlamaStackInferenceConfig => ({
  kind: 'vllm', url: 'http://vllm.test.internal:8000/v1', models: [], cidrs: ['0.0.0.0/0'], ...over,
});
const runConfig = (version: string, over: Partial<LlamaStackInferenceConfig> = {}, hasApiKey = false): any => llamaStackRunConfig({
  version, distribution: 'starter', inference: inference(over), mcpServers: MCP, stores: { kind: 'sqlite', dir: '/var/lib/llama-stack' }, filesDir: '/var/lib/llama-stack/files', hasApiKey,
});

describe('the MCP registration follows the release', () => {
  test('0.6.1 registers a tool group on the model-context-protocol runtime and writes no connectors', () => {
    const config = runConfig('0.6.1');
    expect(config.registered_resources.tool_groups).toEqual([
      { toolgroup_id: 'mcp::kubernetes', provider_id: 'model-context-protocol', mcp_endpoint: { uri: MCP[0].url } },
    ]);
    expect(config).not.toHaveProperty('connectors');
  });

  test('0.7.1 registers a top-level connector and writes no tool_groups (0.7 drops them silently)', () => {
    const config = runConfig('0.7.1');
    expect(config.connectors).toEqual([{ connector_id: 'mcp::kubernetes', connector_type: 'mcp', url: MCP[0].url }]);
    expect(config.registered_resources).not.toHaveProperty('tool_groups');
    expect(JSON.stringify(config)).not.toContain('tool_groups');
  });

  test('every known release uses exactly one registration key', () => {
    for (const version of Object.keys(LLAMA_STACK_RELEASES)) {
      const fragment = mcpRegistration(version, MCP);
      const keys = JSON.stringify(fragment).match(/"(connectors|tool_groups)"/g);
      expect({ version, keys }).toEqual({ version, keys: [LLAMA_STACK_RELEASES[version].mcpRegistration].map((k) => `"${k}"`) });
    }
  });

  test('the tool group names the runtime provider the config declares', () => {
    const config = runConfig('0.6.1');
    const runtimes = config.providers.tool_runtime.map((p: any) => p.provider_id);
    expect(runtimes).toContain(config.registered_resources.tool_groups[0].provider_id);
    expect(config.providers.tool_runtime).toContainEqual({ provider_id: MCP_TOOL_RUNTIME.id, provider_type: MCP_TOOL_RUNTIME.type, config: {} });
  });

  test('an unknown release is a programming error, never a silently guessed config', () => {
    expect(() => mcpRegistration('0.5.0', MCP)).toThrow(/no release entry/);
  });
});

describe('release-specific provider names', () => {
  test('0.6.1 runs agents on inline::meta-reference with the rag-runtime it depends on', () => {
    const config = runConfig('0.6.1');
    expect(config.apis).toContain('agents');
    expect(config.providers.agents[0].provider_type).toBe('inline::meta-reference');
    expect(config.providers.tool_runtime.map((p: any) => p.provider_type)).toContain('inline::rag-runtime');
    expect(config.storage.stores.connectors).toEqual({ namespace: 'connectors', backend: 'kv_default' });
  });

  test('0.7.1 runs responses on inline::builtin with file-search, and KV prompt and connector stores (as its starter config.yaml)', () => {
    const config = runConfig('0.7.1');
    expect(config.apis).toContain('responses');
    expect(config.apis).not.toContain('agents');
    expect(config.providers.responses[0].provider_type).toBe('inline::builtin');
    expect(config.providers.tool_runtime.map((p: any) => p.provider_type)).toContain('inline::file-search');
    expect(config.storage.stores.connectors).toEqual({ namespace: 'connectors', backend: 'kv_default' });
    expect(config.storage.stores.prompts).toEqual({ namespace: 'prompts', backend: 'kv_default' });
  });

  test('every API listed has its providers and every provider API is listed', () => {
    for (const version of Object.keys(LLAMA_STACK_RELEASES)) {
      const config = runConfig(version);
      expect([...config.apis].sort()).toEqual(Object.keys(config.providers).sort());
    }
  });

  test('every store reference names a declared backend of its kind: namespace -> kv_*, table_name -> sql_*', () => {
    const refs = (node: any, path: string): { path: string; ref: any }[] => (node && typeof node === 'object'
      ? [...(typeof node.backend === 'string' ? [{ path, ref: node }] : []),
        ...Object.entries(node).flatMap(([k, v]) => refs(v, `${path}.${k}`))]
      : []);
    for (const version of Object.keys(LLAMA_STACK_RELEASES)) {
      const config = runConfig(version);
      const found = refs(config, version);
      expect(found.length).toBeGreaterThanOrEqual(9);
      for (const { path, ref } of found) {
        const type: string | undefined = config.storage.backends[ref.backend]?.type;
        expect({ path, type: type?.split('_')[0] }).toEqual({ path, type: ref.namespace !== undefined ? 'kv' : 'sql' });
      }
    }
  });
});

describe('inference provider', () => {
  test('models are registered on the provider id the inference provider has', () => {
    const config = runConfig('0.7.1', { models: ['llama3.1:8b'] });
    expect(config.registered_resources.models).toEqual([{ model_id: 'llama3.1:8b', provider_id: 'vllm', provider_model_id: 'llama3.1:8b', model_type: 'llm' }]);
    expect(config.providers.inference[0].provider_id).toBe('vllm');
  });

  test('an API key enters only as an environment reference', () => {
    const config = runConfig('0.7.1', { kind: 'openai', url: 'https://llm.test.internal/v1' }, true);
    expect(config.providers.inference[0]).toEqual({
      provider_id: 'openai', provider_type: 'remote::openai', config: { base_url: 'https://llm.test.internal/v1', api_key: `\${env.${INFERENCE_API_KEY}}` },
    });
  });

  test('vLLM without a Secret sends the placeholder token its sample config uses', () => {
    expect(runConfig('0.7.1').providers.inference[0].config).toEqual({ base_url: 'http://vllm.test.internal:8000/v1', api_token: 'fake' });
  });
});

describe('image of a release', () => {
  test('llamastack/ up to 0.7.x', () => {
    expect(llamaStackImage('0.7.1', 'starter')).toBe('docker.io/llamastack/distribution-starter:0.7.1');
    expect(llamaStackImage('0.6.1', 'starter')).toBe('docker.io/llamastack/distribution-starter:0.6.1');
  });

  test('ogx/ from 0.8.0 on, the OGX rename', () => {
    expect(llamaStackImage('0.8.0', 'starter')).toBe('docker.io/ogx/distribution-starter:0.8.0');
    expect(llamaStackImage('1.0.3', 'starter')).toBe('docker.io/ogx/distribution-starter:1.0.3');
  });
});
