/** Llama Stack run configs as the generator writes them, with every feature it has turned on. */
import { LLAMA_STACK_INFERENCE_KINDS, LlamaStackInferenceConfig } from '../../lib/config/types';
import { LLAMA_STACK_RELEASES } from '../../lib/config/llama-stack';
import { PER_POD_ROUTES, RunConfigProps, RunConfigStores, llamaStackRunConfig } from '../../lib/llama-stack-run-config';

export interface GeneratedRunConfig {
  readonly label: string;
  readonly version: string;
  readonly runConfig: Record<string, unknown>;
}

const URLS: Record<string, string> = {
  ollama: 'http://ollama.test.internal:11434/v1', vllm: 'http://vllm.test.internal:8000/v1', openai: 'https://llm.test.internal/v1',
};
const STORES: readonly RunConfigStores[] = [
  { kind: 'sqlite', dir: '/var/lib/llama-stack' },
  { kind: 'postgres', host: 'llama-stack-postgres.llama-stack.svc', port: 5432, database: 'llamastack' },
];

/**
 * For each supported release, each inference kind and each storage backend: models registered,
 * an API key where the kind takes one, two MCP servers, `server.auth` with groups and users and
 * refused routes; and without auth, with and without refused routes.
 */
export function allFeatureRunConfigs(): GeneratedRunConfig[] {
  const out: GeneratedRunConfig[] = [];
  for (const version of Object.keys(LLAMA_STACK_RELEASES)) {
    for (const kind of LLAMA_STACK_INFERENCE_KINDS) {
      for (const stores of STORES) {
        const inference: LlamaStackInferenceConfig = { kind, url: URLS[kind], models: ['m-1', 'org/m-2'], cidrs: ['10.0.0.0/8'] };
        const props: RunConfigProps = {
          version,
          distribution: 'starter',
          inference,
          mcpServers: [
            { name: 'kubernetes', url: 'http://kubernetes-mcp-server.mcp-system:8080/mcp' },
            { name: 'other', url: 'http://other.mcp-system:3000/mcp' },
          ],
          stores,
          filesDir: '/var/lib/llama-stack/files',
          hasApiKey: kind !== 'ollama',
          auth: {
            apiServerUrl: 'https://kubernetes.default.svc',
            caFile: '/etc/kube-ca/ca.crt',
            groups: ['system:serviceaccounts:agents', 'system:serviceaccounts:apps'],
            users: ['system:serviceaccount:ci:runner'],
          },
          forbiddenRoutes: PER_POD_ROUTES,
        };
        out.push({ label: `${version}, ${kind}, ${stores.kind} stores, auth, refused routes`, version, runConfig: llamaStackRunConfig(props) });
        if (kind === 'vllm') {
          out.push({ label: `${version}, ${kind}, ${stores.kind} stores, no auth, refused routes`, version, runConfig: llamaStackRunConfig({ ...props, auth: undefined }) });
          out.push({ label: `${version}, ${kind}, ${stores.kind} stores, no auth`, version, runConfig: llamaStackRunConfig({ ...props, auth: undefined, forbiddenRoutes: [] }) });
        }
      }
    }
  }
  return out;
}
