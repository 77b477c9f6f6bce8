/**
 * `penpot.export`: the headless export MCP server (issue 16). Input schema, resolved type with its
 * documented defaults, defaults and value rules; hooked into the config schema and resolve.ts.
 */
import { z } from 'zod';
import type { ConfigIssue } from '../../config/resolve';
import { isDnsLabel, isIpv4Cidr, parseQuantity } from '../../config/rules';
import { bool, num, resourcesInput, section, str, strings } from '../../config/schema/primitives';
import type { EnvironmentConfig, EnvironmentInput, ResourceSpec } from '../../config/types';
import { parseImageRef, unpinnedReason } from '../../images';

/** Node.js image the bundled server runs on (docker-node 22/alpine3.23: NODE_VERSION 22.21.1; user `node` is UID 1000). */
export const DEFAULT_EXPORT_IMAGE = 'docker.io/library/node:22.21.1-alpine3.23';
export const EXPORT_IMAGE_UID = 1000;

export const penpotExportInput = section({
  enabled: bool().optional(),
  /** Secret (in the Penpot namespace) with PENPOT_EXPORT_EMAIL and PENPOT_EXPORT_PASSWORD of the service account. */
  accountSecretName: str().optional(),
  image: str().optional(),
  replicas: num().optional(),
  clientNamespaces: strings().optional(),
  clientCidrs: strings().optional(),
  smokeTest: bool().optional(),
  resources: resourcesInput().optional(),
});

export interface PenpotExportConfig {
  /** Deploy the export MCP server. @default false */
  readonly enabled: boolean;
  /**
   * Secret in Penpot's namespace holding `PENPOT_EXPORT_EMAIL` and `PENPOT_EXPORT_PASSWORD` of a
   * Penpot account with a password (not OIDC-only), member of the teams whose files agents export.
   * Required when enabled (no default: it names an account the operator created).
   */
  readonly accountSecretName: string;
  /**
   * Image that runs the bundled server (`node /opt/penpot-export/server.js`); override it with an
   * image of your own that provides `node` >= 20 and runs as a non-root user.
   * @default 'docker.io/library/node:22.21.1-alpine3.23' (through images.mirrors)
   */
  readonly image: string;
  /** Stateless: any replica answers any request. @default 1 */
  readonly replicas: number;
  /** Namespaces whose pods may call the server. @default network.mcpClientNamespaces */
  readonly clientNamespaces: readonly string[];
  /** Source CIDRs that may call the server (through a VPN, say). @default [] */
  readonly clientCidrs: readonly string[];
  /** A PostSync Job exports a scratch board as PNG and SVG after every sync. @default false */
  readonly smokeTest: boolean;
  /** @default requests 50m/96Mi, limits 500m/256Mi */
  readonly resources: ResourceSpec;
}

export const EXPORT_DEFAULTS = {
  image: DEFAULT_EXPORT_IMAGE,
  replicas: 1,
  resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
} as const;

export function applyPenpotExportDefaults(input: EnvironmentInput): PenpotExportConfig {
  const e = input.penpot?.export ?? {};
  return {
    enabled: e.enabled ?? false,
    accountSecretName: e.accountSecretName ?? '',
    image: e.image ?? EXPORT_DEFAULTS.image,
    replicas: e.replicas ?? EXPORT_DEFAULTS.replicas,
    clientNamespaces: e.clientNamespaces ?? input.network?.mcpClientNamespaces ?? [],
    clientCidrs: e.clientCidrs ?? [],
    smokeTest: e.smokeTest ?? false,
    resources: {
      requests: { ...EXPORT_DEFAULTS.resources.requests, ...e.resources?.requests },
      limits: { ...EXPORT_DEFAULTS.resources.limits, ...e.resources?.limits },
    },
  };
}

const show = (v: unknown): string => JSON.stringify(v);

/** Adds every problem of `penpot.export` (only when enabled). */
export function validatePenpotExport(env: EnvironmentConfig, issues: ConfigIssue[]): void {
  const x = env.penpot.export;
  if (!x.enabled) return;
  const field = `environments.${env.name}.penpot.export`;
  const add = (name: string, problem: string) => issues.push({ field: `${field}.${name}`, problem });
  if (!env.penpot.enabled) issues.push({ field: `${field}.enabled`, problem: 'is true but penpot.enabled is false; allowed: the export server needs Penpot in the same environment' });
  if (x.accountSecretName === '') {
    add('accountSecretName', 'is missing; allowed: the name of the Secret with PENPOT_EXPORT_EMAIL and PENPOT_EXPORT_PASSWORD of a Penpot service account (`npm run secrets` creates it), e.g. "penpot-export-account"');
  } else if (!isDnsLabel(x.accountSecretName)) {
    add('accountSecretName', `${show(x.accountSecretName)} is not a Secret name; allowed: a DNS-1123 label such as penpot-export-account`);
  }
  const image = parseImageRef(x.image);
  if (typeof image === 'string') add('image', `${show(x.image)} ${image}`);
  else if (unpinnedReason(image)) add('image', `${show(x.image)} ${unpinnedReason(image)}; allowed: a pinned tag or digest`);
  if (!Number.isInteger(x.replicas) || x.replicas < 1 || x.replicas > 10) add('replicas', `${show(x.replicas)} is not allowed; allowed: an integer 1-10`);
  x.clientNamespaces.forEach((n, i) => { if (!isDnsLabel(n)) add(`clientNamespaces[${i}]`, `${show(n)} is not a namespace name; allowed: a DNS-1123 label`); });
  x.clientCidrs.forEach((c, i) => { if (!isIpv4Cidr(c)) add(`clientCidrs[${i}]`, `${show(c)} is not an IPv4 CIDR without host bits; allowed: e.g. 10.8.0.0/24`); });
  for (const kind of ['cpu', 'memory'] as const) {
    const req = parseQuantity(x.resources.requests[kind]);
    const lim = parseQuantity(x.resources.limits[kind]);
    if (req === undefined || req <= 0) add(`resources.requests.${kind}`, `${show(x.resources.requests[kind])} is not a positive quantity`);
    if (lim === undefined || lim <= 0) add(`resources.limits.${kind}`, `${show(x.resources.limits[kind])} is not a positive quantity`);
    if (req !== undefined && lim !== undefined && req > lim) add(`resources.requests.${kind}`, `request ${x.resources.requests[kind]} exceeds limit ${x.resources.limits[kind]}`);
  }
}

/** Referenced from the schema so the input type is inferred (one source of truth for shape). */
export type PenpotExportInput = z.infer<typeof penpotExportInput>;
