/**
 * Runs the REAL kubernetes-mcp-server binary (npm `kubernetes-mcp-server-linux-amd64`, same Go binary as the
 * v0.0.67 image) with exactly the arguments and mounted ConfigMap files a synthesized Deployment gives it.
 *
 * Facts this harness relies on (checked against v0.0.67 by running the binary):
 * - HTTP mode starts when a port is set, by `--port` or by the TOML key `port`; the TOML value must be a
 *   STRING (`port = "8686"`): an integer (`port = 8686`) makes the binary exit 1 ("incompatible types").
 * - An explicit `--port` flag wins over the TOML `port`.
 * - With no SA token on disk, `KUBERNETES_SERVICE_HOST` alone does not switch to in-cluster mode, but this
 *   harness removes `KUBERNETES_*` anyway so a test run inside a pod never talks to the real cluster;
 *   the cluster comes from `KUBECONFIG` (auto-detection, i.e. no `--cluster-provider`).
 * - An unreachable API server (https://127.0.0.1:1) is fine: the server starts, `/healthz` answers 200 and
 *   `tools/list` works; only tool calls fail.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const UNREACHABLE_API_SERVER = 'https://127.0.0.1:1';
const LOOPBACK = '127.0.0.1';

export interface StartOptions {
  deployment: any;
  configMaps: any[];
  /** Defaults to the only container, else the one named `kubernetes-mcp-server`. */
  containerName?: string;
  /** Rewrites the declared containerPort value (TOML top-level `port` line, `--port` arg) to this port. */
  portOverride?: number;
  /** Bound for the wait on the port (default 15 s). */
  waitMs?: number;
  /** API server URL written into the kubeconfig; loopback only (default https://127.0.0.1:1, unreachable). */
  kubeApiServer?: string;
  /**
   * Variables added to the pod's environment, reported in `notes` (e.g. `SSL_CERT_FILE` standing for an
   * image trust store that holds an internal issuer's CA). @default {}
   */
  extraEnv?: Record<string, string>;
}

/** The bearer token the harness kubeconfig gives the server as its own identity. */
export const SERVER_OWN_TOKEN = 'not-a-real-token';

export interface RunningServer {
  /** The port waited on: the declared containerPort, or portOverride. */
  port: number;
  pid: number;
  url(p?: string): string;
  stop(): Promise<void>;
  stdout(): string;
  stderr(): string;
  /** Exactly the arguments the binary got (manifest args, ConfigMap paths mapped to the temp dir). */
  args: string[];
  /** Where the TOML's `metrics_port` was moved to (a free port), when it has one. */
  metricsPort?: number;
  /** Everything the harness changed or assumed relative to the manifest. */
  notes: string[];
}

/** Path of the real binary, made executable if the npm install lost the mode bit. */
export function serverBinary(notes: string[] = []): string {
  const dir = path.dirname(require.resolve('kubernetes-mcp-server-linux-amd64/package.json'));
  const bin = path.join(dir, 'bin', 'kubernetes-mcp-server-linux-amd64');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    fs.chmodSync(bin, 0o755);
    notes.push(`chmod 755 ${bin} (was not executable)`);
  }
  return bin;
}

