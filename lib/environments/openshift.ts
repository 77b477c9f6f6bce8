import { EnvironmentInput } from '../config/types';

/**
 * The user's OpenShift cluster (seed 002): the Kubernetes MCP server behind an edge Route
 * (https, TLS at the router), stateless and autoscaled 2-5 replicas at 70% CPU, with the
 * read-only RBAC profile, and Llama Stack wired to it. UIDs come from the restricted-v2 SCC; NetworkPolicies admit the
 * router by its policy group and reach OpenShift's DNS on 5353. Penpot runs on OpenShift too
 * (see README), but seed 002 does not deploy it here.
 */
export const openshift: EnvironmentInput = {
  name: 'openshift',
  description: 'OpenShift (seed 002): Kubernetes MCP server behind an edge Route, stateless, HPA 2-5 at 70% CPU, read-only RBAC',
  // The router's wildcard domain (*.apps.<cluster>): Route hosts must lie in it.
  domain: 'apps.ocp.example.internal',
  cluster: { platform: 'openshift' },
  argo: {
    repoURL: 'https://git.example.internal/platform/gitops.git',
    targetRevision: 'main',
    // The OpenShift GitOps operator's default Argo CD instance.
    namespace: 'openshift-gitops',
  },
  // The context `oc login https://api.ocp.example.internal:6443` writes (namespace/server/user).
  operations: { kubeContext: 'default/api-ocp-example-internal:6443/kube:admin' },
  // OpenShift Data Foundation's CephFS class (ReadWriteMany): replicated Llama Stack shares its uploaded files on it,
  // and its bundled PostgreSQL keeps its volume there. Name the class `oc get storageclass` shows.
  storage: { className: 'ocs-storagecluster-cephfs', hostPathBacked: false },
  penpot: { enabled: false },
  kubernetesMcp: {
    enabled: true,
    ingressHost: 'kubernetes-mcp.apps.ocp.example.internal',
    // Several replicas behind one Service need stateless sessions (and avoid 409s on reconnect).
    stateless: true,
    autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuPercent: 70 },
    // Seed 002's production sizing.
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    // Seed 002's broader CRUD profile is `rbacProfile: 'operator'` (plus rbacRiskAcknowledged);
    // this environment keeps the default read-only one.
    rbacProfile: 'read-only',
  },
  // Seed 002: Llama Stack beside the MCP server, its API behind its own edge Route, scaled like
  // the MCP server; the MCP server admits Llama Stack's pods (the MCP chart adds that flow).
  llamaStack: {
    enabled: true,
    inference: {
      kind: 'vllm',
      // A vLLM served in the cluster (e.g. OpenShift AI): its Service address range and port.
      url: 'http://vllm.ai-models.svc:8000/v1',
      apiKeySecret: 'llama-stack-inference',
      models: ['meta-llama/Llama-3.1-8B-Instruct'],
      cidrs: ['10.128.0.0/14', '172.30.0.0/16'],
    },
    autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuPercent: 70 },
    ingressHost: 'llama-stack.apps.ocp.example.internal',
    // Callers send `Authorization: Bearer $(oc whoami -t)`; only members of this OpenShift group pass
    // (`oc adm groups new llama-stack-users alice bob`). Replicas share PostgreSQL stores (bundled).
    auth: { clientGroups: ['llama-stack-users'] },
  },
  // OpenShift's user-workload monitoring reads PrometheusRules without a selector label.
  monitoring: { prometheusRules: { labels: {} } },
};
