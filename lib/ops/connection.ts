/**
 * What `npm run up` prints once an app is up: its ingress URLs and its MCP endpoints, from the
 * same endpoint records as CONNECT.md, with the node port read from the live Service and the
 * node address given on the command line.
 */
import { NODE_ADDRESS_PLACEHOLDER, NODE_PORT_PLACEHOLDER, endpointUrls } from '../connection-info';
import { McpEndpoint } from '../mcp-gateway';
import { DIST_DIR } from '../platform';
import { OpsApp, OpsEnvironment } from './environment';

export interface NodePortService {
  readonly namespace: string;
  readonly name: string;
}

/** The endpoints served by Services of this app. */
export function appEndpoints(model: OpsEnvironment, app: OpsApp): McpEndpoint[] {
  return model.endpoints.filter((e) => app.objects.some((o) => o.kind === 'Service' && o.metadata.name === e.serviceName && o.metadata.namespace === e.namespace));
}

/** NodePort Services of the app's endpoints, whose live node port `up` reads. */
export function nodePortServices(model: OpsEnvironment, app: OpsApp): NodePortService[] {
  return appEndpoints(model, app).flatMap((e) => (e.nodePortServiceName ? [{ namespace: e.namespace, name: e.nodePortServiceName }] : []));
}

function ingressUrls(app: OpsApp): string[] {
  const urls = app.objects.filter((o) => o.kind === 'Ingress').flatMap((ing) => {
    const tlsHosts: string[] = (ing.spec?.tls ?? []).flatMap((t: { hosts?: string[] }) => t.hosts ?? []);
    return (ing.spec?.rules ?? []).filter((r: { host?: string }) => r.host)
      .map((r: { host: string }) => `${tlsHosts.includes(r.host) ? 'https' : 'http'}://${r.host}  (Ingress ${ing.metadata.namespace}/${ing.metadata.name})`);
  });
  return [...new Set(urls)];
}

/**
 * Lines to print. `livePorts` maps `namespace/name` of a NodePort Service to its node port as the
 * cluster reports it (missing when not read, e.g. in a dry run).
 */
export function connectionLines(model: OpsEnvironment, app: OpsApp, livePorts: ReadonlyMap<string, number>, nodeIp?: string): string[] {
  const lines = [`Connect to ${model.name}/${app.name}:`];
  for (const url of ingressUrls(app)) lines.push(`  ${url}`);
  let needsNodeIp = false;
  const endpoints = appEndpoints(model, app);
  for (const e of endpoints) {
    const urls = endpointUrls(e);
    const auth = (url: string) => (e.auth ? `${url}?${e.auth.queryParameter}=${e.auth.placeholder}` : url);
    lines.push(`  MCP ${e.name} (${e.title}):`);
    if (urls.ingress) lines.push(`    dedicated host: ${auth(urls.ingress)}`);
    if (urls.sameOrigin) lines.push(`    same origin:    ${auth(urls.sameOrigin)}`);
    if (e.exposure.type === 'NodePort' && e.nodePortServiceName) {
      const port = livePorts.get(`${e.namespace}/${e.nodePortServiceName}`) ?? e.exposure.nodePort;
      needsNodeIp ||= nodeIp === undefined;
      lines.push(`    node port:      ${auth(`http://${nodeIp ?? NODE_ADDRESS_PLACEHOLDER}:${port ?? NODE_PORT_PLACEHOLDER}${e.path}`)}`
        + `  (Service ${e.namespace}/${e.nodePortServiceName}${port === undefined ? ', port allocated by the cluster' : ''})`);
    }
    lines.push(`    in the cluster: ${auth(urls.inCluster)}`);
    if (e.auth) lines.push(`    ${e.auth.placeholder}: ${e.auth.howToGetIt}`);
  }
  if (needsNodeIp) lines.push(`  Pass --node-ip <address your clients reach the node at> to fill in ${NODE_ADDRESS_PLACEHOLDER}.`);
  if (endpoints.length > 0) lines.push(`  Client configs: ${DIST_DIR}/${model.name}/CONNECT.md and ${DIST_DIR}/${model.name}/mcp-clients/.`);
  return lines;
}
