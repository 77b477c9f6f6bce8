/**
 * Who may use the Kubernetes MCP server and as whom it acts against the API server
 * (`kubernetesMcp.auth`, `kubernetesMcp.readers`, `kubernetesMcp.nodeProxyAccess`).
 *
 * kubernetes-mcp-server 0.0.67 (upstream.md 2b, checked with the binary): with `require_oauth` every
 * path but `/healthz`, `/stats`, `/metrics` and `/.well-known/*` needs a bearer token (401 +
 * `WWW-Authenticate: Bearer ...` otherwise), and in the default `cluster_auth_mode = "passthrough"`
 * the caller's token is what the server sends to the API server for every tool call. So the API
 * server authenticates the caller and applies the caller's RBAC and audit; the server's own
 * ServiceAccount only reads discovery (`/api`, `/apis`, `/api/v1`) at start, which every
 * authenticated identity may (`system:discovery`).
 */
import { z } from 'zod';
import type { ConfigIssue } from './resolve';
import { isDnsLabel } from './rules';
import { bool, section, str, strings } from './schema/primitives';
import type { EnvironmentConfig, EnvironmentInput } from './types';

export const KUBERNETES_MCP_AUTH_MODES = ['kubernetes-token', 'oidc', 'none'] as const;
/**
 * - `kubernetes-token`: `require_oauth` + `skip_jwt_verification`: any Kubernetes token (a reader's
 *   `npm run token`, `oc whoami -t`) is forwarded; the API server judges it. No identity provider.
 * - `oidc`: full MCP OAuth against an issuer the cluster's API server trusts (`authorization_url`);
 *   the server checks the JWT (signature, `exp`, `aud`) before forwarding it.
 * - `none`: the server acts with its own ServiceAccount for everyone who can connect.
 */
export type KubernetesMcpAuthMode = typeof KUBERNETES_MCP_AUTH_MODES[number];

/** The identity settings of `kubernetesMcp` (spread into its section of the schema). */
export const kubernetesMcpIdentityInput = {
  auth: section({
    mode: z.enum(KUBERNETES_MCP_AUTH_MODES).optional(),
    oidc: section({ issuerUrl: str(), serverUrl: str().optional(), readerGroups: strings().optional() }).optional(),
    unauthenticatedAcknowledged: str().optional(),
    clusterAuthMode: z.enum(['passthrough', 'kubeconfig']).optional(),
  }).optional(),
  readers: strings().optional(),
  nodeProxyAccess: bool().optional(),
};

/** Resolved `kubernetesMcp.auth`. */
export interface KubernetesMcpAuthConfig {
  /** @default 'kubernetes-token' when anything beyond the namespace can connect (NodePort, ingress host or Route, client or kagent namespaces, Llama Stack), else 'none' */
  readonly mode: KubernetesMcpAuthMode;
  /** Only with mode `oidc`. @default undefined */
  readonly oidc?: {
    /** Issuer URL (`authorization_url`); the API server must trust it (`--oidc-issuer-url` or structured authentication). */
    readonly issuerUrl: string;
    /** `server_url` = `oauth_audience`: exactly the published `/mcp` URL. @default the endpoint's ingress URL */
    readonly serverUrl?: string;
    /** Groups (as the API server names them, with its `--oidc-groups-prefix`) bound to the reader rules. @default [] */
    readonly readerGroups?: readonly string[];
  };
  /** Why `none` is acceptable although the server is reachable beyond its namespace (one sentence). @default undefined */
  readonly unauthenticatedAcknowledged?: string;
  /** `kubeconfig`: the server's own identity for every caller (refused by upstream with required auth). @default 'passthrough' */
  readonly clusterAuthMode?: 'passthrough' | 'kubeconfig';
}

/** The identity part of the resolved `kubernetesMcp` section. */
export interface KubernetesMcpIdentityConfig {
  readonly auth: KubernetesMcpAuthConfig;
  /** People and automations who get a ServiceAccount with the reader rules (`npm run token -- --reader <name>`). @default [] */
  readonly readers: readonly string[];
  /**
   * RISK, opt-in: `nodes/proxy` get for readers (the node log and stats tools). It reaches the kubelet API,
   * which is more than reading (CIS Kubernetes 5.1.14). @default false
   */
  readonly nodeProxyAccess: boolean;
}

type KubernetesMcpIdentityInputShape = {
  readonly auth?: Partial<Omit<KubernetesMcpAuthConfig, 'mode'>> & { readonly mode?: string };
  readonly readers?: readonly string[];
  readonly nodeProxyAccess?: boolean;
};

