/**
 * `npm run bench:export`: figures of the export path, not assertions. Bundle size against the
 * ConfigMap limit, and export latency through the stand-in of Penpot (test/support/penpot-stand-in.ts:
 * it renders nothing, so this is the client's and server's own overhead, not Penpot's render time).
 */
import { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { PenpotStandIn } from '../../../test/support/penpot-stand-in';
import { CONFIGMAP_LIMIT_BYTES, exportServerBundle } from './bundle';
import { PenpotClient } from './client';
import { createExportHttpServer } from './server';

const RUNS = Number(process.env.EXPORT_BENCH_RUNS ?? 30);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) { const t = process.hrtime.bigint(); await fn(); out.push(Number(process.hrtime.bigint() - t) / 1e6); }
  return out;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const bytes = Buffer.byteLength(exportServerBundle());
  console.log(`bundle: ${bytes} bytes = ${(100 * bytes / CONFIGMAP_LIMIT_BYTES).toFixed(1)}% of the ConfigMap limit ${CONFIGMAP_LIMIT_BYTES} (built in ${Date.now() - t0} ms)`);

  const penpot = new PenpotStandIn();
  const ids = penpot.addFile([penpot.addAccount('bench@example.internal', 'bench-password')], { name: 'Dashboard', width: 1440, height: 900 });
  await penpot.start();
  const client = new PenpotClient({ baseUrl: penpot.url, email: 'bench@example.internal', password: 'bench-password' });
  const req = { fileId: ids.fileId, pageId: ids.pageId, objectId: ids.frameId };
  const png = await time(() => client.exportFrame({ ...req, format: 'png' }));
  const svg = await time(() => client.exportFrame({ ...req, format: 'svg' }));
  console.log(`client through the stand-in, ${RUNS} runs: PNG 1440x900 median ${median(png).toFixed(1)} ms (p95 ${p95(png).toFixed(1)}), SVG median ${median(svg).toFixed(1)} ms (p95 ${p95(svg).toFixed(1)})`);

  const token = 't'.repeat(64);
  const server = createExportHttpServer({ penpotUrl: penpot.url, email: 'bench@example.internal', password: 'bench-password', token, port: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  const mcp = new Client({ name: 'bench', version: '1' });
  await mcp.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  const tool = await time(() => mcp.callTool({ name: 'export_frame_png', arguments: { file_id: ids.fileId, page_id: ids.pageId, object_id: ids.frameId } }));
  console.log(`MCP export_frame_png through the server and the stand-in, ${RUNS} runs: median ${median(tool).toFixed(1)} ms (p95 ${p95(tool).toFixed(1)})`);
  await mcp.close();
  server.close();
  await penpot.stop();
}

const USAGE = 'Usage: npm run bench:export [-- --help]\n'
  + '  Bundle size against the ConfigMap limit and export latency through the Penpot stand-in (EXPORT_BENCH_RUNS runs, default 30).';

if (process.argv.slice(2).includes('--help')) console.log(USAGE);
else if (process.argv.length > 2) {
  console.error(`Unknown option '${process.argv[2]}'\n${USAGE}`);
  process.exitCode = 2;
} else main().catch((e) => { console.error(e); process.exitCode = 1; });
