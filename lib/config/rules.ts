/**
 * Small pure predicates used by the config validation. Each returns a boolean or a number so
 * that the messages stay in one place (`resolve.ts`).
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 label (Kubernetes names of namespaces, Services...): <= 63 chars. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** RFC 1123 subdomain (host names, most Kubernetes object names): <= 253 chars, dot-separated labels. */
export function isDnsSubdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every(isDnsLabel);
}

/** A host name users type: a DNS subdomain with at least two labels (`penpot.example.internal`). */
export function isHostName(value: string): boolean {
  return isDnsSubdomain(value) && value.includes('.');
}

export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value >= 1;
}

const PUBLIC_URI = /^(https?):\/\/([^/:?#]+)(?::(\d+))?$/;

/** Parses `http(s)://host[:port]` with nothing after it; undefined when it is not of that form. */
export function parsePublicUri(value: string): { scheme: 'http' | 'https'; host: string; port?: number } | undefined {
  const m = PUBLIC_URI.exec(value);
  if (!m || !isHostName(m[2])) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && !isPort(port)) return undefined;
  return { scheme: m[1] as 'http' | 'https', host: m[2], port };
}

const SUFFIX: Record<string, number> = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};
const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Value of a Kubernetes quantity (`500m`, `2Gi`, `1.5`), or undefined when it is not one. */
export function parseQuantity(value: string): number | undefined {
  const m = QUANTITY.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * SUFFIX[m[2] ?? ''];
}

/** The network address of an IPv4 CIDR (`10.8.0.5/24` -> `10.8.0.0/24`), or undefined when it is not one. */
export function ipv4Network(value: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (!octets.every((o) => o <= 255) || bits > 32) return undefined;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const network = bits === 0 ? 0 : address - (address % 2 ** (32 - bits));
  return `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.')}/${bits}`;
}

/**
 * IPv4 CIDR such as `10.8.0.0/24` (the VPN and LAN ranges this platform is reached from), written
 * as its network address: `10.8.0.5/24` is refused, since whoever wrote it may have meant one host.
 */
export function isIpv4Cidr(value: string): boolean {
  return ipv4Network(value) === value;
}

/** Why a value is not an IPv4 CIDR the platform accepts, for messages; undefined when it is one. */
export function ipv4CidrProblem(value: string): string | undefined {
  const network = ipv4Network(value);
  if (network === undefined) return `${JSON.stringify(value)} is not an IPv4 CIDR; allowed: a.b.c.d/n such as 10.8.0.0/24`;
  if (network !== value) {
    return `${JSON.stringify(value)} has host bits set; allowed: the network ${network}, or ${value.split('/')[0]}/32 for that one address`;
  }
  return undefined;
}

/** Git remote forms Argo CD accepts: https/ssh/git URLs and scp-like `git@host:path`. */
export function isGitRepoUrl(value: string): boolean {
  return /^(https?|ssh|git):\/\/[^\s/]+\/\S+$/.test(value) || /^[\w.-]+@[\w.-]+:\S+$/.test(value);
}

export function isEmailAddress(value: string): boolean {
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value) || /^[^<>]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>$/.test(value);
}
