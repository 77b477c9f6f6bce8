/**
 * Calls images make on their own, outside the cluster, and whether the default-deny egress
 * policies let them through. Our NetworkPolicies are written from the platform's wiring; these
 * calls are not wiring (nothing of ours asks for them) but the images block or degrade without
 * them, so they are modelled from upstream source:
 * - penpotapp/frontend (2.17): unless `PENPOT_FLAGS` has `enable-air-gapped-conf`, its nginx proxies
 *   `/internal/gfonts/*` to fonts.googleapis.com / fonts.gstatic.com and `/github/penpot-files/*` to
 *   raw.githubusercontent.com over HTTPS (penpot docker/images/files/nginx-external-locations.conf;
 *   nginx-entrypoint.sh removes that file for the air-gapped flag). Blocked, each request waits for
 *   the 300 s proxy timeout and the exporter renders with fallback fonts (upstream.md section 7).
 * - penpotapp/backend with `PENPOT_TELEMETRY_ENABLED=true`: reports to Penpot's telemetry service over HTTPS.
 * - kMCP MCPServers whose `cmd` is a package runner (`npx -y`, `uvx`, ...): download the server's
 *   package from its registry over HTTPS at every start (the pod keeps no package cache).
 * The pod must be allowed TCP 443 to some public address (the hosts' addresses change; narrowing
 * to their published ranges is the environment's choice, anything that keeps a public address passes).
 */
import { parseImageRef } from '../images';
import { PACKAGE_RUNNERS } from '../smoke-budget';
import { isMcpServer, kmcpWorkloadOf } from './kmcp-workloads';
import { asArray, asRecord, asString, containersOf, Finding, findingAt, ManifestObject, podSpecOf } from './model';
import { cidrContains, PodTemplate, podTemplates, selectingPolicies } from './network-eval';

export const EGRESS_CHECKS = { imageCalls: 'upstream/image-outbound-calls' } as const;

export const PENPOT_EXTERNAL_HOSTS = ['fonts.googleapis.com', 'fonts.gstatic.com', 'raw.githubusercontent.com'] as const;
export const AIR_GAPPED_FLAG = 'enable-air-gapped-conf';

/** One call a workload's image makes by itself to something outside the cluster. */
export interface OutboundCall {
  readonly what: string;
  /** Host names, or a description when the host depends on the package's registry. */
  readonly to: string;
  readonly port: number;
  /** What happens when it is blocked. */
  readonly blocked: string;
  /** How to avoid the call instead of allowing it, when there is a way. */
  readonly avoid?: string;
}

function repositoryOf(image: unknown): string {
  const ref = typeof image === 'string' ? parseImageRef(image) : undefined;
  return ref && typeof ref !== 'string' ? ref.repository : '';
}

function literalEnv(container: Record<string, any>, name: string): string | undefined {
  return asString(asArray(container.env).find((e) => e?.name === name)?.value);
}

/** The outbound calls of one workload object (a workload, or an MCPServer: its controller-made pod). */
export function outboundCallsOf(doc: any): OutboundCall[] {
  if (isMcpServer(doc)) {
    const d = asRecord(asRecord(doc.spec).deployment);
    const cmd = (asString(d.cmd) ?? '').split('/').pop() ?? '';
    if (!PACKAGE_RUNNERS.includes(cmd)) return [];
    return [{ what: `\`${cmd}\` downloads the server's package at every start`, to: `the package registry ${cmd} uses`, port: 443,
      blocked: 'the pod never starts serving' , avoid: 'an image with the package installed, run without a package runner' }];
  }
  const calls: OutboundCall[] = [];
  for (const c of containersOf(podSpecOf(doc))) {
    const repository = repositoryOf(c.image);
    if (repository.endsWith('penpotapp/frontend')) {
      const flags = (literalEnv(c, 'PENPOT_FLAGS') ?? '').split(/\s+/);
      if (!flags.includes(AIR_GAPPED_FLAG)) {
        calls.push({ what: 'nginx proxies fonts and dashboard templates', to: PENPOT_EXTERNAL_HOSTS.join(', '), port: 443,
          blocked: 'each request hangs for the 300 s proxy timeout; the exporter renders with fallback fonts', avoid: `the flag ${AIR_GAPPED_FLAG}` });
      }
    }
    if (repository.endsWith('penpotapp/backend') && literalEnv(c, 'PENPOT_TELEMETRY_ENABLED') === 'true') {
      calls.push({ what: 'the backend reports telemetry', to: "Penpot's telemetry service", port: 443, blocked: 'telemetry is lost (logged errors)', avoid: 'telemetry off' });
    }
  }
  return calls;
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '0.0.0.0/8'];

/** Whether an ipBlock holds at least one public address (checked at its range's bounds and a few probes). */
function holdsPublicAddress(block: any): boolean {
  const cidr = asString(block?.cidr);
  if (!cidr || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cidr)) return false;
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const start = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(start / size) * size;
  const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  const probes = [0, 1, Math.floor(size / 4), Math.floor(size / 2), Math.floor((3 * size) / 4), size - 1].map((o) => toIp(first + Math.min(o, size - 1)));
  const excepted = (ip: string) => asArray(block.except).some((e) => typeof e === 'string' && cidrContains(e, ip));
  return probes.some((ip) => !PRIVATE_RANGES.some((r) => cidrContains(r, ip)) && !excepted(ip));
}

/** Whether the pod's egress policies allow TCP `port` to some public address. */
export function allowsPublicEgress(objects: readonly ManifestObject[], pod: PodTemplate, port: number): boolean {
  const policies = selectingPolicies(objects, pod, 'Egress');
  if (policies.length === 0) return true;
  return policies.some((p) => asArray(p.spec?.egress).some((rule: any) => {
    const ports = asArray(rule.ports);
    const portOk = ports.length === 0 || ports.some((x: any) => (x.protocol ?? 'TCP') === 'TCP' && (x.port === undefined || x.port === port
      || (typeof x.port === 'number' && typeof x.endPort === 'number' && port >= x.port && port <= x.endPort)));
    const peers = asArray(rule.to);
    return portOk && (peers.length === 0 || peers.some((peer: any) => peer.ipBlock && holdsPublicAddress(peer.ipBlock)));
  }));
}

/** Every modelled outbound call of every workload that its egress policies block. */
export function checkImageEgress(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of objects) {
    const calls = outboundCallsOf(m.doc);
    if (calls.length === 0) continue;
    const workload = isMcpServer(m.doc) ? kmcpWorkloadOf(m) : m;
    const [pod] = podTemplates([workload]);
    if (!pod) continue;
    for (const call of calls.filter((c) => !allowsPublicEgress(objects, pod, c.port))) {
      findings.push(findingAt(EGRESS_CHECKS.imageCalls, m, `its image makes a call of its own: ${call.what} (${call.to}, TCP ${call.port}), `
        + `but the egress NetworkPolicies of its pods allow no public address on ${call.port}: ${call.blocked}. `
        + `Allow that egress${call.avoid ? ` or use ${call.avoid}` : ''}`));
    }
  }
  return findings;
}
