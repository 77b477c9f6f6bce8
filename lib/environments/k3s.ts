import { EnvironmentInput } from '../config/types';

/**
 * A stock k3s cluster as installed today: its packaged Traefik (v3, `kube-system`) routes plain
 * Ingresses with Middlewares for the source allowlist and the upload limit, TLS on the `websecure`
 * entrypoint, local-path volumes. No ingress-nginx, no Gateway API CRDs needed.
 */
export const k3s: EnvironmentInput = {
  name: 'k3s',
  description: 'Stock k3s with its Traefik: Ingresses with Middlewares, TLS on websecure, local-path volumes',
  domain: 'k3s.example.internal',
  argo: { repoURL: 'https://git.example.internal/platform/gitops.git', targetRevision: 'main' },
  storage: { className: 'local-path', assetsSize: '10Gi', postgresSize: '5Gi' },
  ingress: {
    controller: 'traefik',
    tlsSecretName: 'k3s-tls',
    // Traefik sees client addresses only when its Service keeps them (README "Routing": externalTrafficPolicy Local).
    allowedSourceCidrs: ['192.168.0.0/16', '10.8.0.0/24'],
  },
  penpot: {
    // A dedicated host for clients that cannot use the same-origin /mcp/stream.
    mcp: { enabled: true, host: 'penpot-mcp.k3s.example.internal' },
  },
  kubernetesMcp: { enabled: true, ingressHost: 'kubernetes-mcp.k3s.example.internal', stateless: true },
  // k3s' own kubeconfig (/etc/rancher/k3s/k3s.yaml) names its only context `default`.
  operations: { kubeContext: 'default' },
};