/** A TCP port free on the loopback address right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== LOOPBACK && host !== 'localhost' && host !== '[::1]') throw new Error(`kubeApiServer must be a loopback URL, got ${url}`);
}

function kubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: test',
    '  cluster:',
    `    server: ${server}`,
    ...(server.startsWith('https:') ? ['    insecure-skip-tls-verify: true'] : []),
    'users:',
    '- name: test',
    '  user:',
    `    token: ${SERVER_OWN_TOKEN}`,
    'contexts:',
    '- name: test',
    '  context:',
    '    cluster: test',
    '    user: test',
    '    namespace: default',
    'current-context: test',
    '',
  ].join('\n');
}

function pickContainer(deployment: any, name?: string): any {
  const containers: any[] = deployment?.spec?.template?.spec?.containers ?? [];
  const wanted = name ?? (containers.length === 1 ? containers[0].name : 'kubernetes-mcp-server');
  const c = containers.find((x) => x.name === wanted);
  if (!c) throw new Error(`no container "${wanted}" in Deployment ${deployment?.metadata?.name}: ${containers.map((x) => x.name).join(', ')}`);
  return c;
}

function declaredPort(c: any): number {
  const ports: any[] = c.ports ?? [];
  const p = ports.length === 1 ? ports[0] : ports.find((x) => x.name === 'http');
  if (!p) throw new Error(`container ${c.name} declares ${ports.length} ports and none is named "http"`);
  return Number(p.containerPort);
}

interface Mount { mountPath: string; hostPath: string; source: string }

/** Writes every ConfigMap mounted into the container to `root`; returns mountPath -> temp path. */
function materializeConfigMaps(podSpec: any, c: any, configMaps: any[], root: string, notes: string[]): Mount[] {
  const mounts: Mount[] = [];
  for (const vm of c.volumeMounts ?? []) {
    const vol = (podSpec.volumes ?? []).find((v: any) => v.name === vm.name);
    if (!vol) throw new Error(`volumeMount ${vm.name} has no volume in the pod spec`);
    if (!vol.configMap) {
      notes.push(`volume ${vm.name} at ${vm.mountPath} is not a ConfigMap: not materialized`);
      continue;
    }
    const cmName = vol.configMap.name;
    const cm = configMaps.find((x) => x.metadata?.name === cmName);
    if (!cm) {
      if (vol.configMap.optional) { notes.push(`optional ConfigMap ${cmName} absent: ${vm.mountPath} left empty`); continue; }
      throw new Error(`ConfigMap ${cmName} (volume ${vm.name}, mounted at ${vm.mountPath}) is not among the given ConfigMaps`);
    }
    const files = new Map<string, Buffer>();
    for (const [k, v] of Object.entries<string>(cm.data ?? {})) files.set(k, Buffer.from(v, 'utf8'));
    for (const [k, v] of Object.entries<string>(cm.binaryData ?? {})) files.set(k, Buffer.from(v, 'base64'));
    const items: { key: string; path: string }[] = vol.configMap.items ?? [...files.keys()].map((k) => ({ key: k, path: k }));
    const dir = path.join(root, 'volumes', vm.name);
    for (const item of items) {
      const content = files.get(item.key);
      if (!content) throw new Error(`ConfigMap ${cmName} has no key ${item.key} (volume ${vm.name})`);
      fs.mkdirSync(path.dirname(path.join(dir, item.path)), { recursive: true });
      fs.writeFileSync(path.join(dir, item.path), content);
    }
    fs.mkdirSync(dir, { recursive: true });
    const hostPath = vm.subPath ? path.join(dir, vm.subPath) : dir;
    mounts.push({ mountPath: vm.mountPath.replace(/\/+$/, ''), hostPath, source: `ConfigMap ${cmName}` });
  }
  return mounts.sort((a, b) => b.mountPath.length - a.mountPath.length);
}

function mapPath(value: string, mounts: Mount[]): string | undefined {
  for (const m of mounts) {
    if (value === m.mountPath) return m.hostPath;
    if (value.startsWith(m.mountPath + '/')) return path.join(m.hostPath, value.slice(m.mountPath.length + 1));
  }
  return undefined;
}

/** Rewrites ConfigMap paths (`/x/y` and `--flag=/x/y`), nothing else. */
function rewriteArgs(args: string[], mounts: Mount[]): string[] {
  return args.map((a) => {
    const whole = mapPath(a, mounts);
    if (whole) return whole;
    const eq = a.indexOf('=');
    if (a.startsWith('-') && eq > 0) {
      const v = mapPath(a.slice(eq + 1), mounts);
      if (v) return a.slice(0, eq + 1) + v;
    }
    return a;
  });
}

