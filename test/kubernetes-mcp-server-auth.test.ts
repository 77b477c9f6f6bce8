/**
 * Authentication of the REAL kubernetes-mcp-server 0.0.67 binary, started with each environment's exact
 * args and TOML from the committed dist/ (test/support/kubernetes-mcp-server.ts; only the port is moved to a
 * free one), in front of an HTTPS STAND-IN of the Kubernetes API that records the Authorization header of
 * every request (test/support/kube-api-stand-in.ts). The MCP client is the MCP TypeScript SDK.
 *
 * For `oidc` (no environment of the repository uses it) a test environment is synthesized with its issuer
 * at a REAL OpenID provider (npm `oidc-provider`, test/support/oidc-issuer.mjs) on loopback HTTPS; the
 * binary trusts its self-signed certificate through SSL_CERT_FILE (standing for an image trust store with
 * the internal CA; reported in the harness notes). What only a real cluster proves: that the API server
 * accepts the forwarded token (TokenReview/OIDC authentication) and applies the caller's RBAC.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { KeyObject, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadDist } from '../lib/checks';
import { EnvironmentInput } from '../lib/config/types';
import { minimalEnv } from './support/environments';
import { KubeApiStandIn, loopbackCertificate, startKubeApiStandIn } from './support/kube-api-stand-in';
import { RunningServer, SERVER_OWN_TOKEN, freePort, startServerFromManifests } from './support/kubernetes-mcp-server';
import { synthesizedDist } from './support/synthesized-dist';

const ROOT = path.resolve(__dirname, '..');
const dist = loadDist(ROOT);
const SLOW = 30_000;

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 't', version: '1' } } };

/** A raw POST of initialize (the SDK hides the status and headers of a refusal). */
async function postInitialize(url: string, authorization?: string): Promise<{ status: number; wwwAuthenticate: string | null }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(INITIALIZE),
  });
  await r.text();
  return { status: r.status, wwwAuthenticate: r.headers.get('www-authenticate') };
}

async function client(url: string, token?: string): Promise<Client> {
  const c = new Client({ name: 'auth-test', version: '0.0.0' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {}));
  return c;
}

/** The Authorization headers the stand-in saw on the namespace list (the tool call's own request). */
const toolCallAuth = (api: KubeApiStandIn): (string | undefined)[] => api.requests.filter((r) => r.path === '/api/v1/namespaces').map((r) => r.authorization);

/** A compact RS256 JWT (node:crypto; jose is ESM-only and jest runs CommonJS). */
function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'RS256', kid, typ: 'at+jwt' })}.${b64(claims)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

interface Instance { env: string; deployment: any; configMaps: any[]; protected: boolean }

const instances: Instance[] = [...new Set(dist.objects.map((o) => o.env))].flatMap((env) => {
  const objects = dist.objects.filter((o) => o.env === env).map((o) => o.doc);
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
  return objects.filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('kubernetes-mcp-server')).map((deployment) => {
    const cm = configMaps.find((c) => c.metadata.name === deployment.metadata.name)!;
    return { env, deployment, configMaps, protected: /require_oauth = true/.test(cm.data['config.toml']) };
  });
});

test('every environment with the Kubernetes MCP server has a protected instance', () => {
  const envs = [...new Set(instances.map((i) => i.env))];
  expect(envs.length).toBeGreaterThan(0);
  for (const env of envs) expect(instances.filter((i) => i.env === env && i.protected).length).toBe(1);
});

