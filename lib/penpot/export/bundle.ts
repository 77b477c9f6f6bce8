/**
 * The export MCP server as one self-contained JavaScript file, built by esbuild at synth time and
 * delivered in a ConfigMap (the project has no image registry): a stock Node image runs it.
 * Deterministic for a given source tree and esbuild version, so dist/ stays reproducible.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export const BUNDLE_FILE = 'server.js';
/** The Kubernetes limit of a ConfigMap's data (etcd's request size bound). */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
/** The Node.js major the bundle is built for; the pinned image must run at least this. */
export const BUNDLE_NODE_TARGET = 'node20';

let cached: string | undefined;

/** The bundle's text (built once per process, by bundle-build.js in a child process). */
export function exportServerBundle(): string {
  if (cached !== undefined) return cached;
  cached = execFileSync(process.execPath, [path.join(__dirname, 'bundle-build.js'), BUNDLE_NODE_TARGET], {
    encoding: 'utf8', maxBuffer: 4 * CONFIGMAP_LIMIT_BYTES, stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Room for the YAML around it and growth; the limit is hard (the API server refuses the object).
  if (Buffer.byteLength(cached) > CONFIGMAP_LIMIT_BYTES * 0.8) {
    throw new Error(`penpot-export bundle is ${Buffer.byteLength(cached)} bytes, over 80% of the ConfigMap limit ${CONFIGMAP_LIMIT_BYTES}`);
  }
  return cached;
}
