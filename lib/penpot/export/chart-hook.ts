/** The one call the penpot chart makes for `penpot.export` (kept here so lib/penpot-chart.ts stays a one-line hook). */
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../../config/types';
import { McpGateway } from '../../mcp-gateway';
import { NetworkIsolation } from '../../network-isolation';
import { FRONTEND_PORT, PenpotCore } from '../../penpot-core';
import { PenpotExport } from './penpot-export';
import { PenpotExportSmokeTest } from './smoke-test-job';

export function penpotExportFor(scope: Construct, env: EnvironmentConfig, core: PenpotCore, net: NetworkIsolation): PenpotExport | undefined {
  const config = env.penpot.export;
  if (!config.enabled) return undefined;
  const namespace = env.penpot.namespace;
  const penpotUrl = `http://${core.frontend.serviceName}.${namespace}:${core.frontend.port}`;
  const server = new PenpotExport(scope, 'export', {
    gateway: McpGateway.forEnvironment(scope, 'export-gateway', env),
    namespace, config, images: env.images, penpotUrl,
  });
  const frontend = { name: 'penpot-frontend', pods: core.pods.frontend };
  server.isolate(net, frontend, FRONTEND_PORT, config);
  if (config.smokeTest) new PenpotExportSmokeTest(scope, 'export-smoke-test', { server, namespace, images: env.images, penpotUrl, network: net, frontend, frontendPort: FRONTEND_PORT, image: config.image });
  return server;
}
