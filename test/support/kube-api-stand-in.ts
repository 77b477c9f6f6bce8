/**
 * An HTTPS STAND-IN for the Kubernetes API server (client-go drops bearer tokens for http:// servers):
 * it answers discovery and a namespace list, and records every request's path and `Authorization`
 * header. It proves what a client sent, not what a real API server would decide (TokenReview, RBAC).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { tempDir } from './environments';

export interface RecordedRequest { readonly method: string; readonly path: string; readonly authorization?: string }

export interface TlsFiles { readonly dir: string; readonly cert: string; readonly key: string }

/** A self-signed certificate for 127.0.0.1, made with openssl (scripts/install-system-packages.sh installs it in CI). */
export function loopbackCertificate(): TlsFiles {
  const dir = tempDir('loopback-tls-');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr || r.error}`);
  return { dir, cert, key };
}

export interface KubeApiStandIn {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startKubeApiStandIn(): Promise<KubeApiStandIn> {
  const tls = loopbackCertificate();
  const requests: RecordedRequest[] = [];
  const server = https.createServer({ cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) }, (req, res) => {
    const p = (req.url ?? '').split('?')[0];
    requests.push({ method: req.method ?? '', path: p, authorization: req.headers.authorization });
    const json = (o: unknown, status = 200): void => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(o)); };
    if (p === '/api') return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (p === '/apis') return json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (p === '/api/v1') {
      return json({ kind: 'APIResourceList', groupVersion: 'v1', resources: [
        { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list'] },
        { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] },
      ] });
    }
    if (p === '/api/v1/namespaces') return json({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'stand-in-namespace' } }] });
    return json({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404 }, 404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => { fs.rmSync(tls.dir, { recursive: true, force: true }); resolve(); }); }),
  };
}
