/**
 * The export MCP server exactly as the pod runs it: the bundle from the synthesized dist/ ConfigMap
 * (homelab with penpot.export on, synthesized as `npm run synth` does),
 * the Deployment's command and environment (Secret values supplied by the test, the in-cluster
 * Penpot URL pointed at the stand-in of Penpot 2.17, test/support/penpot-stand-in.ts, and PORT moved
 * to a free port), driven by the MCP SDK's own client. This machine runs Node 20; the image runs
 * Node 22 (the bundle targets node20, so both run it).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EnvironmentInput } from '../lib/config/types';
import { pngSize, svgProblem } from '../lib/penpot/export/client';
import { PenpotStandIn } from './support/penpot-stand-in';
import { homelab } from '../lib/environments/homelab';
import { synthesizedDist } from './support/synthesized-dist';

/** homelab with the export server on, synthesized exactly as `npm run synth` would (homelab now enables it; kept explicit so the tests do not depend on that choice). */
const WITH_EXPORT = { ...homelab, penpot: { ...homelab.penpot, export: { enabled: true, accountSecretName: 'penpot-export-account', clientNamespaces: ['kagent'] } } } as EnvironmentInput;

jest.setTimeout(60_000);

const { dist } = synthesizedDist(WITH_EXPORT);
const deployments = dist.objects.filter((o) => o.doc.kind === 'Deployment' && o.doc.metadata.name === 'penpot-export');
const EMAIL = 'export-bot@example.internal';
const PASSWORD = 'pod-test-password';
const TOKEN = 'a'.repeat(16) + 'b'.repeat(48);

