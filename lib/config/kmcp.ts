/**
 * Defaults and validation of the kMCP servers and kagent registration (issue 5).
 * Facts: ../shared/reference/upstream.md section 3; the MCPServer CRD in ../shared/crds/.
 */
import { checkCidr, checkImage, checkResources, checkSize, IssueList, show } from './resolve';
import { isDnsLabel, isPort, isPositiveInteger } from './rules';
import { EnvironmentConfig, EnvironmentInput, KagentConfig, KmcpConfig, KmcpServerConfig, KmcpServerInput, ResourceSpec } from './types';

export const KMCP_CHART_VERSION = '0.3.0';
export const KMCP_CHART_REPO = 'ghcr.io/kagent-dev/kmcp/helm';
/** kmcp chart values.yaml defaults (helm/kmcp/values.yaml). */
export const KMCP_CONTROLLER_RESOURCES: ResourceSpec = { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } };
export const KMCP_SERVER_RESOURCES: ResourceSpec = { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } };
/** MCPServer `deployment.port` default of the CRD. */
export const KMCP_DEFAULT_PORT = 3000;

/** Names that say "secret": such a variable must come from a Secret, never a literal in git. */
const SECRET_LOOKING = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)/i;

export function isSecretLookingName(name: string): boolean {
  return SECRET_LOOKING.test(name);
}

function mergeResources(base: ResourceSpec, over?: { requests?: Partial<ResourceSpec['requests']>; limits?: Partial<ResourceSpec['limits']> }): ResourceSpec {
  return { requests: { ...base.requests, ...over?.requests }, limits: { ...base.limits, ...over?.limits } };
}

export function kmcpServerDefaults(s: KmcpServerInput): KmcpServerConfig {
  return {
    name: s.name,
    description: s.description ?? `MCP server ${s.name}`,
    transport: s.transport,
    image: s.image,
    cmd: s.cmd,
    args: [...(s.args ?? [])],
    port: s.port ?? KMCP_DEFAULT_PORT,
    http: s.http as KmcpServerConfig['http'],
    env: { ...s.env } as Record<string, string>,
    secrets: (s.secrets ?? []).map((x) => ({ name: x.name, keys: { ...x.keys } })),
    volume: s.volume && { mountPath: s.volume.mountPath, size: s.volume.size ?? '1Gi', accessMode: s.volume.accessMode ?? 'ReadWriteOnce' },
    clusterRoles: [...(s.clusterRoles ?? [])],
    egress: { cidrs: [...(s.egress?.cidrs ?? [])], ports: [...(s.egress?.ports ?? [])] },
    replicas: s.replicas ?? 1,
    resources: mergeResources(KMCP_SERVER_RESOURCES, s.resources),
    runAsUser: s.runAsUser ?? 1000,
    registerWithKagent: s.registerWithKagent ?? true,
    unauthenticatedAcknowledged: s.unauthenticatedAcknowledged,
  };
}

export function kmcpDefaults(input: EnvironmentInput): KmcpConfig {
  const k = input.kmcp ?? {};
  const c = k.controller ?? {};
  return {
    enabled: k.enabled ?? false,
    controller: {
      install: c.install ?? true,
      namespace: c.namespace ?? 'kmcp-system',
      chartRepoURL: c.chartRepoURL ?? KMCP_CHART_REPO,
      chartVersion: c.chartVersion ?? KMCP_CHART_VERSION,
      replicas: c.replicas ?? 1,
      leaderElection: c.leaderElection ?? true,
      resources: mergeResources(KMCP_CONTROLLER_RESOURCES, c.resources),
    },
    namespace: k.namespace ?? 'mcp-servers',
    servers: (k.servers ?? []).map(kmcpServerDefaults),
  };
}

export function kagentDefaults(input: EnvironmentInput): KagentConfig {
  return {
    enabled: input.kagent?.enabled ?? false,
    agentNamespaces: [...(input.kagent?.agentNamespaces ?? ['kagent'])],
  };
}

