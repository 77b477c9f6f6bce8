import { Construct } from 'constructs';
import { ImagesConfig, PenpotConfig, StorageConfig } from './config/types';
import { ExternalSecret } from './external-secret';
import { resolveImage } from './images';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';
import { penpotFlags } from './penpot-flags';
import {
  containerSecurity, httpProbe, literalEnv, podSecurity, resourceRequirements, tcpProbe,
} from './pods';
import { Workload } from './workload';

/** Penpot images run as this UID/GID (upstream Dockerfiles). */
export const PENPOT_UID = 1001;
/** Hard-coded in the frontend's nginx (X-Accel-Redirect) and used by the backend's fs storage. */
export const ASSETS_PATH = '/opt/data/assets';

export const FRONTEND_PORT = 8080;
export const BACKEND_PORT = 6060;
export const EXPORTER_PORT = 6061;

/** Where a component reaches another one inside the namespace. */
export interface ServiceEndpoint {
  readonly serviceName: string;
  readonly port: number;
}

export function httpUrl(endpoint: ServiceEndpoint): string {
  return `http://${endpoint.serviceName}:${endpoint.port}`;
}

/** The Penpot MCP server the frontend proxies `/mcp/*` to (deployed by the MCP gateway). */
export interface PenpotMcpEndpoints {
  readonly http: ServiceEndpoint;
  readonly websocket: ServiceEndpoint;
}

export interface PenpotCoreProps {
  readonly namespace: string;
  readonly penpot: PenpotConfig;
  readonly storage: StorageConfig;
  readonly images: ImagesConfig;
  /** Holds `PENPOT_SECRET_KEY`, shared by backend and exporter. */
  readonly secretKey: ExternalSecret;
  /** `postgresql://host:port/db` without credentials. */
  readonly databaseUri: string;
  /** Credentials of the database (keys `POSTGRES_USER`, `POSTGRES_PASSWORD`). */
  readonly databaseCredentials: ExternalSecret;
  /** `redis://host:port/0`. */
  readonly redisUri: string;
  /** SMTP login (keys `PENPOT_SMTP_USERNAME`, `PENPOT_SMTP_PASSWORD`); required when SMTP is authenticated. */
  readonly smtpCredentials?: ExternalSecret;
  /** OIDC client (keys `PENPOT_OIDC_CLIENT_ID`, `PENPOT_OIDC_CLIENT_SECRET`); required with OIDC. */
  readonly oidcCredentials?: ExternalSecret;
  /** S3 access keys (keys `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`); required with S3 storage. */
  readonly s3Credentials?: ExternalSecret;
  /** The MCP server, when one is deployed: turns on `enable-mcp` and the frontend's MCP routes. @default undefined */
  readonly mcp?: PenpotMcpEndpoints;
}

function identity(component: string, version: string): WorkloadIdentity {
  return { name: 'penpot', instance: 'penpot', component, partOf: 'penpot', version };
}

/**
 * Penpot's own three workloads (frontend, backend, exporter), their Services and the shared
 * assets volume, wired by the rules of ../shared/reference/upstream.md section 1.
 */
export class PenpotCore extends Construct {
  readonly frontend: ServiceEndpoint = { serviceName: 'penpot-frontend', port: FRONTEND_PORT };
  readonly backend: ServiceEndpoint = { serviceName: 'penpot-backend', port: BACKEND_PORT };
  readonly exporter: ServiceEndpoint = { serviceName: 'penpot-exporter', port: EXPORTER_PORT };
  /** Name of the assets PVC, when assets live on the filesystem. */
  readonly assetsClaimName?: string;
  /** Selector labels of each component's pods (for NetworkPolicies). */
  readonly pods: Readonly<Record<'frontend' | 'backend' | 'exporter', Readonly<Record<string, string>>>>;

