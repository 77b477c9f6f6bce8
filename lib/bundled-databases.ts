import { Construct } from 'constructs';
import { ImagesConfig, ResourceSpec } from './config/types';
import { ExternalSecret } from './external-secret';
import { imageTag, resolveImage } from './images';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels } from './labels';
import { BundledPostgres, POSTGRES_PORT, POSTGRES_UID } from './bundled-postgres';
import { containerSecurity, execProbe, podSecurity, resourceRequirements, tcpProbe } from './pods';
import { Workload } from './workload';

export { POSTGRES_PORT } from './bundled-postgres';
/** The postgres and valkey images run as this user (UID/GID 999 in both Debian-based images). */
export const DATABASE_UID = POSTGRES_UID;
export const VALKEY_PORT = 6379;

export interface BundledDatabasesProps {
  readonly namespace: string;
  /** Used for the `app.kubernetes.io/part-of` and `instance` labels and as the name prefix. @default 'penpot' */
  readonly partOf?: string;
  readonly images: ImagesConfig;
  /** Existing Secret with keys `POSTGRES_USER` and `POSTGRES_PASSWORD`. */
  readonly credentials: ExternalSecret;
  /** Database created on first start. @default 'penpot' */
  readonly databaseName?: string;
  readonly storageClassName: string;
  readonly postgresSize: string;
  readonly postgresResources: ResourceSpec;
  readonly valkeyResources: ResourceSpec;
}

/**
 * PostgreSQL 15 (StatefulSet with its own volume, headless Service) and Valkey 8.1 (cache and
 * message bus, no volume): the two services Penpot needs and its Helm chart no longer ships.
 */
export class BundledDatabases extends Construct {
  readonly postgresServiceName: string;
  readonly valkeyServiceName: string;
  readonly databaseName: string;
  /** Selector labels of the database pods (for NetworkPolicies). */
  readonly postgresPods: Readonly<Record<string, string>>;
  readonly valkeyPods: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: BundledDatabasesProps) {
    super(scope, id);
    const partOf = props.partOf ?? 'penpot';
    this.postgresServiceName = `${partOf}-postgres`;
    this.valkeyServiceName = `${partOf}-valkey`;
    this.databaseName = props.databaseName ?? 'penpot';
    const pullPolicy = props.images.pullPolicy;

    // Construct ids stay those of the earlier inline code: the synthesized objects are unchanged.
    const postgres = new BundledPostgres(this, 'bundled-postgres', {
      namespace: props.namespace, partOf, images: props.images, credentials: props.credentials, databaseName: this.databaseName,
      storageClassName: props.storageClassName, size: props.postgresSize, resources: props.postgresResources,
    });
    this.postgresPods = postgres.pods;

    const valkeyId: WorkloadIdentity = { name: 'valkey', instance: partOf, component: 'cache', partOf, version: imageTag(props.images.valkey) };
    this.valkeyPods = selectorLabels(valkeyId);
    new Workload(this, 'valkey', {
      name: this.valkeyServiceName,
      namespace: props.namespace,
      identity: valkeyId,
      replicas: 1,
      // One server only, ever: a rolling update would run two independent Valkeys behind the Service for a
      // while, splitting Penpot's pub/sub (notifications, the MCP replicas' bridge) between them.
      strategy: { type: 'Recreate' },
      servicePorts: [{ name: 'valkey', port: VALKEY_PORT }],
      pod: {
        securityContext: podSecurity(this, DATABASE_UID),
        containers: [{
          name: 'valkey',
          image: resolveImage(props.images.valkey, props.images.mirrors),
          imagePullPolicy: pullPolicy,
          // Upstream Penpot's settings: a bounded cache that evicts keys with a TTL first.
          args: ['valkey-server', '--maxmemory', '128mb', '--maxmemory-policy', 'volatile-lfu'],
          ports: [{ name: 'valkey', containerPort: VALKEY_PORT, protocol: 'TCP' }],
          // valkey-cli exits 0 on an error reply (e.g. LOADING): look for PONG.
          readinessProbe: execProbe(['sh', '-c', 'valkey-cli ping | grep -q PONG'], { periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: tcpProbe('valkey', { periodSeconds: 20, failureThreshold: 3 }),
          resources: resourceRequirements(props.valkeyResources),
          securityContext: containerSecurity(true),
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        }],
        volumes: [{ name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('512Mi') } }],
      },
    });
  }

  /** `postgresql://` URI without credentials, as Penpot's backend expects. */
  get databaseUri(): string {
    return `postgresql://${this.postgresServiceName}:${POSTGRES_PORT}/${this.databaseName}`;
  }

  get redisUri(): string {
    return `redis://${this.valkeyServiceName}:${VALKEY_PORT}/0`;
  }
}
