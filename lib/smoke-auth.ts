/**
 * The credential half of the post-sync smoke check on endpoints that require a bearer token.
 * The smoke pod gets a ServiceAccount of its own, bound to nothing: `initialize` needs no API
 * access (kubernetes-mcp-server with `skip_jwt_verification` answers it for any bearer and calls
 * the API only for tools), so the check proves the token is accepted without granting anything.
 * The token is a projected ServiceAccount token (short-lived, rotated by the kubelet) mounted
 * in the pod only; ops/smoke/smoke.sh reads it from the file into a header file (never an argument).
 */
import { Construct } from 'constructs';
import { k8s } from './k8s';
import { McpEndpoint } from './mcp-gateway';

export const SMOKE_TOKEN_DIR = '/var/run/secrets/smoke-check';
export const SMOKE_BEARER_FILE = `${SMOKE_TOKEN_DIR}/token`;
/** Lifetime of the projected token (the kubelet's minimum is 600 s; it refreshes it at 80 %). */
export const SMOKE_TOKEN_SECONDS = 600;

/**
 * The check kind of an endpoint: `mcp-auth` (no token -> 401 with WWW-Authenticate, then with the
 * pod's token -> initialize) for Kubernetes-token endpoints, `mcp-unauth` (only the 401 half) for
 * OIDC ones, whose tokens only the issuer mints; `mcp` for the rest.
 */
export function smokeKindOf(endpoint: McpEndpoint): 'mcp' | 'mcp-auth' | 'mcp-unauth' {
  if (!endpoint.bearer) return 'mcp';
  return endpoint.bearer.mode === 'oidc' ? 'mcp-unauth' : 'mcp-auth';
}

/**
 * Where the token of an `mcp-auth` check comes from: the smoke pod's own projected ServiceAccount
 * token (`kubernetes-token`), or the key of the server's static-token Secret (`static-token`).
 */
export type SmokeBearerSource = { readonly kind: 'service-account' } | { readonly kind: 'secret'; readonly name: string; readonly key: string };

export function smokeBearerSourceOf(endpoint: McpEndpoint): SmokeBearerSource | undefined {
  if (smokeKindOf(endpoint) !== 'mcp-auth') return undefined;
  const secret = endpoint.bearer?.secret;
  return secret ? { kind: 'secret', name: secret.name, key: secret.key } : { kind: 'service-account' };
}

/** Equal sources share one token file. */
export const bearerSourceKey = (s: SmokeBearerSource): string => (s.kind === 'secret' ? `secret/${s.name}/${s.key}` : 'service-account');

/** Pod spec parts the token needs: the ServiceAccount, the projected volume, its mount and the variable. */
export interface SmokeCredential {
  /** @default undefined: the pod's default ServiceAccount, with no token mounted (POD_DEFAULTS) */
  readonly serviceAccountName?: string;
  readonly volume: k8s.Volume;
  readonly volumeMount: k8s.VolumeMount;
  readonly env: Record<string, string>;
}

/**
 * The static token of a server for the smoke pod: only that key of its Secret, mounted read-only
 * as the token file (no ServiceAccount: the pod keeps running with none and no API token).
 */
export function smokeSecretCredential(secretName: string, key: string): SmokeCredential {
  return {
    volume: { name: 'token', secret: { secretName, items: [{ key, path: 'token' }] } },
    volumeMount: { name: 'token', mountPath: SMOKE_TOKEN_DIR, readOnly: true },
    env: { SMOKE_BEARER_FILE },
  };
}

/** A ServiceAccount with no RBAC and no automounted token, and its projected token for the smoke pod. */
export function smokeCredential(scope: Construct, name: string, namespace: string, labels: Record<string, string>): SmokeCredential {
  new k8s.KubeServiceAccount(scope, 'service-account', {
    metadata: { name, namespace, labels },
    automountServiceAccountToken: false,
  });
  return {
    serviceAccountName: name,
    volume: {
      name: 'token',
      projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: SMOKE_TOKEN_SECONDS } }] },
    },
    volumeMount: { name: 'token', mountPath: SMOKE_TOKEN_DIR, readOnly: true },
    env: { SMOKE_BEARER_FILE },
  };
}