describe.each(instances.filter((i) => i.protected).map((i) => [`${i.env}/${i.deployment.metadata.name}`, i] as const))('%s (require_oauth, from dist/)', (_name, instance) => {
  let api: KubeApiStandIn;
  let server: RunningServer;
  beforeAll(async () => {
    api = await startKubeApiStandIn();
    server = await startServerFromManifests({ deployment: instance.deployment, configMaps: instance.configMaps, portOverride: await freePort(), kubeApiServer: api.url });
  }, SLOW);
  afterAll(async () => { await server?.stop(); await api?.close(); }, SLOW);

  test('no token: 401 with WWW-Authenticate: Bearer', async () => {
    const r = await postInitialize(server.url('/mcp'));
    expect(r).toEqual({ status: 401, wwwAuthenticate: expect.stringMatching(/^Bearer realm="Kubernetes MCP Server", error="missing_token"/) });
  });

  test('a Basic credential is no token either: 401', async () => {
    expect((await postInitialize(server.url('/mcp'), `Basic ${Buffer.from('alice:pw').toString('base64')}`)).status).toBe(401);
  });

  test('/healthz answers 200 without a token (the probes)', async () => {
    expect((await fetch(server.url('/healthz'))).status).toBe(200);
  });

  test('with token T a tool call reaches the API carrying exactly `Bearer T`, never the server\'s own token', async () => {
    const token = `reader-token-${randomBytes(8).toString('hex')}`;
    const c = await client(server.url('/mcp'), token);
    try {
      const r: any = await c.callTool({ name: 'namespaces_list', arguments: {} });
      // The stand-in's list is not a Table, so the text is empty; what matters is the header below.
      expect(r.isError).toBeFalsy();
    } finally {
      await c.close();
    }
    expect(toolCallAuth(api)).toEqual([`Bearer ${token}`]);
    // The server's own identity reads discovery only (at start), never a resource.
    expect(api.requests.filter((r) => r.authorization === `Bearer ${SERVER_OWN_TOKEN}`).map((r) => r.path).every((p) => /^\/apis?(\/v1)?$/.test(p))).toBe(true);
  }, SLOW);
});

describe.each(instances.filter((i) => !i.protected).map((i) => [`${i.env}/${i.deployment.metadata.name}`, i] as const))('%s (Llama Stack\'s in-cluster instance, from dist/)', (_name, instance) => {
  let api: KubeApiStandIn;
  let server: RunningServer;
  beforeAll(async () => {
    api = await startKubeApiStandIn();
    server = await startServerFromManifests({ deployment: instance.deployment, configMaps: instance.configMaps, portOverride: await freePort(), kubeApiServer: api.url });
  }, SLOW);
  afterAll(async () => { await server?.stop(); await api?.close(); }, SLOW);

  test('initialize succeeds without a token (Llama Stack\'s connector sends none)', async () => {
    expect((await postInitialize(server.url('/mcp'))).status).toBe(200);
  });

  test('tool calls use the instance\'s own identity, even when a caller sends another token (cluster_auth_mode kubeconfig)', async () => {
    const c = await client(server.url('/mcp'), 'someone-elses-token');
    try {
      await c.callTool({ name: 'namespaces_list', arguments: {} });
    } finally {
      await c.close();
    }
    expect(toolCallAuth(api)).toEqual([`Bearer ${SERVER_OWN_TOKEN}`]);
  }, SLOW);
});

