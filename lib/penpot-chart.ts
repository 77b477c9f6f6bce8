import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { SYNC_WAVE } from './argo-application';
import { BundledDatabases } from './bundled-databases';
import { EnvironmentConfig } from './config/types';
import { ExternalSecret, declareTlsSecret } from './external-secret';
import { InternalIngress } from './internal-ingress';
import { k8s } from './k8s';
import { systemLabels } from './labels';
import { McpGateway } from './mcp-gateway';
import { PenpotCore } from './penpot-core';
import { PenpotMcpServer } from './penpot-mcp-server';

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
    tls: env.ingress.tlsSecretName
      ? declareTlsSecret(scope, namespace, env.ingress.tlsSecretName, [p.host, ...(p.mcp.enabled && p.mcp.host ? [p.mcp.host] : [])])
      : undefined,
  };
}

/** Everything of the `penpot` app: namespace, databases, Penpot and its ingress. */
export class PenpotChart extends Chart {
  readonly appNamespace: string;

  constructor(scope: Construct, id: string, props: PenpotChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    this.appNamespace = env.penpot.namespace;

    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: this.appNamespace,
        labels: systemLabels('penpot'),
        // Before anything namespaced in the same sync.
        annotations: { [SYNC_WAVE]: '-1' },
      },
    });

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
      gateway: new McpGateway(this, 'mcp-gateway', {
        ingressClassName: env.ingress.className,
        tlsSecretName: env.ingress.tlsSecretName,
        allowedSourceCidrs: env.ingress.allowedSourceCidrs,
      }),
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

    new InternalIngress(this, 'ingress', {
      name: 'penpot',
      namespace: this.appNamespace,
      className: env.ingress.className,
      tlsSecretName: env.ingress.tlsSecretName,
      allowedSourceCidrs: env.ingress.allowedSourceCidrs,
      maxBodySizeBytes: env.penpot.maxBodySizeBytes,
      labels: systemLabels('penpot'),
      // One route is enough: the frontend's nginx dispatches /api, /ws, /assets, /mcp itself.
      routes: [{ host: env.penpot.host, serviceName: core.frontend.serviceName, servicePortName: 'http' }],
    });
  }
}
