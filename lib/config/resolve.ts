import { parseImageRef, unpinnedReason } from '../images';
import { applyClusterDefaults, defaultScheme, ingressControllerDefault, networkDefaults, validateCluster } from './cluster';
import { applyRoutingDefaults, routingOfInput, validateRouting } from '../routing/config';
import { applyKubernetesMcpIdentityDefaults, inputExposedBeyondNamespace, validateKubernetesMcpIdentity } from './kubernetes-mcp-auth';
import { applyKubernetesMcpRbacDefaults, validateKubernetesMcpRbac } from './kubernetes-mcp-rbac';
import { kagentDefaults, kmcpDefaults, validateKagent, validateKmcp } from './kmcp';
import { applyOperationsDefaults, validateOperations } from './operations';
import { applyBackupDefaults, validateBackup } from './backup';
import { applyPenpotExportDefaults, validatePenpotExport } from '../penpot/export/config';
import { applyFrontendEgressDefaults, validateFrontendEgress } from './penpot-frontend-egress';
import {
  isDnsLabel, isDnsSubdomain, isEmailAddress, isGitRepoUrl, isHostName, ipv4CidrProblem, isPort,
  isPositiveInteger, parsePublicUri, parseQuantity,
} from './rules';
import { applySmokeChecksDefaults, validateSmokeChecks } from './smoke';
import { applyLlamaStackDefaults, llamaStackIngressHosts, validateLlamaStack } from './llama-stack';
import { applyMonitoringDefaults, validateMonitoring } from './monitoring';
import { parseEnvironmentInput } from './schema/issues';
import {
  EnvironmentConfig, EnvironmentInput, KUBERNETES_MCP_TOOLSETS, KubernetesMcpConfig, McpExposure, PenpotComponentSizes, ResourceSpec,
} from './types';

/** One invalid value: the config field (dotted path) and what is wrong and allowed. */
export interface ConfigIssue {
  readonly field: string;
  readonly problem: string;
}

/** Thrown before anything is synthesized or written when a config value is invalid. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(ConfigError.describe(issues));
    this.name = 'ConfigError';
  }

  /** The message, with `file:line:column` before each field whose place in the sources is known. */
  static describe(issues: readonly ConfigIssue[], locations: ReadonlyMap<string, string> = new Map()): string {
    return `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}); nothing was written:\n`
      + issues.map((i) => `  - ${locations.has(i.field) ? `${locations.get(i.field)}: ` : ''}${i.field}: ${i.problem}`).join('\n');
  }
}

export const PENPOT_VERSION = '2.17.0';

function resources(cpuReq: string, memReq: string, cpuLim: string, memLim: string): ResourceSpec {
  return { requests: { cpu: cpuReq, memory: memReq }, limits: { cpu: cpuLim, memory: memLim } };
}

/** Sizes for a small team on one node; the exporter is sized for a pool of 2 Chromiums. */
export const DEFAULT_RESOURCES: PenpotComponentSizes = {
  frontend: resources('100m', '128Mi', '1', '512Mi'),
  backend: resources('500m', '1Gi', '2', '2Gi'),
  exporter: resources('250m', '1Gi', '2', '2Gi'),
  postgres: resources('100m', '256Mi', '1', '1Gi'),
  valkey: resources('50m', '64Mi', '500m', '256Mi'),
  init: resources('10m', '16Mi', '200m', '64Mi'),
  mcp: resources('50m', '128Mi', '500m', '512Mi'),
};

export const KUBERNETES_MCP_IMAGE = 'quay.io/containers/kubernetes_mcp_server:v0.0.67';
export const KUBERNETES_MCP_RESOURCES = resources('50m', '64Mi', '500m', '256Mi');

/** Flags with a config field of their own: giving them in extraArgs would declare a value twice. */
export const KUBERNETES_MCP_OWNED_FLAGS = [
  '--port', '--config', '--config-dir', '--read-only', '--disable-destructive', '--toolsets', '--list-output',
  '--log-level', '--stateless', '--kubeconfig', '--bind-address',
];

/** Memory the exporter needs: Node and its queue plus ~512 MiB per Chromium of the pool. */
export function exporterMemoryFloorBytes(poolMax: number): number {
  return 768 * 2 ** 20 + poolMax * 512 * 2 ** 20;
}

/** Valkey runs with `--maxmemory 128mb`; its container needs headroom above that. */
export const VALKEY_MEMORY_FLOOR_BYTES = 192 * 2 ** 20;