/** Rewrites the top-level `port = N` / `port = "N"` of every mounted .toml file whose value is `from`. */
function overrideTomlPort(mounts: Mount[], from: number, to: number, notes: string[]): void {
  const files = mounts.flatMap((m) => (fs.statSync(m.hostPath).isDirectory()
    ? fs.readdirSync(m.hostPath).map((f) => ({ host: path.join(m.hostPath, f), pod: `${m.mountPath}/${f}`, source: m.source }))
    : [{ host: m.hostPath, pod: m.mountPath, source: m.source }]));
  for (const f of files.filter((x) => x.host.endsWith('.toml'))) {
    const lines = fs.readFileSync(f.host, 'utf8').split('\n');
    let changed = false;
    for (let i = 0; i < lines.length && !/^\s*\[/.test(lines[i]); i++) {
      const m = /^(\s*port\s*=\s*)("?)(\d+)("?)(\s*(#.*)?)$/.exec(lines[i]);
      if (m && Number(m[3]) === from) {
        lines[i] = `${m[1]}${m[2]}${to}${m[4]}${m[5]}`;
        notes.push(`portOverride: ${f.pod} (${f.source}) line "${m[0].trim()}" -> "${lines[i].trim()}"`);
        changed = true;
      }
    }
    if (changed) fs.writeFileSync(f.host, lines.join('\n'));
  }
}

/** Moves a top-level `metrics_port = "N"` to a free port (servers of parallel tests would fight over N). */
async function overrideTomlMetricsPort(mounts: Mount[], notes: string[]): Promise<number | undefined> {
  let moved: number | undefined;
  for (const m of mounts) {
    const files = fs.statSync(m.hostPath).isDirectory() ? fs.readdirSync(m.hostPath).map((f) => path.join(m.hostPath, f)) : [m.hostPath];
    for (const f of files.filter((x) => x.endsWith('.toml'))) {
      const text = fs.readFileSync(f, 'utf8');
      const line = /^metrics_port\s*=\s*"?(\d+)"?\s*$/m.exec(text);
      if (!line) continue;
      moved = await freePort();
      fs.writeFileSync(f, text.replace(line[0], `metrics_port = "${moved}"`));
      notes.push(`metrics_port ${line[1]} -> ${moved} (free port)`);
    }
  }
  return moved;
}

function overridePortArgs(args: string[], from: number, to: number, notes: string[]): string[] {
  return args.map((a, i) => {
    if (i > 0 && args[i - 1] === '--port' && a === String(from)) { notes.push(`portOverride: arg --port ${a} -> ${to}`); return String(to); }
    if (a === `--port=${from}`) { notes.push(`portOverride: arg ${a} -> --port=${to}`); return `--port=${to}`; }
    return a;
  });
}

/** `Error:` lines (cobra prints them before the usage text) plus the last lines of a log. */
function tail(s: string, n = 15): string {
  const lines = s.trim().split('\n');
  const last = lines.slice(-n);
  return [...lines.filter((l) => l.startsWith('Error:') && !last.includes(l)), ...last].join('\n');
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: LOOPBACK, port });
    const done = (ok: boolean): void => { sock.destroy(); resolve(ok); };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => { for (const p of live) p.kill('SIGKILL'); });

export async function startServerFromManifests(opts: StartOptions): Promise<RunningServer> {
  const notes: string[] = [];
  const bin = serverBinary(notes);
  const podSpec = opts.deployment?.spec?.template?.spec;
  const c = pickContainer(opts.deployment, opts.containerName);
  const containerPort = declaredPort(c);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubernetes-mcp-server-'));
  const cleanupDir = (): void => fs.rmSync(root, { recursive: true, force: true });

  let args: string[];
  let metricsPort: number | undefined;
  try {
    const mounts = materializeConfigMaps(podSpec, c, opts.configMaps, root, notes);
    let command: string[] = c.command ?? [];
    if (command.length === 0) {
      notes.push('no container command: assumed image ENTRYPOINT ["/app/kubernetes-mcp-server"] with no arguments of its own');
    } else if (path.basename(command[0]) !== 'kubernetes-mcp-server') {
      throw new Error(`container command ${JSON.stringify(command)} does not start with the kubernetes-mcp-server binary`);
    }
    args = rewriteArgs([...command.slice(1), ...(c.args ?? [])], mounts);
    if (args.some((a) => a.includes('$('))) notes.push('args contain $(VAR) references: Kubernetes would expand them, the harness does not');
    metricsPort = await overrideTomlMetricsPort(mounts, notes);
    if (opts.portOverride !== undefined) {
      overrideTomlPort(mounts, containerPort, opts.portOverride, notes);
      args = overridePortArgs(args, containerPort, opts.portOverride, notes);
      if (!notes.some((n) => n.startsWith('portOverride:'))) notes.push(`portOverride ${opts.portOverride}: no port value ${containerPort} found to rewrite`);
    }
    const server = opts.kubeApiServer ?? UNREACHABLE_API_SERVER;
    assertLoopback(server);
    fs.writeFileSync(path.join(root, 'kubeconfig'), kubeconfig(server));
    notes.push(`KUBECONFIG=${path.join(root, 'kubeconfig')} (API server ${server}); KUBERNETES_* variables removed`);
  } catch (e) {
    cleanupDir();
    throw e;
  }

  // A pod's environment, not the developer's: only the container's literal env plus what the harness needs.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, KUBECONFIG: path.join(root, 'kubeconfig') };
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else notes.push(`env ${e.name} uses valueFrom: not set by the harness`);
  }
  for (const [k, v] of Object.entries(opts.extraEnv ?? {})) {
    env[k] = v;
    notes.push(`extraEnv ${k}=${v} (not in the manifest)`);
  }

  const child = spawn(bin, args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  let err = '';
  let exit: string | undefined;
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `code ${code}`;
    live.delete(child);
    resolve();
  }));
  child.once('error', (e) => { err += `\nspawn error: ${e.message}`; });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (exit === undefined) {
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killTimer);
      }
      cleanupDir();
    })();
    return stopped;
  };

  const port = opts.portOverride ?? containerPort;
  const waitMs = opts.waitMs ?? 15000;
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (exit !== undefined) {
      await stop();
      throw new Error(`kubernetes-mcp-server exited (${exit}) before listening on ${LOOPBACK}:${port}; args ${JSON.stringify(args)}\n`
        + `stderr:\n${tail(err)}\nstdout:\n${tail(out)}`);
    }
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`kubernetes-mcp-server did not accept TCP connections on ${LOOPBACK}:${port} `
        + `(${opts.portOverride !== undefined ? `portOverride for declared containerPort ${containerPort}` : 'the declared containerPort'}) `
        + `within ${waitMs} ms; args ${JSON.stringify(args)}\nnotes: ${notes.join('; ')}\nstdout:\n${tail(out)}\nstderr:\n${tail(err)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    port,
    pid: child.pid!,
    url: (p = '/') => `http://${LOOPBACK}:${port}${p.startsWith('/') ? p : `/${p}`}`,
    stop,
    stdout: () => out,
    stderr: () => err,
    args,
    metricsPort,
    notes,
  };
}

/**
 * An initialized MCP SDK client over streamable HTTP (the caller closes it). Bounded to `timeoutMs`.
 * `bearer`: sent as `Authorization: Bearer <bearer>` (servers with require_oauth refuse a client without one).
 */
export async function mcpClient(url: string, timeoutMs = 10000, bearer?: string): Promise<Client> {
  const client = new Client({ name: 'kubernetes-mcp-server-harness', version: '0.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), bearer ? { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } } : {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(transport, { timeout: timeoutMs }),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`MCP initialize on ${url} took longer than ${timeoutMs} ms`)), timeoutMs); }),
    ]);
  } catch (e) {
    await client.close().catch(() => undefined);
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return client;
}
