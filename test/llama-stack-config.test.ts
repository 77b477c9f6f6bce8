import { applyDefaults, resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { expectIssue, issuesOf } from './support/config-issues';
import { minimalEnv } from './support/environments';

type LlamaInput = NonNullable<EnvironmentInput['llamaStack']>;
const VLLM = { kind: 'vllm', url: 'http://vllm.test.internal:8000/v1' } as const;

/** An environment with the Kubernetes MCP server and Llama Stack on a vLLM server; `over` changes Llama Stack. */
const withLlama = (over: LlamaInput = {}, kubernetesMcp: EnvironmentInput['kubernetesMcp'] = { enabled: true }): EnvironmentInput =>
  minimalEnv({ kubernetesMcp, llamaStack: { enabled: true, inference: VLLM, ...over } });
const field = (f: string) => `environments.test.llamaStack.${f}`;

describe('Llama Stack configuration defaults', () => {
  test('is off unless enabled', () => {
    expect(applyDefaults(minimalEnv()).llamaStack.enabled).toBe(false);
  });

  test('pins 0.7.1 of the starter distribution from llamastack/, in namespace llama-stack with one replica', () => {
    const l = applyDefaults(withLlama()).llamaStack;
    expect(l).toMatchObject({
      version: '0.7.1', distribution: 'starter', image: 'docker.io/llamastack/distribution-starter:0.7.1',
      namespace: 'llama-stack', replicas: 1, clientNamespaces: [],
    });
    expect(l.autoscaling).toBeUndefined();
    expect(l.inference.cidrs).toEqual(['0.0.0.0/0']);
  });

  test('the image follows a changed version', () => {
    expect(applyDefaults(withLlama({ version: '0.6.1' })).llamaStack.image).toBe('docker.io/llamastack/distribution-starter:0.6.1');
  });

  test('autoscaling takes 70% CPU unless told otherwise', () => {
    expect(applyDefaults(withLlama({ autoscaling: { minReplicas: 2, maxReplicas: 5 } })).llamaStack.autoscaling)
      .toEqual({ minReplicas: 2, maxReplicas: 5, targetCpuPercent: 70 });
  });

  test('several Llama Stack replicas next to a single stateful MCP server are accepted (sessions live in the one MCP pod)', () => {
    expect(() => resolveEnvironments([withLlama({ autoscaling: { minReplicas: 2, maxReplicas: 5 } }, { enabled: true, stateless: false })])).not.toThrow();
  });
});

describe('bad Llama Stack configuration is refused with the field and what is allowed', () => {
  test('a version this platform cannot configure lists the supported ones', () => {
    expectIssue([withLlama({ version: '0.5.0' })], field('version'), /"0.5.0" is not a release this platform can configure.*allowed: 0\.6\.1, 0\.7\.1/);
  });

  test('Llama Stack without the Kubernetes MCP server', () => {
    expectIssue([minimalEnv({ llamaStack: { enabled: true, inference: VLLM } })], field('enabled'), /needs kubernetesMcp.enabled: true/);
  });

  test('an HPA on a stateful Kubernetes MCP server next to Llama Stack', () => {
    expectIssue([withLlama({}, { enabled: true, autoscaling: { minReplicas: 2, maxReplicas: 5 } })],
      'environments.test.kubernetesMcp.autoscaling', /needs kubernetesMcp.stateless: true/);
  });

  test('an API key written into the inference URL', () => {
    const issues = issuesOf(withLlama({ inference: { kind: 'openai', url: 'https://user:sk-live-123@llm.test.internal/v1', apiKeySecret: 'llm-key' } }));
    const issue = issues.find((i) => i.field === field('inference.url'));
    expect(issue?.problem).toMatch(/carries credentials; put the key in a Secret and name it in apiKeySecret/);
    // The message must not repeat the key it refuses.
    expect(JSON.stringify(issues)).not.toContain('sk-live-123');
  });

  test('an API key given as a literal field does not type-check (tsc in npm test fails on an unused @ts-expect-error)', () => {
    // @ts-expect-error: the config has no field for a literal key; keys come from apiKeySecret only.
    const input: LlamaInput = { enabled: true, inference: { kind: 'openai', url: 'https://llm.test.internal/v1', apiKey: 'sk-123' } };
    expect(input.enabled).toBe(true);
  });

  test('kind openai without a Secret for its key', () => {
    expectIssue([withLlama({ inference: { kind: 'openai', url: 'https://llm.test.internal/v1' } })], field('inference.apiKeySecret'), /required for kind openai/);
  });

  test('a Secret for Ollama, which takes no key', () => {
    expectIssue([withLlama({ inference: { kind: 'ollama', url: 'http://ollama.test.internal:11434/v1', apiKeySecret: 'key' } })],
      field('inference.apiKeySecret'), /Ollama takes no API key/);
  });

  test('a vLLM URL without /v1', () => {
    expectIssue([withLlama({ inference: { kind: 'vllm', url: 'http://vllm.test.internal:8000' } })], field('inference.url'),
      /does not end in \/v1.*allowed: e.g. http:\/\/vllm.test.internal:8000\/v1/);
  });

  test('a missing inference server', () => {
    expectIssue([minimalEnv({ kubernetesMcp: { enabled: true }, llamaStack: { enabled: true } })], field('inference.kind'), /is missing; allowed: ollama, vllm, openai/);
  });

  test('an unknown inference kind', () => {
    expectIssue([withLlama({ inference: { kind: 'tgi' as 'vllm', url: VLLM.url } })], field('inference.kind'), /"tgi" is not allowed; allowed: ollama, vllm, openai/);
  });

  test('an egress CIDR that is not one', () => {
    expectIssue([withLlama({ inference: { ...VLLM, cidrs: ['10.20.0.0'] } })], field('inference.cidrs[0]'), /not an IPv4 CIDR/);
  });

  test('the namespace of the MCP server', () => {
    expectIssue([withLlama({ namespace: 'mcp-system' })], field('namespace'), /already kubernetesMcp.namespace; allowed: a namespace of its own/);
  });

  test('a distribution whose image lacks the configured providers', () => {
    expectIssue([withLlama({ distribution: 'ollama' })], field('distribution'), /"ollama" is not supported; allowed: starter/);
  });

  test('an image override on a moving tag', () => {
    expectIssue([withLlama({ image: 'llamastack/distribution-starter:latest' })], field('image'), /moving tag "latest"/);
  });

  test('autoscaling with min above max', () => {
    expectIssue([withLlama({ autoscaling: { minReplicas: 5, maxReplicas: 2 } })], field('autoscaling'), /1 <= minReplicas <= maxReplicas/);
  });

  test('an ingress host used elsewhere in the environment', () => {
    expectIssue([withLlama({ ingressHost: 'penpot.test.internal' })], field('ingressHost'), /already used by environments.test.penpot.host/);
  });
});

describe('monitoring configuration', () => {
  test('no PrometheusRules unless asked for', () => {
    expect(applyDefaults(minimalEnv()).monitoring.prometheusRules).toBeUndefined();
  });

  test('a rule label that is not a label key', () => {
    expectIssue([minimalEnv({ kubernetesMcp: { enabled: true }, monitoring: { prometheusRules: { labels: { 'bad key!': 'x' } } } })],
      'environments.test.monitoring.prometheusRules.labels["bad key!"]', /not a label key/);
  });

  test('rules with nothing to watch', () => {
    expectIssue([minimalEnv({ penpot: { enabled: false }, kmcp: { enabled: true }, monitoring: { prometheusRules: { labels: { release: 'kps' } } } })],
      'environments.test.monitoring.prometheusRules', /none is enabled/);
  });
});