/** Applies the documented defaults. Pure: does not validate (see {@link resolveEnvironment}). */
export function applyDefaults(input: EnvironmentInput): EnvironmentConfig {
  const storageClass = input.storage?.className ?? 'local-path';
  const tlsSecretName = input.ingress?.tlsSecretName;
  const cluster = applyClusterDefaults(input);
  const net = networkDefaults(cluster.platform);
  const p = input.penpot ?? {};
  const host = p.host ?? `penpot.${input.domain}`;
  const scheme = p.scheme ?? defaultScheme(cluster.platform, tlsSecretName);
  const r = p.resources ?? {};
  const sizes = (name: keyof PenpotComponentSizes): ResourceSpec => ({
    requests: { ...DEFAULT_RESOURCES[name].requests, ...r[name]?.requests },
    limits: { ...DEFAULT_RESOURCES[name].limits, ...r[name]?.limits },
  });
  return {
    name: input.name,
    description: input.description ?? `Penpot on ${input.domain}`,
    domain: input.domain,
    cluster,
    storage: {
      className: storageClass,
      assetsAccessMode: input.storage?.assetsAccessMode ?? 'ReadWriteOnce',
      assetsSize: input.storage?.assetsSize ?? '10Gi',
      postgresSize: input.storage?.postgresSize ?? '5Gi',
      hostPathBacked: input.storage?.hostPathBacked ?? storageClass === 'local-path',
    },
    images: {
      mirrors: { ...input.images?.mirrors } as Record<string, string>,
      postgres: input.images?.postgres ?? 'docker.io/library/postgres:15',
      valkey: input.images?.valkey ?? 'docker.io/valkey/valkey:8.1',
      pullPolicy: input.images?.pullPolicy ?? 'IfNotPresent',
    },
    ingress: {
      ...applyRoutingDefaults(input),
      tlsSecretName,
      allowedSourceCidrs: [...(input.ingress?.allowedSourceCidrs ?? [])],
    },
    argo: {
      repoURL: input.argo.repoURL,
      targetRevision: input.argo.targetRevision ?? 'main',
      namespace: input.argo.namespace ?? 'argocd',
      project: input.argo.project ?? 'default',
      destinationServer: input.argo.destinationServer ?? 'https://kubernetes.default.svc',
    },
    penpot: {
      enabled: p.enabled ?? true,
      namespace: p.namespace ?? 'penpot',
      host,
      scheme,
      publicUri: p.publicUri ?? `${scheme}://${host}`,
      version: p.version ?? PENPOT_VERSION,
      registration: p.registration ?? true,
      emailVerification: p.emailVerification ?? false,
      airGapped: p.airGapped ?? p.frontendEgress?.mode === 'air-gapped',
      frontendEgress: applyFrontendEgressDefaults(p.frontendEgress, p.airGapped),
      mcp: {
        enabled: p.mcp?.enabled ?? true,
        replicas: p.mcp?.replicas ?? 1,
        host: p.mcp?.host,
        exposure: p.mcp?.exposure ?? { type: 'ClusterIP' },
        logLevel: p.mcp?.logLevel ?? 'info',
        resources: sizes('mcp'),
      },
      telemetry: p.telemetry ?? false,
      extraFlags: [...(p.extraFlags ?? [])],
      objectStorage: p.objectStorage ?? { backend: 'fs' },
      smtp: p.smtp && {
        host: p.smtp.host,
        port: p.smtp.port ?? 587,
        tls: p.smtp.tls ?? true,
        defaultFrom: p.smtp.defaultFrom,
        defaultReplyTo: p.smtp.defaultReplyTo ?? p.smtp.defaultFrom,
        authenticated: p.smtp.authenticated ?? true,
      },
      oidc: p.oidc && {
        baseUri: p.oidc.baseUri,
        name: p.oidc.name ?? 'SSO',
        scopes: p.oidc.scopes ?? 'openid profile email',
      },
      replicas: {
        frontend: p.replicas?.frontend ?? 1,
        backend: p.replicas?.backend ?? 1,
        exporter: p.replicas?.exporter ?? 1,
      },
      exporterBrowserPoolMax: p.exporterBrowserPoolMax ?? 2,
      maxBodySizeBytes: p.maxBodySizeBytes ?? 367001600,
      resources: {
        frontend: sizes('frontend'),
        backend: sizes('backend'),
        exporter: sizes('exporter'),
        postgres: sizes('postgres'),
        valkey: sizes('valkey'),
        init: sizes('init'),
        mcp: sizes('mcp'),
      },
      backup: applyBackupDefaults(input),
      export: applyPenpotExportDefaults(input),
    },
    kubernetesMcp: kubernetesMcpDefaults(input),
    kmcp: kmcpDefaults(input),
    kagent: kagentDefaults(input),
    operations: applyOperationsDefaults(input),
    llamaStack: applyLlamaStackDefaults(input),
    monitoring: applyMonitoringDefaults(input),
    network: {
      ingressController: input.network?.ingressController ?? ingressControllerDefault(routingOfInput(input)) ?? net.ingressController,
      dns: input.network?.dns ?? net.dns,
      apiServer: input.network?.apiServer ?? net.apiServer,
      mcpClientCidrs: [...(input.network?.mcpClientCidrs ?? [])],
      mcpClientNamespaces: [...(input.network?.mcpClientNamespaces ?? [])],
      externalEgressCidrs: [...(input.network?.externalEgressCidrs ?? ['0.0.0.0/0'])],
    },
    smokeChecks: applySmokeChecksDefaults(input),
  };
}