test('the synthesized environment deploys the export server', () => {
  expect(deployments.map((d) => d.env)).toContain('homelab');
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

describe.each(deployments.map((d) => [d.env, d] as const))('%s: the bundled server from dist/', (env, deployment) => {
  let penpot: PenpotStandIn;
  let ids: ReturnType<PenpotStandIn['addFile']>;
  let child: ChildProcess;
  let url: string;
  let logs = '';

  beforeAll(async () => {
    penpot = new PenpotStandIn();
    ids = penpot.addFile([penpot.addAccount(EMAIL, PASSWORD)], { name: 'Dashboard', width: 320, height: 200 });
    await penpot.start();

    const spec = deployment.doc.spec.template.spec;
    const container = spec.containers[0];
    const mount = container.volumeMounts.find((m: any) => m.name === 'server');
    const volume = spec.volumes.find((v: any) => v.name === 'server');
    const configMap = dist.objects.find((o) => o.env === env && o.doc.kind === 'ConfigMap' && o.doc.metadata.name === volume.configMap.name)!;
    // The mounted file: each ConfigMap key becomes a file in the mount folder.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'penpot-export-pod-'));
    const mountDir = path.join(root, mount.mountPath);
    fs.mkdirSync(mountDir, { recursive: true });
    for (const [key, value] of Object.entries<string>(configMap.doc.data)) fs.writeFileSync(path.join(mountDir, key), value);

    const secretValues: Record<string, string> = { PENPOT_EXPORT_EMAIL: EMAIL, PENPOT_EXPORT_PASSWORD: PASSWORD, PENPOT_EXPORT_MCP_TOKEN: TOKEN };
    const podEnv: Record<string, string> = {};
    for (const e of container.env) podEnv[e.name] = e.value ?? secretValues[e.valueFrom.secretKeyRef.key];
    expect(podEnv.PENPOT_URL).toMatch(/^http:\/\/penpot-frontend\.[a-z0-9-]+:8080$/);
    podEnv.PENPOT_URL = penpot.url;
    const port = await freePort();
    podEnv.PORT = String(port);
    const [cmd, ...args] = container.command as string[];
    expect(cmd).toBe('node');
    child = spawn(process.execPath, args.map((a) => (a.startsWith(mount.mountPath) ? path.join(root, a) : a)), { env: { PATH: process.env.PATH ?? '', ...podEnv } });
    child.stdout!.on('data', (d) => { logs += d; });
    child.stderr!.on('data', (d) => { logs += d; });
    url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(`${url}/healthz`)).ok) return; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server did not start: ${logs}`);
  });

  afterAll(async () => {
    child?.kill();
    await penpot?.stop();
  });

  async function connect(token = TOKEN): Promise<Client> {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    return client;
  }

  test('the readiness probe path answers 200 without credentials', async () => {
    const probe = deployment.doc.spec.template.spec.containers[0].readinessProbe.httpGet.path;
    expect((await fetch(`${url}${probe}`)).status).toBe(200);
  });

  test('without a bearer token /mcp answers 401 with WWW-Authenticate', async () => {
    const res = await fetch(`${url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="penpot-export"/);
  });

  test('a wrong bearer token is refused (invalid_token)', async () => {
    const res = await fetch(`${url}/mcp`, { method: 'POST', headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await expect(connect('x'.repeat(64))).rejects.toThrow();
  });

  test('initialize and tools/list with the token: the three tools', async () => {
    const client = await connect();
    expect(client.getServerVersion()?.name).toBe('penpot-export');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['export_frame_png', 'export_frame_svg', 'list_frames']);
    await client.close();
  });

  test('list_frames returns the top-level boards', async () => {
    const client = await connect();
    const result: any = await client.callTool({ name: 'list_frames', arguments: { file_id: ids.fileId, page_id: ids.pageId } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.frames).toEqual([{ id: ids.frameId, name: 'Dashboard', width: 320, height: 200 }]);
    await client.close();
  });

  test('export_frame_png: MCP image content plus {mime_type, width, height, content_base64}; scale defaults to 1', async () => {
    const client = await connect();
    const result: any = await client.callTool({ name: 'export_frame_png', arguments: { file_id: ids.fileId, page_id: ids.pageId, object_id: ids.frameId } });
    expect(result.isError).toBeFalsy();
    const image = result.content.find((c: any) => c.type === 'image');
    expect(image.mimeType).toBe('image/png');
    const body = JSON.parse(result.content.find((c: any) => c.type === 'text').text);
    expect(body).toMatchObject({ mime_type: 'image/png', width: 320, height: 200 });
    expect(body.content_base64).toBe(image.data);
    expect(pngSize(Buffer.from(image.data, 'base64'))).toEqual({ width: 320, height: 200 });
    const scaled: any = await client.callTool({ name: 'export_frame_png', arguments: { file_id: ids.fileId, page_id: ids.pageId, object_id: ids.frameId, scale: 2 } });
    expect(scaled.structuredContent).toMatchObject({ width: 640, height: 400 });
    await client.close();
  });

  test('export_frame_svg: {mime_type: "image/svg+xml", width, height, content} as text', async () => {
    const client = await connect();
    const result: any = await client.callTool({ name: 'export_frame_svg', arguments: { file_id: ids.fileId, page_id: ids.pageId, object_id: ids.frameId } });
    const body = JSON.parse(result.content[0].text);
    expect(body).toMatchObject({ mime_type: 'image/svg+xml', width: 320, height: 200 });
    expect(svgProblem(Buffer.from(body.content))).toBeUndefined();
    await client.close();
  });

  test('a failure is a tool error carrying code, hint and action (exporter 502)', async () => {
    const client = await connect();
    penpot.fail('exporter-502');
    const result: any = await client.callTool({ name: 'export_frame_png', arguments: { file_id: ids.fileId, page_id: ids.pageId, object_id: ids.frameId } });
    penpot.heal();
    expect(result.isError).toBe(true);
    expect(JSON.parse(result.content[0].text)).toEqual({ code: 'exporter-unavailable', hint: expect.stringMatching(/is penpot-exporter running\? see its logs/), action: 'fix-deployment' });
    const wrongObject: any = await client.callTool({ name: 'export_frame_png', arguments: { file_id: ids.fileId, page_id: ids.pageId, object_id: ids.rectId } });
    expect(wrongObject.structuredContent).toMatchObject({ code: 'not-a-frame', action: 'fix-request' });
    await client.close();
  });

  test('ids that are not UUIDs and a scale outside (0, 10] are refused before any call to Penpot, naming the argument', async () => {
    const client = await connect();
    const before = penpot.requests.length;
    const badId: any = await client.callTool({ name: 'export_frame_svg', arguments: { file_id: ids.fileId, page_id: 'page-1', object_id: ids.frameId } });
    expect(badId.structuredContent).toMatchObject({ code: 'invalid-argument', hint: expect.stringContaining('page_id') });
    for (const scale of [0, 10.5, -1]) {
      const badScale: any = await client.callTool({ name: 'export_frame_png', arguments: { file_id: ids.fileId, page_id: ids.pageId, object_id: ids.frameId, scale } });
      expect(badScale.structuredContent).toMatchObject({ code: 'invalid-argument', hint: expect.stringContaining('scale') });
    }
    expect(penpot.requests.length).toBe(before);
    await client.close();
  });

  test('the penpot smoke check of the same dist/ runs mcp-auth on it: 401 without the token, initialize with the mounted Secret key', async () => {
    const job = dist.objects.find((o) => o.env === env && o.doc.kind === 'Job' && o.doc.metadata.name === 'penpot-smoke-check')!.doc;
    const spec = job.spec.template.spec;
    const c = spec.containers[0];
    const jobEnv: Record<string, string> = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    const line = jobEnv.SMOKE_TARGETS.split('\n').find((l: string) => l.split(' ')[1] === 'mcp-penpot-export')!;
    expect(line.split(' ')[0]).toBe('mcp-auth');
    // The token file is exactly the one key of the server's token Secret, mounted where SMOKE_BEARER_FILE points.
    const volume = spec.volumes.find((v: any) => v.name === 'token');
    expect(volume.secret).toEqual({ secretName: 'penpot-export-mcp-token', items: [{ key: 'PENPOT_EXPORT_MCP_TOKEN', path: 'token' }] });
    const mount = c.volumeMounts.find((m: any) => m.name === 'token');
    expect(mount.readOnly).toBe(true);
    expect(jobEnv.SMOKE_BEARER_FILE).toBe(`${mount.mountPath}/token`);
    const configMap = dist.objects.find((o) => o.env === env && o.doc.kind === 'ConfigMap' && o.doc.metadata.name === 'penpot-smoke-check')!.doc;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-smoke-'));
    fs.writeFileSync(path.join(dir, 'smoke.sh'), configMap.data['smoke.sh']);
    fs.writeFileSync(path.join(dir, 'token'), TOKEN);
    const target = `mcp-auth mcp-penpot-export ${url}/mcp`;
    const run = spawnSync('sh', [path.join(dir, 'smoke.sh')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...jobEnv, SMOKE_TARGETS: target, SMOKE_BEARER_FILE: path.join(dir, 'token'), SMOKE_ATTEMPTS: '1' },
    });
    // Without the file the same check fails after the 401 half (the check can fail).
    const without = spawnSync('sh', [path.join(dir, 'smoke.sh')], {
      encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, SMOKE_TARGETS: target, SMOKE_ATTEMPTS: '1' },
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(run.stdout).toMatch(/^ok {3}mcp-penpot-export .*HTTP 401 without a token, WWW-Authenticate: Bearer; with the pod's token: HTTP 200, initialize result/m);
    expect(run.status).toBe(0);
    expect(without.status).toBe(1);
    expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
  });

  test('nothing the server logged carries the password, the token or a session', () => {
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(TOKEN);
    for (const t of penpot.issuedTokens) expect(logs).not.toContain(t);
  });
});
