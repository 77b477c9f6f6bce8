/**
 * The Penpot export MCP server: streamable HTTP on `/mcp` (stateless: any replica answers any
 * request), tools `list_frames`, `export_frame_png`, `export_frame_svg`, built on the export
 * client. Failures are MCP tool errors carrying `{code, hint, action}` (never exceptions, never
 * retried here). Every `/mcp` request needs `Authorization: Bearer <token>` (the token of the
 * `penpot-export-mcp-token` Secret); `/healthz` is open for probes and says nothing.
 *
 * Configuration (environment): PENPOT_URL (Penpot's frontend, in the cluster), PENPOT_EXPORT_EMAIL,
 * PENPOT_EXPORT_PASSWORD (the service account), PENPOT_EXPORT_MCP_TOKEN (callers' bearer token),
 * PORT (default 8080). `--self-test` runs the export self-test once and exits (the smoke Job).
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { MAX_SCALE, PenpotClient, PenpotExportError, isUuid, scaleProblem } from './client';
import { runSelfTest } from './self-test';

export const SERVER_NAME = 'penpot-export';
export const SERVER_VERSION = '1.0.0';
export const DEFAULT_PORT = 8080;
export const MCP_PATH = '/mcp';
export const HEALTH_PATH = '/healthz';
export const AUTH_REALM = 'penpot-export';

/** The environment variables the server reads (the Deployment sets exactly these). */
export const SERVER_ENV = {
  penpotUrl: 'PENPOT_URL',
  email: 'PENPOT_EXPORT_EMAIL',
  password: 'PENPOT_EXPORT_PASSWORD',
  token: 'PENPOT_EXPORT_MCP_TOKEN',
  port: 'PORT',
} as const;

export interface ServerConfig {
  readonly penpotUrl: string;
  readonly email: string;
  readonly password: string;
  readonly token: string;
  readonly port: number;
}

/** Reads and checks the configuration; names every missing or bad variable. */
export function serverConfig(env: Readonly<Record<string, string | undefined>>): ServerConfig {
  const problems: string[] = [];
  const need = (name: string) => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const penpotUrl = need(SERVER_ENV.penpotUrl);
  if (penpotUrl && !/^https?:\/\/[^/\s]+/.test(penpotUrl)) problems.push(`${SERVER_ENV.penpotUrl} must be an http(s) URL`);
  const email = need(SERVER_ENV.email);
  const password = need(SERVER_ENV.password);
  const token = need(SERVER_ENV.token);
  if (token && token.length < 32) problems.push(`${SERVER_ENV.token} must be at least 32 characters`);
  const port = Number(env[SERVER_ENV.port] ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`${SERVER_ENV.port} must be a port number`);
  if (problems.length > 0) throw new Error(`penpot-export: ${problems.join('; ')}`);
  return { penpotUrl: penpotUrl.replace(/\/+$/, ''), email, password, token, port };
}

type ToolResult = { content: Array<{ type: 'text'; text: string } | { type: 'image'; data: string; mimeType: string }>; structuredContent?: Record<string, unknown>; isError?: boolean };

function toolError(code: string, hint: string, action: string): ToolResult {
  const body = { code, hint, action };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body };
}

/** Checked before any call to Penpot: the argument's name is in the error. */
function badIds(ids: Record<string, string>): ToolResult | undefined {
  for (const [name, value] of Object.entries(ids)) {
    if (!isUuid(value)) return toolError('invalid-argument', `${name} must be a UUID (got "${String(value).slice(0, 60)}")`, 'fix-request');
  }
  return undefined;
}

async function guarded(run: () => Promise<ToolResult>): Promise<ToolResult> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof PenpotExportError) return toolError(e.code, e.hint, e.action);
    // Never the error text of a request: it could carry the session.
    return toolError('internal', `unexpected ${(e as Error)?.name ?? 'error'} in the export server; see its logs`, 'retry-later');
  }
}