function kubernetesMcpDefaults(input: EnvironmentInput): KubernetesMcpConfig {
  const k = input.kubernetesMcp ?? {};
  return {
    enabled: k.enabled ?? false,
    namespace: k.namespace ?? 'mcp-system',
    image: k.image ?? KUBERNETES_MCP_IMAGE,
    command: [...(k.command ?? ['/app/kubernetes-mcp-server'])],
    extraArgs: [...(k.extraArgs ?? [])],
    port: k.port ?? 8080,
    toolsets: [...(k.toolsets ?? ['core', 'config'])],
    listOutput: k.listOutput ?? 'table',
    disabledTools: [...(k.disabledTools ?? [])],
    logLevel: k.logLevel ?? 2,
    helmReleaseAccess: k.helmReleaseAccess ?? false,
    helmReleaseAccessAcknowledged: k.helmReleaseAccessAcknowledged,
    ...applyKubernetesMcpRbacDefaults(k),
    ...applyKubernetesMcpIdentityDefaults(k, inputExposedBeyondNamespace(input)),
    stateless: k.stateless ?? false,
    replicas: k.replicas ?? 1,
    autoscaling: k.autoscaling && {
      minReplicas: k.autoscaling.minReplicas,
      maxReplicas: k.autoscaling.maxReplicas,
      targetCpuPercent: k.autoscaling.targetCpuPercent ?? 70,
    },
    exposure: k.exposure ?? { type: 'ClusterIP' },
    ingressHost: k.ingressHost,
    resources: {
      requests: { ...KUBERNETES_MCP_RESOURCES.requests, ...k.resources?.requests },
      limits: { ...KUBERNETES_MCP_RESOURCES.limits, ...k.resources?.limits },
    },
  };
}

/** Collects issues under a field prefix, so every message names the full config path. */
export class IssueList {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly prefix: string) {}

  add(field: string, problem: string): void {
    this.issues.push({ field: `${this.prefix}.${field}`, problem });
  }

  check(ok: boolean, field: string, problem: string): void {
    if (!ok) this.add(field, problem);
  }
}

export const show = (v: unknown): string => JSON.stringify(v);

export function checkImage(list: IssueList, field: string, ref: string): void {
  const parsed = parseImageRef(ref);
  if (typeof parsed === 'string') return list.add(field, `${show(ref)} ${parsed}; allowed: [registry/]repository:tag`);
  const reason = unpinnedReason(parsed);
  if (reason) list.add(field, `${show(ref)} ${reason}; allowed: a pinned tag such as postgres:15 or a @sha256 digest`);
}

/** An IPv4 CIDR written as its network address (host bits set are refused, naming the network meant). */
export function checkCidr(list: IssueList, field: string, value: string): void {
  const problem = ipv4CidrProblem(value);
  if (problem) list.add(field, problem);
}

export function checkSize(list: IssueList, field: string, value: string): void {
  const bytes = parseQuantity(value);
  list.check(bytes !== undefined && bytes > 0 && !value.endsWith('m'), field,
    `${show(value)} is not a positive storage size; allowed: a Kubernetes quantity greater than zero such as 10Gi`);
}

export function checkResources(list: IssueList, field: string, spec: ResourceSpec): void {
  for (const kind of ['cpu', 'memory'] as const) {
    const req = parseQuantity(spec.requests[kind]);
    const lim = parseQuantity(spec.limits[kind]);
    list.check(req !== undefined && req > 0, `${field}.requests.${kind}`,
      `${show(spec.requests[kind])} is not a positive quantity; allowed: e.g. ${kind === 'cpu' ? '250m' : '256Mi'}`);
    list.check(lim !== undefined && lim > 0, `${field}.limits.${kind}`,
      `${show(spec.limits[kind])} is not a positive quantity; allowed: e.g. ${kind === 'cpu' ? '1' : '1Gi'}`);
    if (req !== undefined && lim !== undefined && req > lim) {
      list.add(`${field}.requests.${kind}`, `request ${spec.requests[kind]} exceeds limit ${spec.limits[kind]}; allowed: request <= limit`);
    }
  }
}