/** Defaults of the identity settings; the mode default depends on the rest of the environment (see {@link resolveKubernetesMcpIdentity}). */
export function applyKubernetesMcpIdentityDefaults(k: KubernetesMcpIdentityInputShape, exposedBeyondNamespace: boolean): KubernetesMcpIdentityConfig {
  const a = k.auth ?? {};
  return {
    auth: {
      mode: (a.mode ?? (exposedBeyondNamespace ? 'kubernetes-token' : 'none')) as KubernetesMcpAuthMode,
      oidc: a.oidc && { issuerUrl: a.oidc.issuerUrl, serverUrl: a.oidc.serverUrl, readerGroups: a.oidc.readerGroups && [...a.oidc.readerGroups] },
      unauthenticatedAcknowledged: a.unauthenticatedAcknowledged,
      clusterAuthMode: a.clusterAuthMode,
    },
    readers: [...(k.readers ?? [])],
    nodeProxyAccess: k.nodeProxyAccess ?? false,
  };
}

export interface KubernetesMcpOidc {
  readonly issuerUrl: string;
  readonly serverUrl: string;
  readonly readerGroups: readonly string[];
}

/** The resolved identity settings of an environment's Kubernetes MCP server. */
export interface KubernetesMcpIdentity {
  readonly mode: KubernetesMcpAuthMode;
  readonly oidc?: KubernetesMcpOidc;
  readonly unauthenticatedAcknowledged?: string;
  /** Reader names, the environment's first, then the built-in ones (`kagent` when kagent is on). */
  readonly readers: readonly string[];
  readonly nodeProxyAccess: boolean;
  /** Why the server is reachable beyond its namespace (empty: only its own namespace). */
  readonly exposure: readonly string[];
  /** A second, in-cluster-only instance for Llama Stack, whose connector cannot send a header. */
  readonly llamaStackInstance: boolean;
  /** kagent's RemoteMCPServers call the server (they carry a header from a Secret). */
  readonly kagent: boolean;
}

/** The reader kagent's RemoteMCPServer authenticates as (its token sits in a Secret). */
export const KAGENT_READER = 'kagent';

/** ServiceAccount of one reader, in the server's namespace. */
export function readerServiceAccount(reader: string): string {
  return `kubernetes-mcp-reader-${reader}`;
}

/** Why the server is reachable from outside its namespace, one phrase each (the NetworkPolicy admits these). */
export function exposureBeyondNamespace(env: EnvironmentConfig): string[] {
  const k = env.kubernetesMcp;
  const out: string[] = [];
  if (k.exposure.type === 'NodePort') out.push('a NodePort');
  if (k.ingressHost) out.push(env.cluster.platform === 'openshift' ? `an OpenShift Route (${k.ingressHost})` : `an ingress host (${k.ingressHost})`);
  const agents = env.kagent.enabled ? env.kagent.agentNamespaces : [];
  const callers = [...new Set([...env.network.mcpClientNamespaces, ...agents])];
  if (callers.length > 0) out.push(`pods of ${callers.join(', ')}`);
  if (env.llamaStack.enabled) out.push(`Llama Stack's pods (${env.llamaStack.namespace})`);
  return out;
}

/** The same question asked of the input, before defaults (the mode default depends on it). */
export function inputExposedBeyondNamespace(input: EnvironmentInput): boolean {
  const k = input.kubernetesMcp ?? {};
  const kagentOn = input.kagent?.enabled ?? false;
  return k.exposure?.type === 'NodePort' || k.ingressHost !== undefined || (input.network?.mcpClientNamespaces ?? []).length > 0
    || (kagentOn && (input.kagent?.agentNamespaces ?? ['kagent']).length > 0) || (input.llamaStack?.enabled ?? false);
}

/** Defaults: `kubernetes-token` whenever anything beyond the namespace can connect, else `none`. */
export function resolveKubernetesMcpIdentity(env: EnvironmentConfig): KubernetesMcpIdentity {
  const exposure = exposureBeyondNamespace(env);
  const input = env.kubernetesMcp;
  const mode = input.auth.mode;
  const builtIn = mode === 'kubernetes-token' && env.kagent.enabled ? [KAGENT_READER] : [];
  const readers = [...(input.readers ?? [])];
  for (const b of builtIn) if (!readers.includes(b)) readers.push(b);
  const oidc = input.auth?.oidc;
  return {
    mode,
    ...(oidc ? {
      oidc: {
        issuerUrl: oidc.issuerUrl,
        serverUrl: oidc.serverUrl ?? publishedMcpUrl(env) ?? '',
        readerGroups: [...(oidc.readerGroups ?? [])],
      },
    } : {}),
    unauthenticatedAcknowledged: input.auth?.unauthenticatedAcknowledged,
    readers,
    nodeProxyAccess: input.nodeProxyAccess ?? false,
    exposure,
    llamaStackInstance: env.llamaStack.enabled,
    kagent: env.kagent.enabled,
  };
}

/** The URL people type for the server's `/mcp` (its routed host), if it has one. */
export function publishedMcpUrl(env: EnvironmentConfig): string | undefined {
  const k = env.kubernetesMcp;
  if (!k.ingressHost) return undefined;
  const https = env.cluster.platform === 'openshift' || env.ingress.tlsSecretName !== undefined;
  return `${https ? 'https' : 'http'}://${k.ingressHost}/mcp`;
}

const show = (v: unknown): string => JSON.stringify(v);

