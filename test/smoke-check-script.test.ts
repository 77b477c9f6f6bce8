/**
 * The smoke script exactly as dist/ ships it: taken from the ConfigMap of each smoke check Job in the
 * committed YAML, run by /bin/sh with this machine's curl and exactly the Job's environment. Only the
 * host:port of each target URL is swapped to a local port (a wrong-endpoint test also swaps a path).
 *
 * - mcp app: against the REAL kubernetes-mcp-server 0.0.67 binary, started with the args and TOML of
 *   the same environment's Deployment and ConfigMap (test/support/kubernetes-mcp-server.ts).
 * - penpot app: against STAND-INS, not Penpot: a node:http server answering `/`, `/readyz` and
 *   `/mcp/stream` like the frontend's nginx routes, one answering the exporter's `/readyz`, and for
 *   Penpot MCP the MCP TypeScript SDK's streamable HTTP server (what penpotapp/mcp is built on, but
 *   not Penpot's own server). They prove the script's handling of those answers (JSON vs SSE, 200 vs
 *   503), not that Penpot answers that way; the routes come from upstream.md section 1.
 *
 * CI needs `sh` and `curl` on the machine (the first test fails, not skips, without them).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ManifestObject, loadDist } from '../lib/checks';
import { freePort, RunningServer, startServerFromManifests } from './support/kubernetes-mcp-server';

const dist = loadDist(path.resolve(__dirname, '..'));
const ofEnv = (env: string, kind: string, name: string): ManifestObject => {
  const found = dist.objects.find((o) => o.env === env && o.doc.kind === kind && o.doc.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in dist/${env}`);
  return found;
};

interface SmokeRun { code: number | null; output: string }

/** The script from the Job's ConfigMap and the Job container's literal environment, from dist/. */
function smokeJob(env: string, app: string): { script: string; jobEnv: Record<string, string> } {
  const job = ofEnv(env, 'Job', `${app}-smoke-check`).doc;
  const volume = job.spec.template.spec.volumes.find((v: any) => v.name === 'script');
  const configMap = ofEnv(env, 'ConfigMap', volume.configMap.name).doc;
  const c = job.spec.template.spec.containers[0];
  const script = configMap.data[path.basename(c.command[1])];
  return { script, jobEnv: Object.fromEntries(c.env.map((e: any) => [e.name, e.value])) };
}

/** SMOKE_TARGETS with each URL's host:port replaced through `swap` (an unknown host fails the test). */
function swapUrls(targets: string, swap: (url: URL) => string): string {
  return targets.split('\n').map((line) => {
    const [kind, name, url] = line.split(' ');
    return `${kind} ${name} ${swap(new URL(url))}`;
  }).join('\n');
}

