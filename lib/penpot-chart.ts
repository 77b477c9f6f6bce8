import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { BundledDatabases, POSTGRES_PORT, VALKEY_PORT } from './bundled-databases';
import { EnvironmentConfig } from './config/types';
import { ExternalSecret, declareTlsSecret } from './external-secret';
import { systemLabels } from './labels';
import { McpGateway } from './mcp-gateway';
import { NetworkIsolation, peerAt } from './network-isolation';
import { MetricsScrape } from './alerts/metrics-scrape';
import { penpotAlertsFor } from './alerts/penpot-alerts-of';
import { PenpotBackup } from './penpot-backup';
import { PlatformNamespace } from './platform-namespace';
import { allowFrontendExternalEgress } from './penpot/frontend-egress';
import { BACKEND_PORT, EXPORTER_PORT, FRONTEND_PORT, PenpotCore } from './penpot-core';
import { PENPOT_MCP_HTTP_PORT, PENPOT_MCP_WS_PORT, PenpotMcpServer } from './penpot-mcp-server';
import { RoutedHost } from './routing/routed-host';
import { routingOf, tlsSecretInAppNamespaces } from './routing/routing';
import { SmokeCheck, SmokeTarget } from './smoke-check';
import { penpotExportFor } from './penpot/export/chart-hook';

export interface PenpotChartProps {
  readonly env: EnvironmentConfig;
}

/** The Secrets Penpot reads, declared once; created outside git (see the secrets contract). */
function declareSecrets(scope: Construct, env: EnvironmentConfig) {
  const namespace = env.penpot.namespace;
  const p = env.penpot;
  return {
    secretKey: new ExternalSecret(scope, 'secret-key', {
      name: 'penpot-secret-key', namespace,
      purpose: 'Signs sessions and tokens; the backend and the exporter must share it',
      keys: { PENPOT_SECRET_KEY: { description: 'Random key shared by backend and exporter', source: { kind: 'random', bytes: 64 } } },
    }),
    database: new ExternalSecret(scope, 'postgres', {
      name: 'penpot-postgres', namespace,
      purpose: 'PostgreSQL login: initialises the database on first start and is used by the backend',
      keys: {
        POSTGRES_USER: { description: 'Database user', source: { kind: 'operator', example: 'penpot' } },
        POSTGRES_PASSWORD: { description: 'Database password', source: { kind: 'random', bytes: 32 } },
      },
    }),
    smtp: p.smtp?.authenticated ? new ExternalSecret(scope, 'smtp', {
      name: 'penpot-smtp', namespace,
      purpose: `Login at the SMTP server ${p.smtp.host}`,
      keys: {
        PENPOT_SMTP_USERNAME: { description: 'SMTP user', source: { kind: 'operator', example: 'penpot@example.internal' } },
        PENPOT_SMTP_PASSWORD: { description: 'SMTP password', source: { kind: 'operator', example: 'smtp-password' } },
      },
    }) : undefined,
    oidc: p.oidc ? new ExternalSecret(scope, 'oidc', {
      name: 'penpot-oidc', namespace,
      purpose: `OpenID Connect client at ${p.oidc.baseUri} (redirect URI ${p.publicUri}/api/auth/oidc/callback)`,
      keys: {
        PENPOT_OIDC_CLIENT_ID: { description: 'Client id registered at the provider', source: { kind: 'operator', example: 'penpot' } },
        PENPOT_OIDC_CLIENT_SECRET: { description: 'Client secret', source: { kind: 'operator', example: 'client-secret' } },
      },
    }) : undefined,
    s3: p.objectStorage.backend === 's3' ? new ExternalSecret(scope, 's3', {
      name: 'penpot-s3', namespace,
      purpose: `Access keys of the S3 bucket ${p.objectStorage.bucket}`,
      keys: {
        AWS_ACCESS_KEY_ID: { description: 'S3 access key id', source: { kind: 'operator', example: 'access-key-id' } },
        AWS_SECRET_ACCESS_KEY: { description: 'S3 secret access key', source: { kind: 'operator', example: 'secret-access-key' } },
      },
    }) : undefined,
    tls: env.ingress.tlsSecretName && tlsSecretInAppNamespaces(routingOf(env))
      ? declareTlsSecret(scope, namespace, env.ingress.tlsSecretName, [p.host, ...(p.mcp.enabled && p.mcp.host ? [p.mcp.host] : [])])
      : undefined,
  };
}

