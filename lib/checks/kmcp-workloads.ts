/**
 * The Deployment the kMCP controller creates for each `MCPServer`, modelled from its translator
 * (kagent-dev/kmcp pkg/controller/transportadapter/transportadapter_translator.go): pods labelled
 * `app.kubernetes.io/name` and `instance` = the server's name, container `mcp-server`, for stdio an
 * init container `copy-binary` (the transport adapter), security contexts and resources from the
 * MCPServer's `deployment`. Not written to dist/: the policy checks read these so that
 * NetworkPolicies and Pod Security levels are judged against the pods that will really run.
 * The translator declares no container ports; the listening port is modelled as one so the
 * "port a policy allows exists" check can compare numbers (numeric ports work without a declaration).
 */
import { DEFAULT_KMCP_VERSION, kmcpAdapterImage } from '../kmcp-release';
import { asArray, asRecord, kindOf, ManifestObject } from './model';

export function isMcpServer(doc: any): boolean {
  return kindOf(doc) === 'MCPServer' && String(asRecord(doc).apiVersion).startsWith('kagent.dev/');
}

export function kmcpWorkloadOf(m: ManifestObject): ManifestObject {
  const doc = asRecord(m.doc);
  const meta = asRecord(doc.metadata);
  const spec = asRecord(doc.spec);
  const d = asRecord(spec.deployment);
  const name = String(meta.name);
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  const port = typeof d.port === 'number' ? d.port : 3000;
  const stdio = spec.transportType !== 'http';
  const init = asRecord(d.initContainer);
  const container = {
    name: 'mcp-server',
    image: d.image,
    ...(stdio ? {} : { args: asArray(d.args) }),
    ports: [{ containerPort: port, protocol: 'TCP' }],
    ...(d.securityContext ? { securityContext: d.securityContext } : {}),
    ...(d.resources ? { resources: d.resources } : {}),
  };
  return {
    ...m,
    doc: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: meta.namespace, labels: { ...labels, 'app.kubernetes.io/managed-by': 'kmcp' } },
      spec: {
        replicas: d.replicas ?? 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/managed-by': 'kmcp' } },
          spec: {
            serviceAccountName: name,
            ...(d.podSecurityContext ? { securityContext: d.podSecurityContext } : {}),
            ...(stdio ? { initContainers: [{ name: 'copy-binary', image: init.image ?? kmcpAdapterImage(DEFAULT_KMCP_VERSION), ...(init.securityContext ? { securityContext: init.securityContext } : {}) }] } : {}),
            containers: [container],
          },
        },
      },
    },
  };
}

/** The controller-made workloads of every MCPServer among `objects`. */
export function kmcpWorkloads(objects: readonly ManifestObject[]): ManifestObject[] {
  return objects.filter((m) => isMcpServer(m.doc)).map(kmcpWorkloadOf);
}