/** The environment's identity settings, refused with the field named (nothing is written on an issue). */
export function validateKubernetesMcpIdentity(env: EnvironmentConfig): ConfigIssue[] {
  if (!env.kubernetesMcp.enabled) return [];
  const issues: ConfigIssue[] = [];
  const add = (field: string, problem: string): void => { issues.push({ field: `environments.${env.name}.kubernetesMcp.${field}`, problem }); };
  const input = env.kubernetesMcp;
  const id = resolveKubernetesMcpIdentity(env);
  if (!(KUBERNETES_MCP_AUTH_MODES as readonly string[]).includes(id.mode)) {
    add('auth.mode', `${show(id.mode)} is not an auth mode; allowed: ${KUBERNETES_MCP_AUTH_MODES.join(', ')}`);
  }
  if (id.mode === 'oidc') {
    const o = input.auth?.oidc;
    if (!o || !o.issuerUrl) {
      add('auth.oidc.issuerUrl', 'oidc needs the issuer; allowed: the https URL of an OpenID provider the API server trusts');
    } else if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(o.issuerUrl)) {
      add('auth.oidc.issuerUrl', `${show(o.issuerUrl)} is not an https URL; allowed: the issuer's https URL`);
    }
    const published = publishedMcpUrl(env);
    if (!published) {
      add('auth.mode', "oidc needs a published /mcp URL for server_url and oauth_audience; allowed: set kubernetesMcp.ingressHost, or use 'kubernetes-token'");
    } else if (id.oidc && id.oidc.serverUrl !== published) {
      add('auth.oidc.serverUrl', `${show(id.oidc.serverUrl)} is not the published /mcp URL; allowed: ${show(published)} (or leave it out)`);
    }
    (o?.readerGroups ?? []).forEach((g, i) => {
      if (typeof g !== 'string' || g.trim() === '') add(`auth.oidc.readerGroups[${i}]`, `${show(g)} is not a group name; allowed: a non-empty string`);
    });
  } else if (input.auth?.oidc) {
    add('auth.oidc', `is set but auth.mode is ${show(id.mode)}; allowed: remove it, or use mode 'oidc'`);
  }
  const ack = input.auth?.unauthenticatedAcknowledged;
  if (ack !== undefined) {
    if (id.mode !== 'none') add('auth.unauthenticatedAcknowledged', `acknowledges a risk mode ${show(id.mode)} does not take; allowed: remove it, or use mode 'none'`);
    else if (ack.trim().length < 20) add('auth.unauthenticatedAcknowledged', `${show(ack)} is not a reason; allowed: a sentence saying why anyone who can connect may read the cluster as the server`);
  }
  if (id.mode === 'none' && id.exposure.length > 0 && ack === undefined) {
    add('auth.mode', `'none' while the server is reachable beyond its namespace (${id.exposure.join('; ')}): everyone who connects reads the cluster `
      + "as the server; allowed: 'kubernetes-token' (the default), 'oidc', or give auth.unauthenticatedAcknowledged a reason");
  }
  const seen = new Set<string>();
  (input.readers ?? []).forEach((r, i) => {
    if (typeof r !== 'string' || !isDnsLabel(r) || readerServiceAccount(r).length > 63) {
      add(`readers[${i}]`, `${show(r)} is not a reader name; allowed: a DNS-1123 label of at most ${63 - readerServiceAccount('').length} characters (it names a ServiceAccount)`);
    } else if (seen.has(r)) {
      add(`readers[${i}]`, `${show(r)} is listed twice; allowed: each reader once`);
    }
    seen.add(r);
  });
  if ((input.readers ?? []).length > 0 && id.mode !== 'kubernetes-token') {
    add('readers', `readers get Kubernetes tokens, which mode ${show(id.mode)} does not take; allowed: remove readers, or use 'kubernetes-token'`
      + (id.mode === 'oidc' ? ' (oidc callers are the issuer\'s users: bind them with auth.oidc.readerGroups)' : ''));
  }
  const extraArgs = env.kubernetesMcp.extraArgs;
  extraArgs.forEach((a, i) => {
    if (/^--(cluster-auth-mode|require-oauth|authorization-url|server-url|oauth-audience)\b/.test(a)) {
      add(`extraArgs[${i}]`, `${show(a)} is set by kubernetesMcp.auth; allowed: any flag but the auth ones`);
    }
  });
  const cam = input.auth?.clusterAuthMode;
  if (cam !== undefined && cam !== 'passthrough' && cam !== 'kubeconfig') {
    add('auth.clusterAuthMode', `${show(cam)} is not a cluster auth mode; allowed: passthrough or kubeconfig`);
  } else if (cam === 'kubeconfig' && id.mode !== 'none') {
    add('auth.clusterAuthMode', `'kubeconfig' with mode ${show(id.mode)} is refused by kubernetes-mcp-server (every caller would share the server's `
      + "identity, no per-user audit); allowed: 'passthrough', or mode 'none'");
  }
  return issues;
}