function validateServer(list: IssueList, field: string, s: KmcpServerConfig, storageClassSet: boolean): void {
  list.check(isDnsLabel(s.name), `${field}.name`, `${show(s.name)} is not a DNS-1123 label; allowed: lowercase letters, digits and '-', at most 63 characters`);
  if (!['stdio', 'http'].includes(s.transport)) {
    list.add(`${field}.transport`, `${show(s.transport)} is not a kMCP transport; allowed: stdio or http`);
  }
  checkImage(list, `${field}.image`, s.image);
  list.check(typeof s.cmd === 'string' && s.cmd.trim() !== '' && !/\s/.test(s.cmd), `${field}.cmd`,
    `${show(s.cmd)} is not one executable; allowed: a single string such as "npx" (kMCP's cmd is one string), with the rest in args`);
  list.check(isPort(s.port), `${field}.port`, `${show(s.port)} is not a port; allowed: an integer 1-65535`);
  if (s.transport === 'http') {
    const h = s.http;
    if (!h || h.targetPort === undefined || h.path === undefined) {
      list.add(`${field}.http`, 'an http server needs both http.targetPort and http.path (where it serves MCP); allowed: e.g. { targetPort: 3001, path: "/mcp" }');
    } else {
      list.check(isPort(h.targetPort), `${field}.http.targetPort`, `${show(h.targetPort)} is not a port; allowed: an integer 1-65535`);
      list.check(/^\/[A-Za-z0-9._~\/-]*$/.test(h.path), `${field}.http.path`, `${show(h.path)} is not a URL path; allowed: an absolute path such as /mcp`);
      // kMCP's Service targets deployment.port; a server listening elsewhere would never be reached.
      if (isPort(h.targetPort)) {
        list.check(h.targetPort === s.port, `${field}.http.targetPort`,
          `${h.targetPort} differs from port ${s.port}: kMCP's Service sends traffic to port; allowed: the same number in both`);
      }
    }
  } else if (s.http !== undefined) {
    list.add(`${field}.http`, 'applies to transport "http" only: a stdio server is reached through kMCP\'s adapter on port, at /mcp; allowed: remove http, or set transport: "http"');
  }
  for (const [name, value] of Object.entries(s.env)) {
    if (typeof value !== 'string') {
      list.add(`${field}.env.${name}`, `${show(value)} is not a string; allowed: plain strings only (kMCP's env has no valueFrom: use secrets)`);
    } else if (isSecretLookingName(name) && value !== '') {
      list.add(`${field}.env.${name}`, 'looks like a secret but holds a literal value, which would land in git; allowed: put it in a Secret listed in secrets');
    }
  }
  const seen = new Set<string>();
  s.secrets.forEach((secret, i) => {
    list.check(isDnsLabel(secret.name), `${field}.secrets[${i}].name`, `${show(secret.name)} is not a Secret name; allowed: a DNS-1123 label`);
    list.check(!seen.has(secret.name), `${field}.secrets[${i}].name`, `${show(secret.name)} is listed twice; allowed: each Secret once`);
    seen.add(secret.name);
    const keys = Object.keys(secret.keys);
    list.check(keys.length > 0, `${field}.secrets[${i}].keys`, 'is empty; allowed: at least one KEY: description');
    for (const key of keys) {
      list.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(key), `${field}.secrets[${i}].keys.${key}`, 'is not an environment variable name; allowed: letters, digits and _');
      list.check(!(key in s.env), `${field}.secrets[${i}].keys.${key}`, 'is also set in env; allowed: one source per variable');
    }
  });
  if (s.volume) {
    list.check(s.volume.mountPath.startsWith('/'), `${field}.volume.mountPath`, `${show(s.volume.mountPath)} is not absolute; allowed: e.g. /data`);
    checkSize(list, `${field}.volume.size`, s.volume.size);
    list.check(storageClassSet, `${field}.volume`, 'needs storage.className');
    if (s.volume.accessMode === 'ReadWriteOnce') {
      list.check(s.replicas === 1, `${field}.replicas`, `${s.replicas} replicas cannot share a ReadWriteOnce volume; allowed: 1, or volume.accessMode ReadWriteMany`);
    }
  }
  s.clusterRoles.forEach((r, i) => list.check(r === 'view', `${field}.clusterRoles[${i}]`,
    `${show(r)} is not allowed; allowed: view (read-only, no Secrets). Write access for an agent tool is a decision for a reviewed Role, not a config flag`));
  s.egress.cidrs.forEach((c, i) => checkCidr(list, `${field}.egress.cidrs[${i}]`, c));
  s.egress.ports.forEach((p, i) => list.check(isPort(p), `${field}.egress.ports[${i}]`, `${show(p)} is not a port; allowed: an integer 1-65535`));
  list.check((s.egress.cidrs.length === 0) === (s.egress.ports.length === 0), `${field}.egress`,
    'needs both cidrs and ports (or neither); allowed: e.g. { cidrs: ["0.0.0.0/0"], ports: [443] }');
  list.check(isPositiveInteger(s.replicas), `${field}.replicas`, `${show(s.replicas)} is not a positive integer`);
  // kMCP's transport adapter keeps each MCP session in its pod and the controller's Service has no session
  // affinity: with two replicas a session's next request may reach the pod that does not know it.
  if (s.transport === 'stdio') {
    list.check(s.replicas <= 1, `${field}.replicas`, `${show(s.replicas)} replicas of a stdio server lose MCP sessions (each pod's adapter keeps its own; kMCP's Service has no session affinity); allowed: 1`);
  }
  list.check(Number.isInteger(s.runAsUser) && s.runAsUser > 0, `${field}.runAsUser`, `${show(s.runAsUser)} is not allowed; allowed: a non-zero UID (never root)`);
  checkResources(list, `${field}.resources`, s.resources);
}

