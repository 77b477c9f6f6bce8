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
    // Same-origin at http://penpot.finalq.xyz/mcp/stream, and a dedicated host for clients that need one.
    mcp: { enabled: true, host: 'penpot-mcp.finalq.xyz' },
  },
  // Read-only cluster diagnosis for in-cluster agents (kagent, Llama Stack); not exposed outside.
  kubernetesMcp: { enabled: true },
  // k3s' own kubeconfig (/etc/rancher/k3s/k3s.yaml) names its only context `default`.
  operations: { kubeContext: 'default' },
};