  constructor(scope: Construct, id: string, props: PenpotCoreProps) {
    super(scope, id);
    const { penpot, namespace } = props;
    const version = penpot.version;
    const image = (component: string) => resolveImage(`docker.io/penpotapp/${component}:${version}`, props.images.mirrors);
    const pullPolicy = props.images.pullPolicy;
    const flags = penpotFlags(penpot, props.mcp !== undefined).join(' ');
    const fsAssets = penpot.objectStorage.backend === 'fs';
    const sharedVolume = fsAssets && props.storage.assetsAccessMode === 'ReadWriteOnce';
    const ids = { frontend: identity('frontend', version), backend: identity('backend', version), exporter: identity('exporter', version) };
    this.pods = { frontend: selectorLabels(ids.frontend), backend: selectorLabels(ids.backend), exporter: selectorLabels(ids.exporter) };

    if (fsAssets) {
      this.assetsClaimName = 'penpot-assets';
      new k8s.KubePersistentVolumeClaim(this, 'assets', {
        metadata: { name: this.assetsClaimName, namespace, labels: standardLabels(identity('assets', version)) },
        spec: {
          accessModes: [props.storage.assetsAccessMode],
          storageClassName: props.storage.className,
          resources: { requests: { storage: k8s.Quantity.fromString(props.storage.assetsSize) } },
        },
      });
    }
    const assetsVolume: k8s.Volume[] = this.assetsClaimName
      ? [{ name: 'assets', persistentVolumeClaim: { claimName: this.assetsClaimName } }] : [];
    const assetsMount = (readOnly: boolean): k8s.VolumeMount[] =>
      (this.assetsClaimName ? [{ name: 'assets', mountPath: ASSETS_PATH, readOnly }] : []);

    // ---- backend ---------------------------------------------------------------------------
    const db = props.databaseCredentials;
    const backendEnv: k8s.EnvVar[] = [
      ...literalEnv({ PENPOT_PUBLIC_URI: penpot.publicUri, PENPOT_FLAGS: flags }),
      props.secretKey.envVar('PENPOT_SECRET_KEY', 'PENPOT_SECRET_KEY'),
      ...literalEnv({ PENPOT_DATABASE_URI: props.databaseUri }),
      db.envVar('PENPOT_DATABASE_USERNAME', 'POSTGRES_USER'),
      db.envVar('PENPOT_DATABASE_PASSWORD', 'POSTGRES_PASSWORD'),
      ...literalEnv({
        PENPOT_REDIS_URI: props.redisUri,
        PENPOT_TELEMETRY_ENABLED: String(penpot.telemetry),
        // The image's run.sh appends JVM_OPTS; without it the JVM caps the heap at 25% of the limit.
        JVM_OPTS: '-XX:MaxRAMPercentage=70',
      }),
      ...this.objectStorageEnv(props),
      ...this.smtpEnv(props),
      ...this.oidcBackendEnv(props),
    ];
    const fixOwnership: k8s.Container[] = fsAssets && props.storage.hostPathBacked ? [{
      // hostPath-backed volumes (local-path) ignore fsGroup; files restored or created by
      // another UID make the backend fail with AccessDeniedException. Only wrong owners are touched.
      // It runs as root, so its namespace can only enforce the baseline Pod Security Standard.
      name: 'fix-assets-ownership',
      image: image('backend'),
      imagePullPolicy: pullPolicy,
      command: ['sh', '-c', `find ${ASSETS_PATH} \\( ! -user ${PENPOT_UID} -o ! -group ${PENPOT_UID} \\) -exec chown ${PENPOT_UID}:${PENPOT_UID} {} +`],
      securityContext: {
        runAsUser: 0,
        runAsGroup: 0,
        runAsNonRoot: false,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        // Both are in the baseline Pod Security Standard's allowed list (DAC_READ_SEARCH is not).
        capabilities: { drop: ['ALL'], add: ['CHOWN', 'DAC_OVERRIDE'] },
      },
      resources: resourceRequirements(penpot.resources.init),
      volumeMounts: assetsMount(false),
    }] : [];
    new Workload(this, 'backend', {
      name: this.backend.serviceName,
      namespace,
      identity: ids.backend,
      replicas: penpot.replicas.backend,
      // Two backends on a ReadWriteOnce volume could land on different nodes: replace, never overlap.
      strategy: sharedVolume ? { type: 'Recreate' } : undefined,
      servicePorts: [{ name: 'http', port: BACKEND_PORT }],
      pod: {
        securityContext: podSecurity(this, PENPOT_UID),
        initContainers: fixOwnership,
        containers: [{
          name: 'backend',
          image: image('backend'),
          imagePullPolicy: pullPolicy,
          ports: [{ name: 'http', containerPort: BACKEND_PORT, protocol: 'TCP' }],
          env: backendEnv,
          // The first start runs every database migration: allow 30 x 10 s before liveness applies.
          startupProbe: httpProbe('/readyz', 'http', { periodSeconds: 10, failureThreshold: 30 }),
          readinessProbe: httpProbe('/readyz', 'http', { periodSeconds: 10, failureThreshold: 3 }),
          // /readyz checks the database; liveness must not restart the JVM when only the DB is down.
          livenessProbe: tcpProbe('http', { periodSeconds: 20, failureThreshold: 6 }),
          resources: resourceRequirements(penpot.resources.backend),
          securityContext: containerSecurity(false),
          volumeMounts: assetsMount(false),
        }],
        volumes: assetsVolume,
      },
    });

    // ---- frontend --------------------------------------------------------------------------
    const frontendEnv: k8s.EnvVar[] = literalEnv({
      PENPOT_PUBLIC_URI: penpot.publicUri,
      PENPOT_FLAGS: flags,
      PENPOT_BACKEND_URI: httpUrl(this.backend),
      PENPOT_EXPORTER_URI: httpUrl(this.exporter),
      PENPOT_HTTP_SERVER_MAX_BODY_SIZE: String(penpot.maxBodySizeBytes),
      ...(props.mcp ? { PENPOT_MCP_URI: httpUrl(props.mcp.http), PENPOT_MCP_URI_WS: httpUrl(props.mcp.websocket) } : {}),
      // The login button label is read by the frontend (since 2.16).
      ...(penpot.oidc ? { PENPOT_OIDC_NAME: penpot.oidc.name } : {}),
    });
    new Workload(this, 'frontend', {
      name: this.frontend.serviceName,
      namespace,
      identity: ids.frontend,
      replicas: penpot.replicas.frontend,
      servicePorts: [{ name: 'http', port: FRONTEND_PORT }],
      pod: {
        securityContext: podSecurity(this, PENPOT_UID),
        affinity: sharedVolume ? {
          // The frontend serves assets from the backend's ReadWriteOnce volume: same node.
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{
              labelSelector: { matchLabels: selectorLabels(ids.backend) },
              topologyKey: 'kubernetes.io/hostname',
            }],
          },
        } : undefined,
        containers: [{
          name: 'frontend',
          image: image('frontend'),
          imagePullPolicy: pullPolicy,
          ports: [{ name: 'http', containerPort: FRONTEND_PORT, protocol: 'TCP' }],
          env: frontendEnv,
          // `/readyz` of the frontend only proxies to the backend: probe nginx itself.
          readinessProbe: httpProbe('/', 'http', { periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: tcpProbe('http', { periodSeconds: 20, failureThreshold: 3 }),
          resources: resourceRequirements(penpot.resources.frontend),
          // The entrypoint rewrites nginx.conf and config.js at start.
          securityContext: containerSecurity(false),
          volumeMounts: assetsMount(true),
        }],
        volumes: assetsVolume,
      },
    });

    // ---- exporter --------------------------------------------------------------------------
    new Workload(this, 'exporter', {
      name: this.exporter.serviceName,
      namespace,
      identity: ids.exporter,
      replicas: penpot.replicas.exporter,
      servicePorts: [{ name: 'http', port: EXPORTER_PORT }],
      pod: {
        securityContext: podSecurity(this, PENPOT_UID),
        containers: [{
          name: 'exporter',
          image: image('exporter'),
          imagePullPolicy: pullPolicy,
          ports: [{ name: 'http', containerPort: EXPORTER_PORT, protocol: 'TCP' }],
          env: [
            ...literalEnv({
              PENPOT_PUBLIC_URI: penpot.publicUri,
              PENPOT_FLAGS: flags,
              // Renders pages through the frontend Service, not the public URI (new in 2.17).
              PENPOT_INTERNAL_URI: httpUrl(this.frontend),
            }),
            props.secretKey.envVar('PENPOT_SECRET_KEY', 'PENPOT_SECRET_KEY'),
            ...literalEnv({
              PENPOT_REDIS_URI: props.redisUri,
              PENPOT_TEMPDIR: '/tmp/penpot-exporter',
              PENPOT_BROWSER_POOL_MAX: String(penpot.exporterBrowserPoolMax),
            }),
          ],
          readinessProbe: httpProbe('/readyz', 'http', { periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: tcpProbe('http', { periodSeconds: 20, failureThreshold: 3 }),
          resources: resourceRequirements(penpot.resources.exporter),
          securityContext: containerSecurity(false),
          volumeMounts: [
            { name: 'tmp', mountPath: '/tmp' },
            { name: 'dshm', mountPath: '/dev/shm' },
          ],
        }],
        volumes: [
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('2Gi') } },
          // Chromium needs a large shared memory; the runtime's default /dev/shm is 64 MiB.
          { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(`${256 * penpot.exporterBrowserPoolMax}Mi`) } },
        ],
      },
    });
  }

  private objectStorageEnv(props: PenpotCoreProps): k8s.EnvVar[] {
    const storage = props.penpot.objectStorage;
    if (storage.backend === 'fs') {
      return literalEnv({ PENPOT_OBJECTS_STORAGE_BACKEND: 'fs', PENPOT_OBJECTS_STORAGE_FS_DIRECTORY: ASSETS_PATH });
    }
    const creds = required(props.s3Credentials, 's3Credentials', 'S3 object storage');
    return [
      ...literalEnv({
        PENPOT_OBJECTS_STORAGE_BACKEND: 's3',
        PENPOT_OBJECTS_STORAGE_S3_BUCKET: storage.bucket,
        PENPOT_OBJECTS_STORAGE_S3_REGION: storage.region,
        ...(storage.endpoint ? { PENPOT_OBJECTS_STORAGE_S3_ENDPOINT: storage.endpoint } : {}),
      }),
      // The backend uses the AWS SDK's default credential chain.
      creds.envVar('AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY_ID'),
      creds.envVar('AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_ACCESS_KEY'),
    ];
  }

  private smtpEnv(props: PenpotCoreProps): k8s.EnvVar[] {
    const smtp = props.penpot.smtp;
    if (!smtp) return [];
    const env = literalEnv({
      PENPOT_SMTP_HOST: smtp.host,
      PENPOT_SMTP_PORT: String(smtp.port),
      PENPOT_SMTP_TLS: String(smtp.tls),
      PENPOT_SMTP_DEFAULT_FROM: smtp.defaultFrom,
      PENPOT_SMTP_DEFAULT_REPLY_TO: smtp.defaultReplyTo,
    });
    if (!smtp.authenticated) return env;
    const creds = required(props.smtpCredentials, 'smtpCredentials', 'authenticated SMTP');
    return [...env, creds.envVar('PENPOT_SMTP_USERNAME', 'PENPOT_SMTP_USERNAME'), creds.envVar('PENPOT_SMTP_PASSWORD', 'PENPOT_SMTP_PASSWORD')];
  }

  private oidcBackendEnv(props: PenpotCoreProps): k8s.EnvVar[] {
    const oidc = props.penpot.oidc;
    if (!oidc) return [];
    const creds = required(props.oidcCredentials, 'oidcCredentials', 'OIDC login');
    return [
      ...literalEnv({ PENPOT_OIDC_BASE_URI: oidc.baseUri, PENPOT_OIDC_SCOPES: oidc.scopes }),
      creds.envVar('PENPOT_OIDC_CLIENT_ID', 'PENPOT_OIDC_CLIENT_ID'),
      creds.envVar('PENPOT_OIDC_CLIENT_SECRET', 'PENPOT_OIDC_CLIENT_SECRET'),
    ];
  }
}

function required<T>(value: T | undefined, prop: string, feature: string): T {
  if (value === undefined) throw new Error(`PenpotCore: ${feature} is configured but props.${prop} is missing`);
  return value;
}