export function validateKmcp(list: IssueList, env: EnvironmentConfig): void {
  const k = env.kmcp;
  // Servers listed while kMCP is off are refused with the other settings of disabled features (schema/issues.ts).
  if (!k.enabled) return;
  const c = k.controller;
  list.check(isDnsLabel(c.namespace), 'kmcp.controller.namespace', `${show(c.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
  list.check(isDnsLabel(k.namespace), 'kmcp.namespace', `${show(k.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
  list.check(!/^[a-z]+:\/\//.test(c.chartRepoURL), 'kmcp.controller.chartRepoURL',
    `${show(c.chartRepoURL)} has a scheme; allowed: the registry path without oci:// (Argo CD's form), e.g. ${KMCP_CHART_REPO}`);
  list.check(/^\d+\.\d+\.\d+$/.test(c.chartVersion), 'kmcp.controller.chartVersion', `${show(c.chartVersion)} is not a pinned chart version; allowed: e.g. ${KMCP_CHART_VERSION}`);
  list.check(isPositiveInteger(c.replicas), 'kmcp.controller.replicas', `${show(c.replicas)} is not a positive integer`);
  if (c.replicas > 1) list.check(c.leaderElection, 'kmcp.controller.leaderElection', `must be true with ${c.replicas} replicas: two active controllers would fight over every MCPServer`);
  checkResources(list, 'kmcp.controller.resources', c.resources);
  const names = new Set<string>();
  // The namespaces the servers' NetworkPolicy admits (mcp-servers-chart's callers).
  const callers = [...env.network.mcpClientNamespaces, ...(env.kagent.enabled ? env.kagent.agentNamespaces : [])];
  k.servers.forEach((s, i) => {
    const reason = s.unauthenticatedAcknowledged;
    if (callers.length > 0 && (reason === undefined || reason.trim().length < 20)) {
      list.add(`kmcp.servers[${i}].unauthenticatedAcknowledged`, `${reason === undefined ? 'is missing' : `${show(reason)} is not a reason`}: pods of `
        + `${[...new Set(callers)].join(', ')} may call ${show(s.name)}, and kMCP puts no credential in front of it; allowed: a sentence saying why `
        + 'an unauthenticated server is acceptable here (what it can reach), or no caller namespaces');
    }
    validateServer(list, `kmcp.servers[${i}]`, s, env.storage.className.trim() !== '');
    list.check(!names.has(s.name), `kmcp.servers[${i}].name`, `${show(s.name)} is used by another server; allowed: unique names`);
    names.add(s.name);
  });
}

export function validateKagent(list: IssueList, env: EnvironmentConfig): void {
  env.kagent.agentNamespaces.forEach((n, i) => list.check(isDnsLabel(n), `kagent.agentNamespaces[${i}]`, `${show(n)} is not a namespace name; allowed: a DNS-1123 label`));
  if (env.kagent.enabled) list.check(env.kagent.agentNamespaces.length > 0, 'kagent.agentNamespaces', 'is empty; allowed: the namespace(s) your kagent agents run in, e.g. ["kagent"]');
}
