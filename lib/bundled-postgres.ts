import { Construct } from 'constructs';
import { ImagesConfig, ResourceSpec } from './config/types';
import { ExternalSecret } from './external-secret';
import { imageTag, resolveImage } from './images';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';
import { POD_DEFAULTS, containerSecurity, execProbe, literalEnv, podSecurity, resourceRequirements, tcpProbe } from './pods';
import { workloadService } from './workload';

/** The postgres image runs as this user (UID/GID 999 in the Debian-based image). */
export const POSTGRES_UID = 999;
export const POSTGRES_PORT = 5432;

export interface BundledPostgresProps {
  readonly namespace: string;
  /** The app it belongs to: `app.kubernetes.io/part-of` and `instance`, and the name prefix (`<partOf>-postgres`). */
  readonly partOf: string;
  readonly images: ImagesConfig;
  /** Existing Secret with keys `POSTGRES_USER` and `POSTGRES_PASSWORD`. */
  readonly credentials: ExternalSecret;
  /** Database created on first start. */
  readonly databaseName: string;
  readonly storageClassName: string;
  readonly size: string;
  readonly resources: ResourceSpec;
}

/**
 * PostgreSQL 15 for one app: a StatefulSet with its own volume (volumeClaimTemplate) and a
 * headless Service. Used by Penpot (through BundledDatabases) and by replicated Llama Stack.
 */
export class BundledPostgres extends Construct {
  readonly serviceName: string;
  readonly databaseName: string;
  /** Selector labels of the database pod (for NetworkPolicies). */
  readonly pods: Readonly<Record<string, string>>;
  readonly port = POSTGRES_PORT;

  constructor(scope: Construct, id: string, props: BundledPostgresProps) {
    super(scope, id);
    const { partOf } = props;
    this.serviceName = `${partOf}-postgres`;
    this.databaseName = props.databaseName;
    const pgId: WorkloadIdentity = { name: 'postgresql', instance: partOf, component: 'database', partOf, version: imageTag(props.images.postgres) };
    this.pods = selectorLabels(pgId);
    workloadService(this, 'postgres-service', {
      name: this.serviceName, namespace: props.namespace, identity: pgId, headless: true,
      ports: [{ name: 'postgres', port: POSTGRES_PORT }],
    });
    // pg_isready over TCP: the entrypoint's temporary init server listens on the socket only,
    // so the pod is not ready (nor live) until the real server accepts connections.
    const pgReady = ['sh', '-c', `exec pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB" -h 127.0.0.1 -p ${POSTGRES_PORT}`];
    new k8s.KubeStatefulSet(this, 'postgres', {
      metadata: { name: this.serviceName, namespace: props.namespace, labels: standardLabels(pgId) },
      spec: {
        serviceName: this.serviceName,
        replicas: 1,
        selector: { matchLabels: selectorLabels(pgId) },
        template: {
          metadata: { labels: standardLabels(pgId) },
          spec: {
            ...POD_DEFAULTS,
            securityContext: podSecurity(this, POSTGRES_UID),
            terminationGracePeriodSeconds: 60,
            containers: [{
              name: 'postgres',
              image: resolveImage(props.images.postgres, props.images.mirrors),
              imagePullPolicy: props.images.pullPolicy,
              ports: [{ name: 'postgres', containerPort: POSTGRES_PORT, protocol: 'TCP' }],
              env: [
                props.credentials.envVar('POSTGRES_USER', 'POSTGRES_USER'),
                props.credentials.envVar('POSTGRES_PASSWORD', 'POSTGRES_PASSWORD'),
                ...literalEnv({
                  POSTGRES_DB: this.databaseName,
                  // A subdirectory: volume roots may hold lost+found or be owned by root (hostPath).
                  PGDATA: '/var/lib/postgresql/data/pgdata',
                }),
              ],
              startupProbe: execProbe(pgReady, { periodSeconds: 10, failureThreshold: 30 }),
              readinessProbe: execProbe(pgReady, { periodSeconds: 10, failureThreshold: 3 }),
              livenessProbe: tcpProbe('postgres', { periodSeconds: 20, failureThreshold: 6 }),
              resources: resourceRequirements(props.resources),
              securityContext: containerSecurity(true),
              volumeMounts: [
                { name: 'data', mountPath: '/var/lib/postgresql/data' },
                { name: 'run', mountPath: '/var/run/postgresql' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [
              { name: 'run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
            ],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels: standardLabels(pgId) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(props.size) } },
          },
        }],
      },
    });
  }
}