/** One MCP server (per request: the transport is stateless) with the three tools. */
export function exportMcpServer(client: PenpotClient): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION });
  const ids = {
    file_id: z.string().describe('Penpot file id (UUID)'),
    page_id: z.string().describe('Page id (UUID) inside the file'),
  };
  server.registerTool('list_frames', {
    title: 'List the boards of a page',
    description: 'Top-level boards (frames) of a Penpot page: id, name, width, height. Use an id with export_frame_png / export_frame_svg.',
    inputSchema: ids,
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async ({ file_id, page_id }) => badIds({ file_id, page_id }) ?? guarded(async () => {
    const frames = (await client.listFrames(file_id, page_id)).map((f) => ({ id: f.id, name: f.name, width: f.width, height: f.height }));
    return { content: [{ type: 'text', text: JSON.stringify({ frames }) }], structuredContent: { frames } };
  }));

  server.registerTool('export_frame_png', {
    title: 'Export a board as PNG',
    description: `Renders a board with Penpot's exporter (what is saved on the server, no browser needed) and returns the PNG. scale: 0 < scale <= ${MAX_SCALE}, default 1.`,
    inputSchema: { ...ids, object_id: z.string().describe('Board id (UUID), see list_frames'), scale: z.number().optional().describe(`Pixel ratio, 0 < scale <= ${MAX_SCALE}; default 1`) },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async ({ file_id, page_id, object_id, scale }) => {
    const invalid = badIds({ file_id, page_id, object_id });
    if (invalid) return invalid;
    const s = scale ?? 1;
    const problem = scaleProblem(s);
    if (problem) return toolError('invalid-argument', `scale ${problem}`, 'fix-request');
    return guarded(async () => {
      const image = await client.exportFrame({ fileId: file_id, pageId: page_id, objectId: object_id, format: 'png', scale: s });
      const content_base64 = image.bytes.toString('base64');
      const body = { mime_type: 'image/png', width: image.width, height: image.height, content_base64 };
      return {
        content: [{ type: 'image', data: content_base64, mimeType: 'image/png' }, { type: 'text', text: JSON.stringify(body) }],
        structuredContent: body,
      };
    });
  });

  server.registerTool('export_frame_svg', {
    title: 'Export a board as SVG',
    description: 'Renders a board with Penpot\'s exporter and returns the SVG document as text.',
    inputSchema: { ...ids, object_id: z.string().describe('Board id (UUID), see list_frames') },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async ({ file_id, page_id, object_id }) => badIds({ file_id, page_id, object_id }) ?? guarded(async () => {
    const image = await client.exportFrame({ fileId: file_id, pageId: page_id, objectId: object_id, format: 'svg' });
    const body = { mime_type: 'image/svg+xml', width: image.width, height: image.height, content: image.bytes.toString('utf8') };
    return { content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body };
  }));
  return server;
}

const digest = (value: string) => crypto.createHash('sha256').update(value).digest();

/** Constant-time bearer check; the answer to send when it fails. */
export function bearerProblem(header: string | undefined, token: string): { status: 401; authenticate: string } | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return { status: 401, authenticate: `Bearer realm="${AUTH_REALM}", error="missing_token"` };
  if (!crypto.timingSafeEqual(digest(m[1]), digest(token))) return { status: 401, authenticate: `Bearer realm="${AUTH_REALM}", error="invalid_token"` };
  return undefined;
}

/** The HTTP server: `/healthz` (open), `/mcp` (bearer), nothing else. */
export function createExportHttpServer(config: ServerConfig, client = new PenpotClient({ baseUrl: config.penpotUrl, email: config.email, password: config.password })): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === HEALTH_PATH) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (url.pathname !== MCP_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const denied = bearerProblem(req.headers.authorization, config.token);
    if (denied) {
      res.writeHead(denied.status, { 'www-authenticate': denied.authenticate, 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'unauthorized', error_description: 'send Authorization: Bearer <token of the penpot-export-mcp-token Secret>' }));
      return;
    }
    const server = exportMcpServer(client);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => { void transport.close(); void server.close(); });
    server.connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => { if (!res.headersSent) res.writeHead(500).end(); });
  });
}

/** The bundle's entry: serve, or `--self-test` once. */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (argv.includes('--self-test')) {
    const problems = [SERVER_ENV.penpotUrl, SERVER_ENV.email, SERVER_ENV.password].filter((n) => !env[n]);
    if (problems.length > 0) { process.stderr.write(`error usage: ${problems.join(', ')} not set\n`); return 2; }
    const client = new PenpotClient({ baseUrl: env[SERVER_ENV.penpotUrl]!, email: env[SERVER_ENV.email]!, password: env[SERVER_ENV.password]! });
    try {
      for (const line of await runSelfTest(client)) process.stdout.write(`${line}\n`);
      return 0;
    } catch (e) {
      if (e instanceof PenpotExportError) process.stderr.write(`error ${e.code}: ${e.hint}\n`);
      else process.stderr.write(`error internal: ${(e as Error)?.name ?? 'Error'} during the self-test\n`);
      return 1;
    }
  }
  let config: ServerConfig;
  try {
    config = serverConfig(env);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const server = createExportHttpServer(config);
  await new Promise<void>((resolve) => server.listen(config.port, '0.0.0.0', resolve));
  process.stdout.write(`${SERVER_NAME} ${SERVER_VERSION} listening on :${config.port} (${MCP_PATH}, ${HEALTH_PATH}); Penpot at ${config.penpotUrl} as ${config.email}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return new Promise<number>(() => undefined);
}