/** Runs `sh <script>` asynchronously (the stand-ins live in this process) with only the given env. */
function runSmoke(scriptFile: string, env: Record<string, string>): Promise<SmokeRun> {
  return new Promise((resolve, reject) => {
    // No proxy variables or ~/.curlrc of the developer: PATH, a temp HOME and the Job's variables.
    const child = spawn('sh', [scriptFile], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

function writeScript(script: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-script-')), 'smoke.sh');
  fs.writeFileSync(file, script);
  return file;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const port = await freePort();
  await new Promise<void>((resolve) => {
    const probe = net.connect({ host: '127.0.0.1', port });
    probe.once('connect', () => { probe.destroy(); throw new Error(`port ${port} is taken`); });
    probe.once('error', () => resolve());
  });
  return port;
}

const SLOW = 60_000;

test('sh and curl are installed (the smoke check runs them; CI must provide curl)', () => {
  expect(spawnSync('sh', ['-c', 'exit 0']).status).toBe(0);
  expect(spawnSync('curl', ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^curl \d/);
});

const MCP_ENVS = ['homelab', 'example', 'k0s-dev'];

/** The Kubernetes MCP server Deployments of an environment (the main one, and Llama Stack's in-cluster-only one). */
const mcpDeployments = (env: string): any[] => dist.objects
  .filter((o) => o.env === env && o.doc.kind === 'Deployment' && o.doc.metadata.name.startsWith('kubernetes-mcp-server')).map((o) => o.doc);

/** A local stand-in for the projected ServiceAccount token file the Job mounts (any value: initialize needs no API). */
const tokenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-token-'));
const TOKEN_FILE = path.join(tokenDir, 'token');
fs.writeFileSync(TOKEN_FILE, 'smoke-pod-projected-token\n');
afterAll(() => fs.rmSync(tokenDir, { recursive: true, force: true }));

/**
 * One real server per Deployment. Every run starts in beforeAll and the tests await their own: a
 * failing run spends the Job's tries and pauses (seconds), and running them side by side keeps the file fast.
 */
describe('mcp smoke checks from dist/ against the real kubernetes-mcp-server', () => {
  const servers = new Map<string, RunningServer>();
  const scriptFiles: string[] = [];
  const runs = new Map<string, Promise<SmokeRun>>();
  let closed = 0;

  /** Maps the Job's target to the local server of that Service in `env`; any other host fails the test. */
  const toServer = (env: string) => (u: URL): string => {
    const deployment = mcpDeployments(env).find((d) => u.host === `${d.metadata.name}.mcp-system:${d.spec.template.spec.containers[0].ports[0].containerPort}`);
    if (!deployment) throw new Error(`target ${u.href} is not a Kubernetes MCP server Service of ${env}`);
    return `http://127.0.0.1:${servers.get(`${env}/${deployment.metadata.name}`)!.port}${u.pathname}`;
  };

  beforeAll(async () => {
    await Promise.all(MCP_ENVS.flatMap((env) => mcpDeployments(env).map(async (deployment) => {
      const configMaps = dist.objects.filter((o) => o.env === env && o.doc.kind === 'ConfigMap').map((o) => o.doc);
      servers.set(`${env}/${deployment.metadata.name}`, await startServerFromManifests({ deployment, configMaps, portOverride: await freePort() }));
    })));
    closed = await closedPort();
    const start = (key: string, env: string, swap: (u: URL) => string, tokenFile: string | null = TOKEN_FILE) => {
      const { script, jobEnv } = smokeJob(env, 'mcp');
      const file = writeScript(script);
      scriptFiles.push(file);
      const swapped: Record<string, string> = { ...jobEnv, SMOKE_TARGETS: swapUrls(jobEnv.SMOKE_TARGETS, swap) };
      if (jobEnv.SMOKE_BEARER_FILE) {
        if (tokenFile) swapped.SMOKE_BEARER_FILE = tokenFile;
        else delete swapped.SMOKE_BEARER_FILE;
      }
      runs.set(key, runSmoke(file, swapped));
    };
    for (const env of MCP_ENVS) start(`pass ${env}`, env, toServer(env));
    start('wrong port', 'homelab', (u) => { toServer('homelab')(u); return `http://127.0.0.1:${closed}${u.pathname}`; });
    start('wrong path', 'homelab', (u) => toServer('homelab')(u).replace(/\/mcp$/, '/sse'));
    start('not mcp', 'homelab', (u) => toServer('homelab')(u).replace(/\/mcp$/, '/healthz'));
    // homelab's protected check against example's Llama Stack instance, which takes no token: the 401 half must fail.
    start('no auth', 'homelab', (u) => { toServer('homelab')(u); return toServer('example')(new URL('http://kubernetes-mcp-server-llama-stack.mcp-system:8080/mcp')); });
    start('no token file', 'homelab', toServer('homelab'), null);
  }, SLOW);
  afterAll(async () => {
    await Promise.allSettled([...runs.values()]);
    await Promise.all([...servers.values()].map((s) => s.stop()));
    for (const f of scriptFiles) fs.rmSync(path.dirname(f), { recursive: true, force: true });
  });

  test.each(MCP_ENVS)('dist/%s passes: no token gets 401 + WWW-Authenticate, the pod\'s token initializes', async (env) => {
    const run = await runs.get(`pass ${env}`)!;
    expect(run).toEqual({ code: 0, output: expect.stringMatching(/ok {3}mcp-kubernetes http:\/\/127\.0\.0\.1:\d+\/mcp: HTTP 401 without a token, WWW-Authenticate: Bearer; with the pod's token: HTTP 200, initialize result with protocolVersion \d{4}-\d\d-\d\d/) });
    const checks = mcpDeployments(env).length;
    expect(run.output).toContain(`smoke check passed: ${checks} of ${checks} checks`);
  }, SLOW);

  test('the Llama Stack instance (example) initializes without a token', async () => {
    const run = await runs.get('pass example')!;
    expect(run.output).toMatch(/ok {3}mcp-kubernetes-llama-stack http:\/\/127\.0\.0\.1:\d+\/mcp: HTTP 200, initialize result/);
  }, SLOW);

  test('a wrong port fails, naming the check, the URL and curl\'s error', async () => {
    const run = await runs.get('wrong port')!;
    expect(run.code).toBe(1);
    expect(run.output).toContain(`FAIL mcp-kubernetes http://127.0.0.1:${closed}/mcp: no HTTP answer (curl exit 7:`);
    expect(run.output).toMatch(new RegExp(`smoke check FAILED: 1 of 1 checks failed:\\n  - mcp-kubernetes http://127\\.0\\.0\\.1:${closed}/mcp`));
  }, SLOW);

  test('a wrong path (the /sse removed in 0.0.67) fails: without a token it is still refused with 401, and with it 404', async () => {
    const run = await runs.get('wrong path')!;
    expect(run.code).toBe(1);
    expect(run.output).toContain(`FAIL mcp-kubernetes http://127.0.0.1:${servers.get('homelab/kubernetes-mcp-server')!.port}/sse: HTTP 401 without a token, WWW-Authenticate: Bearer; with the pod's token: HTTP 404, expected 200; body: 404 page not found`);
  }, SLOW);

  test('a path that needs no token (/healthz) fails the 401 half', async () => {
    const run = await runs.get('not mcp')!;
    expect(run.code).toBe(1);
    expect(run.output).toContain(`FAIL mcp-kubernetes http://127.0.0.1:${servers.get('homelab/kubernetes-mcp-server')!.port}/healthz: HTTP 200 without a token, expected 401`);
  }, SLOW);

  test('an endpoint that takes no token fails a protected check', async () => {
    const run = await runs.get('no auth')!;
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/FAIL mcp-kubernetes http:\/\/127\.0\.0\.1:\d+\/mcp: HTTP 200 without a token, expected 401 \(the endpoint must demand a credential\)/);
  }, SLOW);

  test('without the token file the check fails after the 401 half, saying so', async () => {
    const run = await runs.get('no token file')!;
    expect(run.code).toBe(1);
    expect(run.output).toContain('HTTP 401 without a token, WWW-Authenticate: Bearer; but SMOKE_BEARER_FILE (unset) holds no token');
  }, SLOW);
});

/** STAND-IN for Penpot MCP: the MCP SDK's stateless streamable HTTP server (SSE replies), not Penpot's own. */
async function standInMcp(req: http.IncomingMessage, res: http.ServerResponse, enableJsonResponse = false): Promise<void> {
  const server = new McpServer({ name: 'penpot-stand-in', version: '0.0.0' });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse });
  res.on('close', () => { void transport.close(); void server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res);
}

interface StandIns { ports: Record<'frontend' | 'exporter' | 'mcp', number>; close(): Promise<void> }

/** STAND-INS answering like Penpot 2.17's frontend routes, exporter and MCP server (see the file comment). */
async function startPenpotStandIns(backendReadyz: { status: number; body: string }): Promise<StandIns> {
  const routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>> = {
    frontend: (req, res) => {
      const url = req.url ?? '/';
      if (url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Penpot</title>');
      // nginx proxies /readyz to the backend, which answers 503 while its database is down.
      else if (url === '/readyz') res.writeHead(backendReadyz.status).end(backendReadyz.body);
      else if (url.startsWith('/mcp/stream')) void standInMcp(req, res);
      else res.writeHead(404).end('not found');
    },
    exporter: (req, res) => { res.writeHead(req.url === '/readyz' ? 200 : 404).end(req.url === '/readyz' ? 'OK' : 'not found'); },
    mcp: (req, res) => { if (req.url === '/mcp') void standInMcp(req, res); else res.writeHead(404).end('not found'); },
  };
  const servers: http.Server[] = [];
  const ports = {} as Record<'frontend' | 'exporter' | 'mcp', number>;
  for (const [name, handler] of Object.entries(routes)) {
    const srv = http.createServer((req, res) => { void handler(req, res); });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    servers.push(srv);
    ports[name as keyof typeof ports] = (srv.address() as net.AddressInfo).port;
  }
  return {
    ports,
    close: async () => { await Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); }))); },
  };
}

const PENPOT_HOSTS: Record<string, 'frontend' | 'exporter' | 'mcp'> = {
  'penpot-frontend.penpot:8080': 'frontend', 'penpot-exporter.penpot:6061': 'exporter', 'penpot-mcp.penpot:4401': 'mcp',
};

describe('penpot smoke checks from dist/ against stand-ins of the Penpot routes', () => {
  const healthy: StandIns[] = [];
  let backendDown: StandIns;
  const scriptFiles: string[] = [];
  const runs = new Map<string, Promise<SmokeRun>>();

  const toStandIn = (standIns: StandIns) => (u: URL): string => {
    const which = PENPOT_HOSTS[u.host];
    if (!which) throw new Error(`target ${u.href} has no stand-in`);
    return `http://127.0.0.1:${standIns.ports[which]}${u.pathname}`;
  };

  beforeAll(async () => {
    const start = (key: string, env: string, standIns: StandIns) => {
      const { script, jobEnv } = smokeJob(env, 'penpot');
      const file = writeScript(script);
      scriptFiles.push(file);
      // The export server's mcp-auth check runs against the real bundled server in test/penpot-export-server.test.ts.
      const targets = jobEnv.SMOKE_TARGETS.split('\n').filter((l) => l.split(' ')[1] !== 'mcp-penpot-export').join('\n');
      runs.set(key, runSmoke(file, { ...jobEnv, SMOKE_TARGETS: swapUrls(targets, toStandIn(standIns)) }));
    };
    for (const env of ['homelab', 'example']) {
      const standIns = await startPenpotStandIns({ status: 200, body: 'OK' });
      healthy.push(standIns);
      start(`pass ${env}`, env, standIns);
    }
    backendDown = await startPenpotStandIns({ status: 503, body: '{"error":"database unreachable"}' });
    start('backend down', 'homelab', backendDown);
  }, SLOW);
  afterAll(async () => {
    await Promise.allSettled([...runs.values()]);
    await Promise.all([...healthy, backendDown].filter(Boolean).map((s) => s.close()));
    for (const f of scriptFiles) fs.rmSync(path.dirname(f), { recursive: true, force: true });
  });

  test.each(['homelab', 'example'])('dist/%s passes: frontend 200, backend /readyz through the frontend, exporter /readyz, MCP initialize direct and same-origin', async (env) => {
    const run = await runs.get(`pass ${env}`)!;
    expect(run.code).toBe(0);
    for (const name of ['frontend', 'backend-readyz', 'exporter-readyz', 'mcp-penpot-same-origin', 'mcp-penpot']) {
      expect(run.output).toMatch(new RegExp(`^ok {3}${name} http://127\\.0\\.0\\.1:\\d+/`, 'm'));
    }
    expect(run.output).toMatch(/smoke check passed: 5 of 5 checks/);
  }, SLOW);

  test('a 503 from /readyz fails naming the backend check, its URL, the status and the body', async () => {
    const run = await runs.get('backend down')!;
    expect(run.code).toBe(1);
    const url = `http://127.0.0.1:${backendDown.ports.frontend}/readyz`;
    expect(run.output).toContain(`FAIL backend-readyz ${url}: HTTP 503, expected 200; body: {"error":"database unreachable"} (after 3 tries)`);
    expect(run.output).toContain(`smoke check FAILED: 1 of 5 checks failed:\n  - backend-readyz ${url}: HTTP 503`);
  }, SLOW);

  test('a failing check does not hide the others: they still run and pass', async () => {
    const run = await runs.get('backend down')!;
    for (const name of ['frontend', 'exporter-readyz', 'mcp-penpot-same-origin', 'mcp-penpot']) expect(run.output).toMatch(new RegExp(`^ok {3}${name} `, 'm'));
  }, SLOW);
});

/** A local server whose every request is answered by `handler`; returns its port and a closer. */
async function serve(handler: http.RequestListener): Promise<{ port: number; close(): Promise<void> }> {
  const srv = http.createServer(handler);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { port: (srv.address() as net.AddressInfo).port, close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(() => r()); }) };
}

