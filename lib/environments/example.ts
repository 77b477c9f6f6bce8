import { EnvironmentInput } from '../config/types';

/**
 * A neutral multi-node example: Gateway API routing (HTTPRoutes on a Gateway this project creates,
 * run by Envoy Gateway, TLS at its listener), a ReadWriteMany class so frontend and backend can run
 * two replicas each, SMTP and single sign-on. Copy it to start a new environment.
 */
export const example: EnvironmentInput = {
  name: 'example',
  description: 'Neutral example: multi-node cluster, Gateway API (Envoy Gateway), RWX storage, TLS, SMTP, OIDC, Llama Stack and alerts',
  domain: 'example.internal',
  argo: { repoURL: 'https://git.example.internal/platform/gitops.git', targetRevision: 'main' },
  storage: { className: 'nfs-client', assetsAccessMode: 'ReadWriteMany', assetsSize: '20Gi', postgresSize: '10Gi', hostPathBacked: false },
  ingress: {
    controller: 'gateway-api',
    // The TLS Secret lives in the Gateway's namespace (`gateway`); see SECRETS.md.
    tlsSecretName: 'penpot-tls',
    // A portable HTTPRoute carries no source allowlist: with Envoy Gateway, restrict sources with
    // its SecurityPolicy on the Gateway (or choose implementation 'traefik' and allowedSourceCidrs).
    gateway: { name: 'platform', namespace: 'gateway', implementation: 'envoy-gateway', create: { gatewayClassName: 'eg' } },
  },
  penpot: {
    registration: false,
    // Pods get no Internet egress here (only the internal SSO, SMTP and inference servers): the frontend runs
    // air-gapped, without Google Fonts and the dashboard templates section, instead of hanging on them.
    frontendEgress: { mode: 'air-gapped' },
    emailVerification: true,
    replicas: { frontend: 2, backend: 2, exporter: 1 },
    smtp: { host: 'smtp.example.internal', port: 587, defaultFrom: 'penpot@example.internal' },
    oidc: { baseUri: 'https://sso.example.internal/realms/main', name: 'Company SSO' },
    // Two MCP replicas share sessions through Valkey.
    mcp: { enabled: true, replicas: 2 },
    // Sets copied nightly to an S3-compatible object store on the internal network (restic, encrypted).
    backup: { offsite: { repository: 's3:https://s3.example.internal/penpot-backups/penpot', egress: { cidrs: ['10.20.0.15/32'] } } },
  },
  kubernetesMcp: {
    enabled: true,
    ingressHost: 'k8s-mcp.example.internal',
    stateless: true,
    replicas: 2,
    toolsets: ['core', 'config'],
    // Every call needs a token (auth mode kubernetes-token, the default with an ingress host); each reader
    // gets a read-only ServiceAccount: `npm run -s token -- --env example --reader alice`.
    readers: ['alice', 'ci'],
  },
  // kubeadm's admin.conf names its context like this; use the name `kubectl config get-contexts` shows.
  operations: { kubeContext: 'kubernetes-admin@kubernetes' },
  // Llama Stack next to the Kubernetes MCP server (seed 002), using a vLLM server on the internal network.
  llamaStack: {
    enabled: true,
    inference: {
      kind: 'vllm',
      url: 'http://vllm.ai.example.internal:8000/v1',
      // vLLM started with --api-key: the key lives in this Secret (see SECRETS.md).
      apiKeySecret: 'llama-stack-inference',
      models: ['meta-llama/Llama-3.1-8B-Instruct'],
      cidrs: ['10.20.0.0/24'],
    },
    // Seed 002's scaling: 2-5 replicas at 70% CPU (the MCP server it calls is stateless too).
    autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuPercent: 70 },
    ingressHost: 'llama-stack.example.internal',
    clientNamespaces: ['agents'],
  },
  // kube-prometheus-stack selects rules labelled with its release name.
  monitoring: { prometheusRules: { labels: { release: 'kube-prometheus-stack' } } },
};