/** Every problem of one resolved environment (empty when valid). */
export function validateEnvironment(env: EnvironmentConfig): ConfigIssue[] {
  const list = new IssueList(`environments.${env.name}`);
  const { storage, images, ingress, argo } = env;

  if (!isDnsLabel(env.name)) {
    list.add('name', `${show(env.name)} is not a DNS-1123 label; allowed: lowercase letters, digits and '-', at most 63 characters`);
  }
  list.check(isHostName(env.domain), 'domain', `${show(env.domain)} is not a DNS name; allowed: a lowercase domain such as example.internal`);

  list.check(storage.className.trim() !== '' && isDnsSubdomain(storage.className), 'storage.className',
    `${show(storage.className)} is not a StorageClass name; allowed: a non-empty DNS-1123 name such as local-path`);
  checkSize(list, 'storage.assetsSize', storage.assetsSize);
  checkSize(list, 'storage.postgresSize', storage.postgresSize);
  list.check(['ReadWriteOnce', 'ReadWriteMany'].includes(storage.assetsAccessMode), 'storage.assetsAccessMode',
    `${show(storage.assetsAccessMode)} is not supported; allowed: ReadWriteOnce or ReadWriteMany`);

  checkImage(list, 'images.postgres', images.postgres);
  checkImage(list, 'images.valkey', images.valkey);
  for (const [registry, prefix] of Object.entries(images.mirrors)) {
    list.check(isDnsSubdomain(registry.split(':')[0]), `images.mirrors[${show(registry)}]`,
      `${show(registry)} is not a registry host; allowed: a host such as docker.io or quay.io`);
    list.check(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(prefix), `images.mirrors[${show(registry)}]`,
      `${show(prefix)} is not a mirror prefix; allowed: host[:port][/project] without scheme or trailing slash`);
  }
  list.check(['IfNotPresent', 'Always'].includes(images.pullPolicy), 'images.pullPolicy',
    `${show(images.pullPolicy)} is not allowed; allowed: IfNotPresent or Always`);

  list.check(isDnsSubdomain(ingress.className), 'ingress.className',
    `${show(ingress.className)} is not an IngressClass name; allowed: a DNS-1123 name such as nginx`);
  if (ingress.tlsSecretName !== undefined) {
    list.check(isDnsSubdomain(ingress.tlsSecretName), 'ingress.tlsSecretName',
      `${show(ingress.tlsSecretName)} is not a Secret name; allowed: a DNS-1123 name`);
  }
  ingress.allowedSourceCidrs.forEach((cidr, i) => checkCidr(list, `ingress.allowedSourceCidrs[${i}]`, cidr));

  list.check(isGitRepoUrl(argo.repoURL), 'argo.repoURL',
    `${show(argo.repoURL)} is not a Git URL; allowed: https://host/path.git, ssh://... or git@host:path`);
  list.check(argo.targetRevision.trim() !== '' && !/\s/.test(argo.targetRevision), 'argo.targetRevision',
    `${show(argo.targetRevision)} is not a revision; allowed: a branch, tag or commit without spaces`);
  list.check(isDnsLabel(argo.namespace), 'argo.namespace', `${show(argo.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
  list.check(isDnsSubdomain(argo.project), 'argo.project', `${show(argo.project)} is not an AppProject name; allowed: a DNS-1123 name`);
  list.check(/^https:\/\/[^\s/]+$/.test(argo.destinationServer), 'argo.destinationServer',
    `${show(argo.destinationServer)} is not an API server URL; allowed: https://host[:port]`);

  if (env.penpot.enabled) validatePenpot(list, env);
  if (env.penpot.enabled) validateBackup(env, list.issues);
  validatePenpotExport(env, list.issues);
  if (env.kubernetesMcp.enabled) validateKubernetesMcp(list, env.kubernetesMcp);
  validateKmcp(list, env);
  validateKagent(list, env);
  validateNetwork(list, env);
  validateSmokeChecks(env, list.issues);
  validateLlamaStack(list, env);
  validateMonitoring(list, env);
  if (!env.penpot.enabled && !env.kubernetesMcp.enabled && !env.kmcp.enabled) {
    list.add('penpot.enabled', 'nothing to deploy; allowed: enable penpot, kubernetesMcp, kmcp or several');
  }
  validateOperations(env, list.issues);
  return [...list.issues, ...validateCluster(env), ...validateRouting(env), ...validateKubernetesMcpRbac(env), ...validateKubernetesMcpIdentity(env)];
}

function validatePenpot(list: IssueList, env: EnvironmentConfig): void {
  const p = env.penpot;
  list.check(isDnsLabel(p.namespace), 'penpot.namespace', `${show(p.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
  list.check(isHostName(p.host), 'penpot.host',
    `${show(p.host)} is not a DNS name; allowed: a lowercase host name such as penpot.example.internal`);
  list.check(['http', 'https'].includes(p.scheme), 'penpot.scheme', `${show(p.scheme)} is not allowed; allowed: http or https`);
  const uri = parsePublicUri(p.publicUri);
  if (!uri) {
    const why = !/^https?:\/\//.test(p.publicUri) ? 'has no http:// or https:// scheme'
      : p.publicUri.endsWith('/') ? 'ends with a slash' : 'is not scheme://host[:port]';
    list.add('penpot.publicUri', `${show(p.publicUri)} ${why}; allowed: exactly what users type, e.g. https://penpot.example.internal (no path, no trailing slash)`);
  }
  list.check(/^\d+\.\d+\.\d+$/.test(p.version), 'penpot.version',
    `${show(p.version)} is not a pinned release; allowed: a version such as ${PENPOT_VERSION} (never latest)`);
  validateFrontendEgress(p.frontendEgress, p.airGapped, (f, why) => list.add(`penpot.${f}`, why), (f, v) => checkCidr(list, `penpot.${f}`, v));
  p.extraFlags.forEach((flag, i) => list.check(/^(enable|disable)-[a-z0-9-]+$/.test(flag), `penpot.extraFlags[${i}]`,
    `${show(flag)} is not a Penpot flag; allowed: enable-<name> or disable-<name>`));
  if (p.emailVerification && !p.smtp) {
    list.add('penpot.emailVerification', 'needs penpot.smtp: verification mails cannot be sent without SMTP; allowed: false, or configure smtp');
  }

  if (p.objectStorage.backend === 's3') {
    const s3 = p.objectStorage;
    list.check(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s3.bucket), 'penpot.objectStorage.bucket',
      `${show(s3.bucket)} is not a bucket name; allowed: 3-63 lowercase letters, digits, '.' or '-'`);
    list.check(s3.region.trim() !== '', 'penpot.objectStorage.region', 'is empty; allowed: the S3 region, e.g. us-east-1');
    if (s3.endpoint !== undefined) {
      list.check(/^https?:\/\/[^\s/]+$/.test(s3.endpoint), 'penpot.objectStorage.endpoint',
        `${show(s3.endpoint)} is not an endpoint; allowed: http(s)://host[:port]`);
    }
  } else if (p.objectStorage.backend !== 'fs') {
    list.add('penpot.objectStorage.backend', `${show((p.objectStorage as { backend: unknown }).backend)} is not supported; allowed: fs or s3`);
  }

  if (p.smtp) {
    list.check(isDnsSubdomain(p.smtp.host), 'penpot.smtp.host', `${show(p.smtp.host)} is not a DNS name; allowed: e.g. smtp.example.internal`);
    list.check(isPort(p.smtp.port), 'penpot.smtp.port', `${show(p.smtp.port)} is out of range; allowed: an integer 1-65535`);
    list.check(isEmailAddress(p.smtp.defaultFrom), 'penpot.smtp.defaultFrom', `${show(p.smtp.defaultFrom)} is not an e-mail address`);
    list.check(isEmailAddress(p.smtp.defaultReplyTo), 'penpot.smtp.defaultReplyTo', `${show(p.smtp.defaultReplyTo)} is not an e-mail address`);
  }
  if (p.oidc) {
    list.check(/^https?:\/\/[^\s/]+(\/\S*)?$/.test(p.oidc.baseUri) && !p.oidc.baseUri.endsWith('/'), 'penpot.oidc.baseUri',
      `${show(p.oidc.baseUri)} is not an issuer URL; allowed: https://host/path without trailing slash`);
  }

  for (const [name, n] of Object.entries(p.replicas)) {
    list.check(isPositiveInteger(n), `penpot.replicas.${name}`, `${show(n)} is not allowed; allowed: an integer >= 1`);
  }
  const sharedVolume = p.objectStorage.backend === 'fs' && env.storage.assetsAccessMode === 'ReadWriteOnce';
  if (sharedVolume) {
    for (const name of ['frontend', 'backend'] as const) {
      list.check(p.replicas[name] <= 1, `penpot.replicas.${name}`,
        `${p.replicas[name]} replicas need the assets volume on every node; allowed: 1 with a ReadWriteOnce class, `
        + 'or set storage.assetsAccessMode to ReadWriteMany or penpot.objectStorage to s3');
    }
  }
  list.check(Number.isInteger(p.exporterBrowserPoolMax) && p.exporterBrowserPoolMax >= 1 && p.exporterBrowserPoolMax <= 10,
    'penpot.exporterBrowserPoolMax', `${show(p.exporterBrowserPoolMax)} is not allowed; allowed: an integer 1-10`);
  list.check(isPositiveInteger(p.maxBodySizeBytes), 'penpot.maxBodySizeBytes',
    `${show(p.maxBodySizeBytes)} is not allowed; allowed: a positive number of bytes`);

  for (const [name, spec] of Object.entries(p.resources)) checkResources(list, `penpot.resources.${name}`, spec);
  const exporterLimit = parseQuantity(p.resources.exporter.limits.memory);
  const floor = exporterMemoryFloorBytes(p.exporterBrowserPoolMax);
  if (exporterLimit !== undefined && Number.isInteger(p.exporterBrowserPoolMax) && exporterLimit < floor) {
    list.add('penpot.resources.exporter.limits.memory',
      `${p.resources.exporter.limits.memory} is too little for ${p.exporterBrowserPoolMax} Chromium(s) (Chromium is OOM-killed); `
      + `allowed: at least ${floor / 2 ** 20}Mi (768Mi + 512Mi per browser), or lower penpot.exporterBrowserPoolMax`);
  }
  const mcp = p.mcp;
  list.check(isPositiveInteger(mcp.replicas), 'penpot.mcp.replicas', `${show(mcp.replicas)} is not allowed; allowed: an integer >= 1`);
  if (mcp.host !== undefined) {
    list.check(isHostName(mcp.host), 'penpot.mcp.host', `${show(mcp.host)} is not a DNS name; allowed: a host name such as penpot-mcp.example.internal`);
    list.check(mcp.enabled, 'penpot.mcp.host', 'is set but penpot.mcp.enabled is false; allowed: enable the MCP server or remove the host');
  }
  checkExposure(list, 'penpot.mcp.exposure', mcp.exposure);
  list.check(['error', 'warn', 'info', 'debug'].includes(mcp.logLevel), 'penpot.mcp.logLevel',
    `${show(mcp.logLevel)} is not allowed; allowed: error, warn, info or debug`);
  const valkeyLimit = parseQuantity(p.resources.valkey.limits.memory);
  if (valkeyLimit !== undefined && valkeyLimit < VALKEY_MEMORY_FLOOR_BYTES) {
    list.add('penpot.resources.valkey.limits.memory',
      `${p.resources.valkey.limits.memory} is below Valkey's 128mb maxmemory plus overhead; allowed: at least 192Mi`);
  }
}