describe('oidc: a real OpenID provider issues the token', () => {
  const tls = loopbackCertificate();
  let issuerPort: number;
  let provider: ChildProcess;
  let api: KubeApiStandIn;
  let server: RunningServer;
  let providerKey: KeyObject;
  const audience = 'https://k8s-mcp.test.internal/mcp';
  let issuer: string;

  const tokenFromIssuer = (): Promise<string> => new Promise((resolve, reject) => {
    const body = 'grant_type=client_credentials&scope=openid&resource=' + encodeURIComponent(audience);
    const req = https.request(`${issuer}/token`, {
      method: 'POST', ca: fs.readFileSync(tls.cert), auth: 'mcp-test:mcp-test-secret',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => { try { resolve(JSON.parse(data).access_token); } catch (e) { reject(new Error(`token endpoint: ${res.statusCode} ${data}`)); } });
    });
    req.on('error', reject);
    req.end(body);
  });

  beforeAll(async () => {
    providerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    fs.writeFileSync(path.join(tls.dir, 'jwk.json'), JSON.stringify({ ...providerKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' }));
    issuerPort = await freePort();
    issuer = `https://127.0.0.1:${issuerPort}`;
    provider = spawn(process.execPath, [path.join(__dirname, 'support', 'oidc-issuer.mjs'), String(issuerPort), tls.cert, tls.key, audience, path.join(tls.dir, 'jwk.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      provider.stdout!.on('data', (d) => { out += d; if (out.includes('READY')) resolve(); });
      provider.once('exit', (code) => reject(new Error(`oidc-provider exited ${code}`)));
    });
    const input: EnvironmentInput = minimalEnv({
      penpot: { enabled: false },
      ingress: { tlsSecretName: 'mcp-tls' },
      kubernetesMcp: { enabled: true, ingressHost: 'k8s-mcp.test.internal', auth: { mode: 'oidc', oidc: { issuerUrl: issuer } } },
    });
    const objects = synthesizedDist(input).dist.objects.map((o) => o.doc);
    api = await startKubeApiStandIn();
    server = await startServerFromManifests({
      deployment: objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'kubernetes-mcp-server'),
      configMaps: objects.filter((o) => o.kind === 'ConfigMap'),
      portOverride: await freePort(), kubeApiServer: api.url, extraEnv: { SSL_CERT_FILE: tls.cert },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await api?.close();
    provider?.kill();
    fs.rmSync(tls.dir, { recursive: true, force: true });
  }, SLOW);

  test('the TOML names the issuer and the published URL as audience and server_url', () => {
    expect(server.notes).toContain(`extraEnv SSL_CERT_FILE=${tls.cert} (not in the manifest)`);
  });

  test('no token: 401 with WWW-Authenticate', async () => {
    const r = await postInitialize(server.url('/mcp'));
    expect(r.status).toBe(401);
    expect(r.wwwAuthenticate).toMatch(/^Bearer /);
  });

  test('the protected-resource metadata names the issuer and the published /mcp URL', async () => {
    const meta = await (await fetch(server.url('/.well-known/oauth-protected-resource'))).json();
    expect(meta).toMatchObject({ resource: audience, authorization_servers: [issuer] });
  });

  test('a token the provider issued for the audience calls a tool; the API sees exactly that token', async () => {
    const token = await tokenFromIssuer();
    expect(token.split('.')).toHaveLength(3);
    const c = await client(server.url('/mcp'), token);
    try {
      const r: any = await c.callTool({ name: 'namespaces_list', arguments: {} });
      expect(r.isError).toBeFalsy();
    } finally {
      await c.close();
    }
    expect(toolCallAuth(api)).toEqual([`Bearer ${token}`]);
  }, SLOW);

  const now = (): number => Math.floor(Date.now() / 1000);
  const claims = (overrides: Record<string, unknown> = {}) => ({
    iss: issuer, aud: audience, sub: 'mcp-test', client_id: 'mcp-test', scope: 'openid', iat: now(), exp: now() + 300, ...overrides,
  });

  test('a forged token (same claims, another key) gets 401', async () => {
    const forged = signJwt(claims(), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'test-key');
    expect((await postInitialize(server.url('/mcp'), `Bearer ${forged}`)).status).toBe(401);
  });

  test('an expired token signed with the provider\'s own key gets 401', async () => {
    const expired = signJwt(claims({ iat: now() - 3600, exp: now() - 1800 }), providerKey, 'test-key');
    expect((await postInitialize(server.url('/mcp'), `Bearer ${expired}`)).status).toBe(401);
  });

  test('the check can fail: the same key and claims, unexpired, are accepted', async () => {
    const valid = signJwt(claims(), providerKey, 'test-key');
    expect((await postInitialize(server.url('/mcp'), `Bearer ${valid}`)).status).toBe(200);
  });

  test('a valid signature for another audience gets 401', async () => {
    const other = signJwt(claims({ aud: 'https://elsewhere.test.internal/mcp' }), providerKey, 'test-key');
    expect((await postInitialize(server.url('/mcp'), `Bearer ${other}`)).status).toBe(401);
  });
});
