import { Construct } from 'constructs';
import { ImagesConfig } from '../../config/types';
import { resolveImage } from '../../images';
import { k8s } from '../../k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from '../../labels';
import { NetworkIsolation } from '../../network-isolation';
import { POD_DEFAULTS, containerSecurity, literalEnv, podSecurity, resourceRequirements } from '../../pods';
import { SMOKE_HOOK_ANNOTATIONS } from '../../smoke-check';
import { BUNDLE_FILE } from './bundle';
import { EXPORT_IMAGE_UID } from './config';
import { BUNDLE_DIR, PenpotExport } from './penpot-export';
import { SERVER_ENV } from './server';

export const EXPORT_SMOKE_TEST_NAME = 'penpot-export-self-test';
/** Two renders (PNG, SVG) of a small board, each bounded by nginx's 300 s, plus login and cleanup. */
export const EXPORT_SMOKE_TEST_DEADLINE_SECONDS = 900;

export interface PenpotExportSmokeTestProps {
  readonly server: PenpotExport;
  readonly namespace: string;
  readonly images: ImagesConfig;
  readonly image: string;
  readonly penpotUrl: string;
  readonly network: NetworkIsolation;
  readonly frontend: { name: string; pods: Readonly<Record<string, string>> };
  readonly frontendPort: number;
}

/**
 * `penpot.export.smokeTest`: a PostSync hook Job that runs the bundled server's `--self-test`
 * (scratch file with one board, PNG and SVG export, checks, delete) as the service account. The one
 * check that proves the export path end to end (secret key, internal URI, Chromium, assets owner).
 */
export class PenpotExportSmokeTest extends Construct {
  constructor(scope: Construct, id: string, props: PenpotExportSmokeTestProps) {
    super(scope, id);
    const identity: WorkloadIdentity = { name: EXPORT_SMOKE_TEST_NAME, instance: EXPORT_SMOKE_TEST_NAME, component: 'smoke-check', partOf: 'penpot' };
    const labels = standardLabels(identity);
    const pods = selectorLabels(identity);
    props.network.allow({ name: EXPORT_SMOKE_TEST_NAME, pods }, props.frontend, [{ port: props.frontendPort }]);
    new k8s.KubeJob(this, 'job', {
      metadata: { name: EXPORT_SMOKE_TEST_NAME, namespace: props.namespace, labels, annotations: { ...SMOKE_HOOK_ANNOTATIONS } },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: EXPORT_SMOKE_TEST_DEADLINE_SECONDS,
        ttlSecondsAfterFinished: 86400,
        template: {
          metadata: { labels },
          spec: {
            ...POD_DEFAULTS,
            restartPolicy: 'Never',
            securityContext: podSecurity(this, EXPORT_IMAGE_UID),
            containers: [{
              name: 'self-test',
              image: resolveImage(props.image, props.images.mirrors),
              imagePullPolicy: props.images.pullPolicy,
              command: ['node', `${BUNDLE_DIR}/${BUNDLE_FILE}`, '--self-test'],
              env: [
                ...literalEnv({ [SERVER_ENV.penpotUrl]: props.penpotUrl }),
                props.server.account.envVar(SERVER_ENV.email, 'PENPOT_EXPORT_EMAIL'),
                props.server.account.envVar(SERVER_ENV.password, 'PENPOT_EXPORT_PASSWORD'),
              ],
              resources: resourceRequirements({ requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } }),
              securityContext: containerSecurity(true),
              terminationMessagePolicy: 'FallbackToLogsOnError',
              volumeMounts: [{ name: 'server', mountPath: BUNDLE_DIR, readOnly: true }],
            }],
            volumes: [{ name: 'server', configMap: { name: props.server.configMapName } }],
          },
        },
      },
    });
  }
}