function validateNetwork(list: IssueList, env: EnvironmentConfig): void {
  const n = env.network;
  for (const key of ['ingressController', 'dns'] as const) {
    const location = n[key];
    // A namespace group (OpenShift's router) is validated with the platform (cluster.ts).
    if (!('namespace' in location)) continue;
    list.check(isDnsLabel(location.namespace), `network.${key}.namespace`, `${show(location.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
    list.check(Object.keys(location.podLabels).length > 0, `network.${key}.podLabels`, 'is empty; allowed: the labels of those pods, e.g. { "k8s-app": "kube-dns" }');
  }
  const cidrLists = { 'network.apiServer.cidrs': n.apiServer.cidrs, 'network.mcpClientCidrs': n.mcpClientCidrs, 'network.externalEgressCidrs': n.externalEgressCidrs };
  for (const [field, cidrs] of Object.entries(cidrLists)) {
    cidrs.forEach((c, i) => checkCidr(list, `${field}[${i}]`, c));
  }
  n.apiServer.ports.forEach((p, i) => list.check(isPort(p), `network.apiServer.ports[${i}]`, `${show(p)} is out of range; allowed: an integer 1-65535`));
  n.mcpClientNamespaces.forEach((ns, i) => list.check(isDnsLabel(ns), `network.mcpClientNamespaces[${i}]`, `${show(ns)} is not a namespace name`));
  const nodePortServers = fixedOrAllocatedNodePorts(env);
  if (nodePortServers.length > 0 && n.mcpClientCidrs.length === 0) {
    list.add('network.mcpClientCidrs', `is empty but ${nodePortServers.join(' and ')} use a NodePort: the default-deny policy would drop every client; `
      + 'allowed: the client range, e.g. your VPN peers 10.8.0.0/24 (0.0.0.0/0 opens it to every address that reaches the node)');
  }
}

function fixedOrAllocatedNodePorts(env: EnvironmentConfig): string[] {
  const out: string[] = [];
  if (env.penpot.enabled && env.penpot.mcp.enabled && env.penpot.mcp.exposure.type === 'NodePort') out.push('penpot.mcp.exposure');
  if (env.kubernetesMcp.enabled && env.kubernetesMcp.exposure.type === 'NodePort') out.push('kubernetesMcp.exposure');
  return out;
}

function checkExposure(list: IssueList, field: string, exposure: McpExposure): void {
  if (exposure.type === 'NodePort' && exposure.nodePort !== undefined) {
    const n = exposure.nodePort;
    list.check(Number.isInteger(n) && n >= 30000 && n <= 32767, `${field}.nodePort`,
      `${show(n)} is outside the NodePort range; allowed: an integer 30000-32767, or omit it to let the cluster pick`);
  } else if (!['ClusterIP', 'NodePort'].includes(exposure.type)) {
    list.add(`${field}.type`, `${show((exposure as { type: unknown }).type)} is not allowed; allowed: ClusterIP or NodePort`);
  }
}

function validateKubernetesMcp(list: IssueList, k: KubernetesMcpConfig): void {
  list.check(isDnsLabel(k.namespace), 'kubernetesMcp.namespace', `${show(k.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
  checkImage(list, 'kubernetesMcp.image', k.image);
  list.check(k.command.length > 0 && k.command[0].startsWith('/') && !k.command.slice(1).some((a) => a.startsWith('--port')),
    'kubernetesMcp.command', `${show(k.command)} is not allowed; allowed: the absolute path of the server binary (no --port: the port lives in the TOML file)`);
  // The image runs as UID 65532 without capabilities: it cannot bind a privileged port.
  list.check(Number.isInteger(k.port) && k.port >= 1024 && k.port <= 65535, 'kubernetesMcp.port',
    `${show(k.port)} is out of range; allowed: an integer 1024-65535 (the server runs unprivileged)`);
  k.toolsets.forEach((t, i) => list.check((KUBERNETES_MCP_TOOLSETS as readonly string[]).includes(t), `kubernetesMcp.toolsets[${i}]`,
    `${show(t)} is not a toolset of kubernetes-mcp-server 0.0.67; allowed: ${KUBERNETES_MCP_TOOLSETS.join(', ')}`));
  if (k.toolsets.includes('helm') && !k.helmReleaseAccess) {
    list.add('kubernetesMcp.toolsets', 'the helm toolset reads releases from Secrets; allowed: set kubernetesMcp.helmReleaseAccess: true '
      + '(grants cluster-wide Secret listing, a documented risk) or drop helm');
  }
  list.check(['table', 'yaml'].includes(k.listOutput), 'kubernetesMcp.listOutput', `${show(k.listOutput)} is not allowed; allowed: table or yaml`);
  list.check(Number.isInteger(k.logLevel) && k.logLevel >= 0 && k.logLevel <= 9, 'kubernetesMcp.logLevel',
    `${show(k.logLevel)} is not allowed; allowed: an integer 0-9`);
  k.disabledTools.forEach((t, i) => list.check(/^[a-z0-9_]+$/.test(t), `kubernetesMcp.disabledTools[${i}]`,
    `${show(t)} is not a tool name; allowed: lowercase letters, digits and '_'`));
  k.extraArgs.forEach((arg, i) => {
    const flag = arg.split('=')[0];
    if (KUBERNETES_MCP_OWNED_FLAGS.includes(flag)) {
      list.add(`kubernetesMcp.extraArgs[${i}]`, `${show(arg)} is set through its own config field (declaring it twice is how the server `
        + `ended up on another port than its probes); allowed: any flag but ${KUBERNETES_MCP_OWNED_FLAGS.join(', ')}`);
    }
  });
  list.check(isPositiveInteger(k.replicas), 'kubernetesMcp.replicas', `${show(k.replicas)} is not allowed; allowed: an integer >= 1`);
  if (k.replicas > 1 && !k.stateless) {
    list.add('kubernetesMcp.replicas', `${k.replicas} replicas need kubernetesMcp.stateless: true (sessions live in one pod); allowed: 1, or enable stateless`);
  }
  if (k.autoscaling) {
    const a = k.autoscaling;
    list.check(k.stateless, 'kubernetesMcp.autoscaling', 'needs kubernetesMcp.stateless: true (sessions live in one pod); allowed: enable stateless or remove autoscaling');
    list.check(isPositiveInteger(a.minReplicas) && isPositiveInteger(a.maxReplicas) && a.minReplicas <= a.maxReplicas,
      'kubernetesMcp.autoscaling', `${a.minReplicas}-${a.maxReplicas} replicas is not allowed; allowed: 1 <= minReplicas <= maxReplicas`);
    list.check(Number.isInteger(a.targetCpuPercent) && a.targetCpuPercent >= 10 && a.targetCpuPercent <= 100,
      'kubernetesMcp.autoscaling.targetCpuPercent', `${show(a.targetCpuPercent)} is not allowed; allowed: an integer 10-100`);
  }
  checkExposure(list, 'kubernetesMcp.exposure', k.exposure);
  if (k.ingressHost !== undefined) {
    list.check(isHostName(k.ingressHost), 'kubernetesMcp.ingressHost', `${show(k.ingressHost)} is not a DNS name; allowed: a host name`);
  }
  checkResources(list, 'kubernetesMcp.resources', k.resources);
}

/** The host names an environment serves through its ingress, with the field each comes from. */
export function ingressHosts(env: EnvironmentConfig): { field: string; host: string }[] {
  const hosts: { field: string; host: string }[] = [];
  if (env.penpot.enabled) {
    hosts.push({ field: 'penpot.host', host: env.penpot.host });
    if (env.penpot.mcp.enabled && env.penpot.mcp.host) hosts.push({ field: 'penpot.mcp.host', host: env.penpot.mcp.host });
  }
  if (env.kubernetesMcp.enabled && env.kubernetesMcp.ingressHost) {
    hosts.push({ field: 'kubernetesMcp.ingressHost', host: env.kubernetesMcp.ingressHost });
  }
  hosts.push(...llamaStackIngressHosts(env));
  return hosts;
}

/** Fixed NodePorts of an environment (one cluster): each may be claimed once. */
export function fixedNodePorts(env: EnvironmentConfig): { field: string; port: number }[] {
  const candidates: { field: string; enabled: boolean; exposure: McpExposure }[] = [
    { field: 'penpot.mcp.exposure.nodePort', enabled: env.penpot.enabled && env.penpot.mcp.enabled, exposure: env.penpot.mcp.exposure },
    { field: 'kubernetesMcp.exposure.nodePort', enabled: env.kubernetesMcp.enabled, exposure: env.kubernetesMcp.exposure },
  ];
  return candidates.flatMap((c) => (c.enabled && c.exposure.type === 'NodePort' && c.exposure.nodePort !== undefined
    ? [{ field: c.field, port: c.exposure.nodePort }] : []));
}

/**
 * Resolves and validates every environment. Throws one {@link ConfigError} listing all problems
 * (not only the first) so a user fixes the config in one round.
 */
export function resolveEnvironments(inputs: readonly EnvironmentInput[]): EnvironmentConfig[] {
  // Shape first (unknown keys, wrong types, settings under a disabled feature): the value rules
  // below may assume the types, so an environment with a wrong shape goes no further.
  const parsed = inputs.map((raw, i) => parseEnvironmentInput(raw, i));
  const envs = parsed.flatMap((p) => (p.input ? [applyDefaults(p.input)] : []));
  const issues = [...parsed.flatMap((p) => p.issues), ...envs.flatMap(validateEnvironment)];
  const seenNames = new Set<string>();
  // Host names are global: two routes (or two environments) on one name would fight over its DNS record.
  const seenHosts = new Map<string, string>();
  for (const env of envs) {
    if (seenNames.has(env.name)) issues.push({ field: `environments.${env.name}.name`, problem: 'is used by two environments; allowed: unique names' });
    seenNames.add(env.name);
    for (const { field, host } of ingressHosts(env)) {
      const path = `environments.${env.name}.${field}`;
      const other = seenHosts.get(host);
      if (other) issues.push({ field: path, problem: `${show(host)} is already used by ${other}; allowed: each host name once across all environments` });
      else seenHosts.set(host, path);
    }
    const seenPorts = new Map<number, string>();
    for (const { field, port } of fixedNodePorts(env)) {
      const path = `environments.${env.name}.${field}`;
      const other = seenPorts.get(port);
      if (other) issues.push({ field: path, problem: `NodePort ${port} is already used by ${other}; allowed: each NodePort once per cluster` });
      else seenPorts.set(port, path);
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return envs;
}

/** Picks the environments named on the command line; an unknown name is a config error. */
export function selectEnvironments(envs: readonly EnvironmentConfig[], names: readonly string[]): EnvironmentConfig[] {
  if (names.length === 0) return [...envs];
  const known = envs.map((e) => e.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((n) => ({ field: '--env', problem: `${show(n)} is not an environment; allowed: ${known.join(', ')}` })));
  }
  return envs.filter((e) => names.includes(e.name));
}
