import { EnvironmentInput } from '../config/types';

/**
 * The single-node k0s dev cluster reached over WireGuard: only the Kubernetes MCP server (the
 * fork with event tools), exposed on a fixed NodePort of the node. No Penpot, no ingress.
 */
export const k0sDev: EnvironmentInput = {
  name: 'k0s-dev',
  description: 'Single-node k0s dev cluster over WireGuard: read-only Kubernetes MCP server on a NodePort',
  domain: 'finalq.xyz',
  argo: { repoURL: 'https://git.finalq.xyz/platform/penpot-mcp-platform.git', targetRevision: 'main' },
  penpot: { enabled: false },
  kubernetesMcp: {
    enabled: true,
    // The fork with event tools. Pin the tag you pushed (the notes suggest dev-<gitsha>);
    // a moving tag such as dev-latest is refused.
    image: 'ghcr.io/randybias/kubernetes-mcp-server-with-events:v0.0.67',
    port: 8080,
    exposure: { type: 'NodePort', nodePort: 30808 },
    // Survives VPN drops without the 409 stream conflicts seen on reconnect.
    stateless: true,
    toolsets: ['core', 'config'],
    // Every call needs a token (the NodePort makes kubernetes-token the default); k0s' admin kubeconfig
    // holds a client certificate, not a token: `npm run -s token -- --env k0s-dev --reader developer`.
    readers: ['developer'],
  },
  network: {
    // The WireGuard peers' range: only they may reach the NodePort.
    mcpClientCidrs: ['10.8.0.0/24'],
  },
  // `k0s kubeconfig admin` names its only context `Default`.
  operations: { kubeContext: 'Default' },
};
