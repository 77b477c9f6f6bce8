import { EnvironmentInput } from '../config/types';

/**
 * A neutral multi-node example: TLS at the ingress, a ReadWriteMany class so frontend and
 * backend can run two replicas each, SMTP and single sign-on. Copy it to start a new environment.
 */
export const example: EnvironmentInput = {
  name: 'example',
  description: 'Neutral example: multi-node cluster, RWX storage, TLS, SMTP and OIDC',
  domain: 'example.internal',
  argo: { repoURL: 'https://git.example.internal/platform/gitops.git', targetRevision: 'main' },
  storage: { className: 'nfs-client', assetsAccessMode: 'ReadWriteMany', assetsSize: '20Gi', postgresSize: '10Gi', hostPathBacked: false },
  ingress: { className: 'nginx', tlsSecretName: 'penpot-tls', allowedSourceCidrs: ['10.0.0.0/8'] },
  penpot: {
    registration: false,
    emailVerification: true,
    replicas: { frontend: 2, backend: 2, exporter: 1 },
    smtp: { host: 'smtp.example.internal', port: 587, defaultFrom: 'penpot@example.internal' },
    oidc: { baseUri: 'https://sso.example.internal/realms/main', name: 'Company SSO' },
    // Two MCP replicas share sessions through Valkey.
    mcp: { enabled: true, replicas: 2 },
  },
  kubernetesMcp: {
    enabled: true,
    ingressHost: 'k8s-mcp.example.internal',
    stateless: true,
    replicas: 2,
    toolsets: ['core', 'config'],
  },
  // kubeadm's admin.conf names its context like this; use the name `kubectl config get-contexts` shows.
  operations: { kubeContext: 'kubernetes-admin@kubernetes' },
};
