/**
 * The Llama Stack part of CONNECT.md: where it answers, how a client authenticates, what it
 * registered. connection-info.ts renders the MCP servers and calls this for each Llama Stack.
 */
import { PUBLIC_ROUTES } from './llama-stack-run-config';
import type { LlamaStackEndpoint } from './llama-stack';

/** ServiceAccount name the docs use for a client of Llama Stack (any ServiceAccount of an admitted namespace works). */
export const EXAMPLE_CLIENT_SA = 'llama-stack-client';

/** Markdown lines of one Llama Stack. */
export function llamaStackConnectSection(l: LlamaStackEndpoint): string[] {
  const key = l.registration === 'connectors' ? 'top-level `connectors`' : '`registered_resources.tool_groups`';
  return [
    `## Llama Stack ${l.version} (uses the MCP servers above)`, '',
    'OpenAI-compatible API under `/v1` (health: `GET /v1/health`); models are named `<provider>/<model id>`.', '',
    '| reached from | base URL |', '|---|---|',
    ...(l.ingressUrl ? [`| dedicated host (ingress) | \`${l.ingressUrl}\` |`] : []),
    `| pods in the cluster | \`${l.inClusterUrl}\` |`, '',
    l.clientNamespaces.length > 0
      ? `In the cluster, pods of ${l.clientNamespaces.map((n) => `\`${n}\``).join(', ')} may call it (\`llamaStack.clientNamespaces\`).`
      : 'In the cluster, no namespace may call it yet: list your apps\' namespaces in `llamaStack.clientNamespaces`.', '',
    ...authLines(l),
    ...(l.refusedRoutes.length > 0 ? [
      `**Vector stores are off** while several pods serve the API: ${l.refusedRoutes.map((r) => `\`${r}\``).join(', ')} answer 403. `
      + 'Llama Stack keeps its registry of vector stores in each process (loaded at start only), so a store made through one pod would be '
      + 'unknown to the others. Responses, conversations, files and prompts are shared (PostgreSQL and the files volume). '
      + 'Run one replica (no autoscaling) to use vector stores and file_search.', '',
    ] : []),
    `MCP servers registered at start (run config ${key}); their NetworkPolicies admit Llama Stack's pods on the MCP port:`, '',
    ...l.mcpServers.map((s) => `- \`${s.id}\` -> \`${s.url}\``), '',
  ];
}

function authLines(l: LlamaStackEndpoint): string[] {
  const a = l.auth;
  if (a.mode === 'none') {
    const exposed = l.ingressUrl !== undefined || l.clientNamespaces.length > 0;
    return [
      exposed
        ? `> **WARNING: no authentication** (\`llamaStack.auth.mode: none\`): whoever reaches the API uses the inference server and the MCP tools. Acknowledged: ${a.noneAcknowledged ?? '(no reason given)'}`
        : 'No authentication (`llamaStack.auth.mode: none`): nothing outside the namespace may connect.', '',
    ];
  }
  const admitted = [
    ...a.clientGroups.map((g) => `group \`${g}\``),
    ...a.clientUsers.map((u) => `user \`${u}\``),
  ];
  const base = l.ingressUrl ?? l.inClusterUrl;
  const saNamespace = a.clientGroups.map((g) => /^system:serviceaccounts:([^:]+)$/.exec(g)?.[1]).find((n) => n !== undefined);
  const kubectl = `kubectl${l.kubeContext ? ` --context '${l.kubeContext}'` : ''}`;
  const token = saNamespace
    ? `${kubectl} -n ${saNamespace} create token ${EXAMPLE_CLIENT_SA} --duration 1h`
    : 'oc whoami -t';
  return [
    '**Authentication**: every request carries `Authorization: Bearer <token>` with a token the cluster\'s API server accepts '
    + `(a ServiceAccount token, \`kubectl create token\`, \`oc whoami -t\`). Llama Stack checks it with a SelfSubjectReview at \`${a.apiServerUrl}\` `
    + `(\`server.auth\`, provider \`kubernetes\`) and admits only ${admitted.length > 0 ? admitted.join(', ') : 'nobody (add `llamaStack.auth.clientGroups`)'}; `
    + `anyone else gets 401 (no or bad token) or 403 (not admitted). ${PUBLIC_ROUTES.map((r) => `\`${r}\``).join(' and ')} stay open for probes.`, '',
    ...(saNamespace ? [
      `A client in \`${saNamespace}\` uses its pod's ServiceAccount token (mounted at \`/var/run/secrets/kubernetes.io/serviceaccount/token\`, or a projected token volume). From a laptop, with a ServiceAccount of that namespace (\`${kubectl} -n ${saNamespace} create serviceaccount ${EXAMPLE_CLIENT_SA}\` once):`, '',
    ] : ['From a laptop, logged in as a member of an admitted group:', '']),
    '```sh',
    `export LLAMA_STACK_TOKEN="$(${token})"`,
    `curl -H "Authorization: Bearer $LLAMA_STACK_TOKEN" ${base}/v1/models`,
    '# OpenAI SDKs send their API key as the bearer token:',
    `OPENAI_BASE_URL=${base}/v1 OPENAI_API_KEY="$LLAMA_STACK_TOKEN" python your_agent.py`,
    '```', '',
    'The token is the credential: keep it in an environment variable, never in a file in git; short durations limit a leak.', '',
  ];
}