/** Both real servers above reply with SSE; these stand-ins cover the other shapes an MCP reply may take. */
describe('MCP reply shapes (stand-ins, with the mcp Job of dist/homelab)', () => {
  const { script, jobEnv } = smokeJob('homelab', 'mcp');
  let scriptFile: string;
  beforeAll(() => { scriptFile = writeScript(script); });
  afterAll(() => fs.rmSync(path.dirname(scriptFile), { recursive: true, force: true }));

  // The reply handling is the `mcp` kind's (mcp-auth reuses it after the 401 half): the stand-ins take no token.
  const asPlainMcp = (targets: string): string => targets.replace(/^mcp-auth /gm, 'mcp ');
  const runAgainst = (port: number) => runSmoke(scriptFile, { ...jobEnv, SMOKE_TARGETS: asPlainMcp(swapUrls(jobEnv.SMOKE_TARGETS, (u) => `http://127.0.0.1:${port}${u.pathname}`)) });

  test('a plain JSON reply (the SDK server with enableJsonResponse) passes', async () => {
    const server = await serve((req, res) => { void standInMcp(req, res, true); });
    try {
      const run = await runAgainst(server.port);
      expect(run.code).toBe(0);
      expect(run.output).toMatch(/ok {3}mcp-kubernetes .*initialize result with protocolVersion 2025-03-26/);
    } finally {
      await server.close();
    }
  }, SLOW);

  test('a JSON-RPC error reply with HTTP 200 fails, quoting the error', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"unsupported protocol"}}');
    });
    try {
      const run = await runAgainst(server.port);
      expect(run.code).toBe(1);
      expect(run.output).toMatch(/FAIL mcp-kubernetes .*HTTP 200 but no initialize result with protocolVersion and serverInfo; body: .*unsupported protocol/);
    } finally {
      await server.close();
    }
  }, SLOW);
});
