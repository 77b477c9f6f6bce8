import { EnvironmentInput } from '../config/types';

/**
 * The single-node k3s homelab: internal domain, Argo CD in manual sync, images through the
 * Harbor proxy cache, local-path volumes, ingress-nginx, plain http behind the LAN proxy.
 */
export const homelab: EnvironmentInput = {
  name: 'homelab',
  description: 'Single-node k3s homelab on *.finalq.xyz (Argo CD manual sync, Harbor mirror, local-path)',
  domain: 'finalq.xyz',
  argo: {
    // The Git repository Argo CD reads this project from: set it to yours.
    repoURL: 'https://git.finalq.xyz/platform/penpot-mcp-platform.git',
    targetRevision: 'main',
  },
  images: {
    // Harbor proxy-cache projects, one per upstream registry.
    mirrors: {
      'docker.io': 'harbor.finalq.xyz/dockerhub',
      'quay.io': 'harbor.finalq.xyz/quay',
      'ghcr.io': 'harbor.finalq.xyz/ghcr',
    },
  },
  storage: { className: 'local-path', assetsSize: '10Gi', postgresSize: '5Gi' },
  ingress: { className: 'nginx' },
  penpot: {
    host: 'penpot.finalq.xyz',
    scheme: 'http',
    // The homelab reaches the Internet: the frontend fetches fonts and dashboard templates itself
    // (TCP 443 to any address: the font and template hosts sit behind CDNs).
    frontendEgress: { mode: 'https', cidrs: ['0.0.0.0/0'] },
    // Same-origin at http://penpot.finalq.xyz/mcp/stream, and a dedicated host for clients that need one.
    mcp: { enabled: true, host: 'penpot-mcp.finalq.xyz' },
    // Headless PNG/SVG export for in-cluster agents (issue 16); callers need the token of Secret
    // penpot/penpot-export-mcp-token, the smoke check proves both halves.
    export: { enabled: true, accountSecretName: 'penpot-export-account', clientNamespaces: ['kagent'] },
    backup: {
      // Every set also goes to restic's rest-server on the NAS (another box, another disk): a failed
      // node disk no longer loses Penpot and its backups together. Credentials: SECRETS.md.
      offsite: {
        repository: 'rest:https://nas.finalq.xyz:8000/penpot',
        egress: { cidrs: ['192.168.1.20/32'] },
        retention: { keepDaily: 14, keepWeekly: 8, keepMonthly: 12 },
      },
    },
  },
  // Read-only cluster diagnosis for in-cluster agents (kagent, Llama Stack); not exposed outside.
  kubernetesMcp: { enabled: true },
  // kMCP runs the MCP servers of the user's notes (seed 001); kagent agents reach them (and the
  // Kubernetes MCP server) through RemoteMCPServers.
  kmcp: {
    enabled: true,
    servers: [
      {
        // Serves the files of its own volume over stdio, bridged to HTTP by kMCP's adapter.
        name: 'filesystem',
        description: 'Files of the shared agent workspace volume (read and write)',
        transport: 'stdio',
        image: 'docker.io/library/node:22-alpine',
        cmd: 'npx',
        args: ['-y', '@modelcontextprotocol/server-filesystem@2026.8.31', '/data'],
        volume: { mountPath: '/data', size: '5Gi' },
        // npx fetches the pinned package from the npm registry when the pod starts.
        egress: { cidrs: ['0.0.0.0/0'], ports: [443] },
        // kMCP puts no credential in front of a server: only kagent's pods reach it (NetworkPolicy).
        unauthenticatedAcknowledged: 'kagent agents of this single-user homelab share one workspace volume; no cluster access',
      },
      {
        // A server with native streamable HTTP (MCP's reference "everything" server).
        name: 'everything',
        description: 'MCP reference server with sample tools, prompts and resources (native HTTP)',
        transport: 'http',
        image: 'docker.io/library/node:22-alpine',
        cmd: 'npx',
        args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31', 'streamableHttp'],
        env: { PORT: '3001' },
        port: 3001,
        http: { targetPort: 3001, path: '/mcp' },
        egress: { cidrs: ['0.0.0.0/0'], ports: [443] },
        unauthenticatedAcknowledged: 'sample tools only (no volume, no Kubernetes API access), reached by kagent agents alone',
      },
    ],
  },
  kagent: { enabled: true, agentNamespaces: ['kagent'] },
  // k3s' own kubeconfig (/etc/rancher/k3s/k3s.yaml) names its only context `default`.
  operations: { kubeContext: 'default' },
};