/** Ports the backend needs outside the cluster: SMTP, and HTTPS for OIDC and S3. */
function externalPorts(p: EnvironmentConfig['penpot']): number[] {
  const ports = new Set<number>();
  if (p.smtp) ports.add(p.smtp.port);
  if (p.oidc) ports.add(443);
  if (p.objectStorage.backend === 's3') {
    const endpoint = p.objectStorage.endpoint ? new URL(p.objectStorage.endpoint) : undefined;
    ports.add(endpoint?.port ? Number(endpoint.port) : endpoint?.protocol === 'http:' ? 80 : 443);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Everything of the `penpot` app: namespace, databases, Penpot and its ingress. */
export class PenpotChart extends Chart {
  readonly appNamespace: string;
  /** The scheduled backups, when enabled (the restore Job is built from it outside this chart). */
  readonly backup?: PenpotBackup;

  constructor(scope: Construct, id: string, props: PenpotChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    this.appNamespace = env.penpot.namespace;

    // The assets ownership fix runs as root with CHOWN: that pod only meets `baseline`.
    const rootInit = env.penpot.objectStorage.backend === 'fs' && env.storage.hostPathBacked;
    new PlatformNamespace(this, 'namespace', { name: this.appNamespace, partOf: 'penpot', enforce: rootInit ? 'baseline' : 'restricted' });

    const secrets = declareSecrets(this, env);
    const databases = new BundledDatabases(this, 'databases', {
      namespace: this.appNamespace,
      images: env.images,
      credentials: secrets.database,
      storageClassName: env.storage.className,
      postgresSize: env.storage.postgresSize,
      postgresResources: env.penpot.resources.postgres,
      valkeyResources: env.penpot.resources.valkey,
    });

    const mcpServer = env.penpot.mcp.enabled ? new PenpotMcpServer(this, 'mcp', {
      gateway: McpGateway.forEnvironment(this, 'mcp-gateway', env),
      namespace: this.appNamespace,
      version: env.penpot.version,
      config: env.penpot.mcp,
      images: env.images,
      publicUri: env.penpot.publicUri,
      redisUri: databases.redisUri,
    }) : undefined;

    const core = new PenpotCore(this, 'core', {
      namespace: this.appNamespace,
      penpot: env.penpot,
      storage: env.storage,
      images: env.images,
      secretKey: secrets.secretKey,
      databaseUri: databases.databaseUri,
      databaseCredentials: secrets.database,
      redisUri: databases.redisUri,
      smtpCredentials: secrets.smtp,
      oidcCredentials: secrets.oidc,
      s3Credentials: secrets.s3,
      mcp: mcpServer?.endpoints,
    });

    const p = env.penpot;
    this.backup = p.backup.enabled ? new PenpotBackup(this, 'backup', {
      namespace: this.appNamespace,
      config: p.backup,
      images: env.images,
      credentials: secrets.database,
      database: { host: databases.postgresServiceName, port: POSTGRES_PORT, name: databases.databaseName },
      assetsClaimName: core.assetsClaimName,
      assetsAttachedTo: core.assetsClaimName && env.storage.assetsAccessMode === 'ReadWriteOnce' ? core.pods.backend : undefined,
      stopForRestore: [
        { name: core.backend.serviceName, replicas: p.replicas.backend, pods: core.pods.backend },
        { name: core.frontend.serviceName, replicas: p.replicas.frontend, pods: core.pods.frontend },
        { name: core.exporter.serviceName, replicas: p.replicas.exporter, pods: core.pods.exporter },
      ],
      offsite: p.backup.offsite,
      snapshotHost: env.name,
    }) : undefined;

    const net = this.isolate(env, core, databases, mcpServer, this.backup);
    // Issue 16: the export MCP server (penpot.export), wired into this namespace's isolation.
    penpotExportFor(this, env, core, net);

    new RoutedHost(this, 'ingress', {
      name: 'penpot',
      namespace: this.appNamespace,
      host: env.penpot.host,
      // One route is enough: the frontend's nginx dispatches /api, /ws, /assets, /mcp itself.
      backend: { serviceName: core.frontend.serviceName, portName: 'http', port: core.frontend.port },
      purpose: 'web',
      maxBodySizeBytes: env.penpot.maxBodySizeBytes,
      // The frontend proxies MCP streamable HTTP and SSE under /mcp/ (upstream.md section 1).
      streamingPaths: env.penpot.mcp.enabled ? ['/mcp/'] : [],
      labels: systemLabels('penpot'),
      routing: routingOf(env),
    });

    let smoke: SmokeCheck | undefined;
    if (env.smokeChecks.enabled) {
      // Built last: it checks every MCP endpoint registered above.
      smoke = new SmokeCheck(this, 'smoke-check', {
        app: 'penpot', namespace: this.appNamespace, config: env.smokeChecks, images: env.images, network: net,
        targets: penpotSmokeTargets(this.appNamespace, core, mcpServer !== undefined), mcpEndpointsOf: this,
      });
    }
    if (env.monitoring.prometheusRules) {
      // Penpot 2.17's backend serves Prometheus metrics at GET /metrics on its HTTP port (backend/src/app/metrics.clj).
      new MetricsScrape(this, 'backend-metrics', {
        name: core.backend.serviceName, namespace: this.appNamespace, labels: systemLabels('penpot'),
        selectorLabels: env.monitoring.prometheusRules.labels, pods: core.pods.backend,
        target: { service: { labels: core.pods.backend, portName: 'http' } },
      });
      net.allowIngress({ name: 'penpot-backend', pods: core.pods.backend }, peerAt(env.monitoring.prometheus), [{ port: BACKEND_PORT }]);
    }
    penpotAlertsFor(this, env, {
      namespace: this.appNamespace, backup: this.backup, smokeCheckJob: smoke?.name, exporterContainer: 'exporter',
      deployments: {
        backend: core.backend.serviceName, frontend: core.frontend.serviceName, exporter: core.exporter.serviceName, valkey: databases.valkeyServiceName,
      },
      statefulSets: { postgres: databases.postgresServiceName },
    });
  }

  /** Default deny, then exactly the flows of upstream's wiring (upstream.md section 1). */
  private isolate(env: EnvironmentConfig, core: PenpotCore, db: BundledDatabases, mcp?: PenpotMcpServer, backup?: PenpotBackup): NetworkIsolation {
    const net = new NetworkIsolation(this, 'network', { namespace: this.appNamespace, dns: env.network.dns, labels: systemLabels('penpot') });
    const w = (name: string, pods: Readonly<Record<string, string>>) => ({ name, pods });
    const frontend = w('penpot-frontend', core.pods.frontend);
    const backend = w('penpot-backend', core.pods.backend);
    const exporter = w('penpot-exporter', core.pods.exporter);
    const postgres = w('penpot-postgres', db.postgresPods);
    const valkey = w('penpot-valkey', db.valkeyPods);
    const controller = peerAt(env.network.ingressController);

    net.allowIngress(frontend, controller, [{ port: FRONTEND_PORT }]);
    allowFrontendExternalEgress(net, frontend, env.penpot.frontendEgress);
    net.allow(frontend, backend, [{ port: BACKEND_PORT }]);
    net.allow(frontend, exporter, [{ port: EXPORTER_PORT }]);
    net.allow(exporter, frontend, [{ port: FRONTEND_PORT }]);
    net.allow(exporter, valkey, [{ port: VALKEY_PORT }]);
    net.allow(backend, postgres, [{ port: POSTGRES_PORT }]);
    net.allow(backend, valkey, [{ port: VALKEY_PORT }]);
    const external = env.network.externalEgressCidrs;
    for (const port of externalPorts(env.penpot)) net.allowEgress(backend, { cidrs: external }, [{ port }]);
    if (backup) {
      // Backup and restore talk to PostgreSQL only; nothing connects to them.
      net.allow(w('penpot-backup', backup.pods), postgres, [{ port: POSTGRES_PORT }]);
      net.allow(w('penpot-restore', backup.restorePods), postgres, [{ port: POSTGRES_PORT }]);
      backup.allowRepository(net);
    }

    if (mcp) {
      const server = w('penpot-mcp', mcp.pods);
      // Only the MCP and plugin ports: the REPL (4403) is never allowed from anywhere.
      net.allow(frontend, server, [{ port: PENPOT_MCP_HTTP_PORT }, { port: PENPOT_MCP_WS_PORT }]);
      if (env.penpot.mcp.replicas > 1) net.allow(server, valkey, [{ port: VALKEY_PORT }]);
      if (env.penpot.mcp.host) net.allowIngress(server, controller, [{ port: PENPOT_MCP_HTTP_PORT }]);
      if (env.penpot.mcp.exposure.type === 'NodePort') net.allowIngress(server, { cidrs: env.network.mcpClientCidrs }, [{ port: PENPOT_MCP_HTTP_PORT }]);
      for (const namespace of env.network.mcpClientNamespaces) net.allowIngress(server, { pods: {}, namespace }, [{ port: PENPOT_MCP_HTTP_PORT }]);
    }
    return net;
  }
}

/**
 * What the post-sync check calls besides the MCP endpoint records, through the frontend's routes
 * of Penpot 2.17 (upstream.md section 1; nginx.conf.template: `location /readyz` proxies to the
 * backend's `/readyz`, which checks the database; nginx-mcp-locations: `/mcp/stream` -> mcp `/mcp`).
 */
function penpotSmokeTargets(namespace: string, core: PenpotCore, mcp: boolean): SmokeTarget[] {
  const frontendUrl = `http://${core.frontend.serviceName}.${namespace}:${core.frontend.port}`;
  const frontend = { name: 'penpot-frontend', pods: core.pods.frontend, port: FRONTEND_PORT };
  const exporter = { name: 'penpot-exporter', pods: core.pods.exporter, port: EXPORTER_PORT };
  return [
    { name: 'frontend', kind: 'http', url: `${frontendUrl}/`, reaches: frontend },
    { name: 'backend-readyz', kind: 'http', url: `${frontendUrl}/readyz`, reaches: frontend },
    { name: 'exporter-readyz', kind: 'http', url: `http://${core.exporter.serviceName}.${namespace}:${core.exporter.port}/readyz`, reaches: exporter },
    // The same-origin route users' clients take; it exists only when the frontend renders its MCP locations.
    ...(mcp ? [{ name: 'mcp-penpot-same-origin', kind: 'mcp' as const, url: `${frontendUrl}/mcp/stream`, reaches: frontend }] : []),
  ];
}
