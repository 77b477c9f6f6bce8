import * as fs from 'node:fs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { ImagesConfig, SmokeChecksConfig } from './config/types';
import { endpointUrls } from './connection-info';
import { resolveImage } from './images';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';
import { McpEndpoint, McpGateway } from './mcp-gateway';
import { NetworkIsolation } from './network-isolation';
import { attemptsFor } from './smoke-budget';
import { POD_DEFAULTS, containerSecurity, literalEnv, podSecurity, resourceRequirements } from './pods';
import { SmokeBearerSource, bearerSourceKey, smokeBearerSourceOf, smokeCredential, smokeKindOf, smokeSecretCredential } from './smoke-auth';

/**
 * UID of `curl_user` in curlimages/curl. The image names its user, not its number, so a pod with
 * `runAsNonRoot` must give the number (curl/curl-docker#62, curl/curl-container#25: USER is the
 * name `curl_user`, created by `adduser -S`, which is UID 100 in 8.12.1 as used by SocialGouv/egapro#3113).
 */
export const SMOKE_CHECK_UID = 100;
/** The script, a file of this repository; the ConfigMap carries it byte for byte. */
export const SMOKE_SCRIPT_SOURCE = path.resolve(__dirname, '..', 'ops', 'smoke', 'smoke.sh');
export const SMOKE_SCRIPT_KEY = 'smoke.sh';
export const SMOKE_SCRIPT_DIR = '/opt/smoke-check';

/**
 * Argo CD resource hooks (argo-cd.readthedocs.io user-guide/resource_hooks): PostSync runs after
 * every resource of the sync is healthy. BeforeHookCreation removes the previous run when the next
 * sync starts and HookSucceeded removes a passing run at once, so only a failed run stays to inspect.
 */
export const SMOKE_HOOK_ANNOTATIONS = {
  'argocd.argoproj.io/hook': 'PostSync',
  'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
} as const;

/** How long a failed run stays for `kubectl logs` before Kubernetes deletes it (the next sync deletes it anyway). */
export const SMOKE_FAILED_RUN_TTL_SECONDS = 86400;
/** Time for scheduling and pulling the image, on top of the checks' own worst case. */
export const SMOKE_START_ALLOWANCE_SECONDS = 120;

export type SmokeCheckKind = 'http' | 'mcp' | 'mcp-auth' | 'mcp-unauth';

/** A workload of the check's namespace the smoke pod talks to. */
export interface SmokeFlow {
  /** Name of the workload's NetworkPolicy in the namespace's {@link NetworkIsolation}. */
  readonly name: string;
  /** Selector labels of its pods. */
  readonly pods: Readonly<Record<string, string>>;
  /** The container port (number or name) the Service behind the URL targets. */
  readonly port: number | string;
}

export interface SmokeTarget {
  /** Printed with the result and in the failure message, e.g. `backend-readyz`. Lowercase letters, digits, '-'. */
  readonly name: string;
  /** `http`: GET must answer 200. `mcp`: an MCP `initialize` must return a result (see ops/smoke/smoke.sh). */
  readonly kind: SmokeCheckKind;
  /** In-cluster URL, `http://<service>.<namespace>:<port><path>`. */
  readonly url: string;
  /** Where the URL lands: the smoke pod may reach exactly these pods on this port, and they accept it. */
  readonly reaches: SmokeFlow;
  /**
   * Time the target may need after the sync before it answers, when Argo CD cannot wait for it
   * (a controller-made workload, lib/smoke-budget.ts). The check retries at least this long.
   * @default 0 (Argo CD runs PostSync hooks only once the app's workloads are healthy)
   */
  readonly startBudgetSeconds?: number;
  /**
   * Where an `mcp-auth` check's token comes from (lib/smoke-auth.ts).
   * @default the pod's own ServiceAccount token, for `mcp-auth` checks
   */
  readonly bearer?: SmokeBearerSource;
}

export interface SmokeCheckProps {
  /** The Argo CD app it belongs to (`penpot`, `mcp`): names the Job and ConfigMap `<app>-smoke-check`. */
  readonly app: string;
  readonly namespace: string;
  readonly config: SmokeChecksConfig;
  /** Mirrors and pull policy applied to the image like every other image. */
  readonly images: ImagesConfig;
  /** The namespace's default-deny isolation: each target's flow is added there, egress and ingress half. */
  readonly network: NetworkIsolation;
  /** Checks besides the MCP endpoints. @default [] */
  readonly targets?: readonly SmokeTarget[];
  /**
   * Every MCP endpoint registered with a {@link McpGateway} below this scope gets an `mcp` check on
   * its in-cluster URL. Build the SmokeCheck after the last server: synth fails if one is added later.
   * @default undefined (no MCP checks)
   */
  readonly mcpEndpointsOf?: Construct;
  /**
   * Start budgets of MCP endpoints (by endpoint name) whose workload Argo CD cannot wait for.
   * @default {} (none)
   */
  readonly mcpStartBudgets?: Readonly<Record<string, number>>;
  /**
   * Tries per check before it counts as failed (`SMOKE_ATTEMPTS`); raised so that the retries
   * cover the largest target start budget. @default 3
   */
  readonly attempts?: number;
  /** Pause between tries (`SMOKE_RETRY_DELAY_SECONDS`). @default 3 */
  readonly retryDelaySeconds?: number;
  /** Bound of each request (`SMOKE_TIMEOUT_SECONDS`). @default 10 */
  readonly timeoutSeconds?: number;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The `mcp` check of one endpoint record. An endpoint with per-user auth (Penpot's `userToken`) is
 * initialized without a key: penpotapp/mcp opens a session for any initialize and reads the token
 * only for tool calls (penpot/penpot mcp/packages/server/src/PenpotMcpServer.ts `/mcp` handler; its
 * http test connects in multi-user mode without one), so no user secret is needed here.
 */
export function mcpSmokeTarget(endpoint: McpEndpoint, startBudgetSeconds?: number): SmokeTarget {
  return {
    name: `mcp-${endpoint.name}`,
    kind: smokeKindOf(endpoint),
    url: endpointUrls(endpoint).inCluster,
    reaches: { name: endpoint.serviceName, pods: endpoint.pods, port: endpoint.targetPort },
    ...(startBudgetSeconds ? { startBudgetSeconds } : {}),
    ...(smokeBearerSourceOf(endpoint) ? { bearer: smokeBearerSourceOf(endpoint) } : {}),
  };
}

const endpointKey = (e: McpEndpoint): string => `${e.namespace}/${e.serviceName}/${e.name}`;

/**
 * A post-sync smoke check for one Argo CD app: a PostSync hook Job that runs ops/smoke/smoke.sh
 * (from a ConfigMap synced as a normal resource, so it exists before the hook starts) against
 * every target and exits non-zero naming what failed, which turns the sync red. Its pod gets its
 * own NetworkPolicy reaching exactly the targets; each target accepts it.
 */
export class SmokeCheck extends Construct {
  readonly name: string;
  readonly targets: readonly SmokeTarget[];
  readonly job: k8s.KubeJob;
  /** Selector labels of the smoke pod. */
  readonly pods: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SmokeCheckProps) {
    super(scope, id);
    this.name = `${props.app}-smoke-check`;
    const retryDelaySeconds = props.retryDelaySeconds ?? 3;
    const timeoutSeconds = props.timeoutSeconds ?? 10;

    const endpoints = props.mcpEndpointsOf ? McpGateway.endpointsIn(props.mcpEndpointsOf) : [];
    for (const e of endpoints.filter((x) => x.namespace !== props.namespace)) {
      throw new Error(`SmokeCheck ${this.name}: MCP endpoint ${e.name} is in namespace ${e.namespace}, not ${props.namespace}; `
        + 'its NetworkPolicy lives there: give that namespace a SmokeCheck of its own');
    }
    this.targets = [...(props.targets ?? []), ...endpoints.map((e) => mcpSmokeTarget(e, props.mcpStartBudgets?.[e.name]))];
    checkTargets(this.name, this.targets);
    // Every check retries at least as long as the slowest target may take to start.
    const attempts = attemptsFor(Math.max(0, ...this.targets.map((t) => t.startBudgetSeconds ?? 0)), retryDelaySeconds, props.attempts ?? 3);
    if (props.mcpEndpointsOf) {
      const seen = new Set(endpoints.map(endpointKey));
      const source = props.mcpEndpointsOf;
      this.node.addValidation({
        validate: () => McpGateway.endpointsIn(source).filter((e) => !seen.has(endpointKey(e)))
          .map((e) => `MCP endpoint ${e.name} (${e.serviceName}) was registered after SmokeCheck ${this.name} was built, so it is not checked; `
            + 'build the SmokeCheck after the last server'),
      });
    }

    const identity: WorkloadIdentity = { name: 'smoke-check', instance: this.name, component: 'smoke-check', partOf: props.app };
    const labels = standardLabels(identity);
    this.pods = selectorLabels(identity);

    new k8s.KubeConfigMap(this, 'script', {
      metadata: { name: this.name, namespace: props.namespace, labels },
      data: { [SMOKE_SCRIPT_KEY]: fs.readFileSync(SMOKE_SCRIPT_SOURCE, 'utf8') },
    });

    const smokePod = { name: this.name, pods: this.pods };
    props.network.workload(smokePod.name, smokePod.pods);
    const flows = new Map<string, SmokeFlow>();
    for (const t of this.targets) flows.set(`${t.reaches.name}:${t.reaches.port}`, t.reaches);
    for (const flow of flows.values()) props.network.allow(smokePod, flow, [{ port: flow.port }]);

    // Endpoints that require a token: the pod's own, RBAC-less ServiceAccount token, or the one key
    // of a static-token Secret (lib/smoke-auth.ts). ops/smoke/smoke.sh reads one token file per run.
    const source = bearerSourceOf(this.name, this.targets);
    const credential = source?.kind === 'secret'
      ? smokeSecretCredential(source.name, source.key)
      : source ? smokeCredential(this, this.name, props.namespace, labels) : undefined;
    const serviceAccountName = credential?.serviceAccountName;
    // Worst case: every check spends all its tries at the request bound.
    const checksSeconds = this.targets.length * (attempts * timeoutSeconds + (attempts - 1) * retryDelaySeconds);
    this.job = new k8s.KubeJob(this, 'job', {
      metadata: { name: this.name, namespace: props.namespace, labels, annotations: { ...SMOKE_HOOK_ANNOTATIONS } },
      spec: {
        // The script retries each check itself; a second pod would only repeat them and delay the red sync.
        backoffLimit: 0,
        activeDeadlineSeconds: SMOKE_START_ALLOWANCE_SECONDS + checksSeconds,
        ttlSecondsAfterFinished: SMOKE_FAILED_RUN_TTL_SECONDS,
        template: {
          metadata: { labels },
          spec: {
            ...POD_DEFAULTS,
            ...(serviceAccountName ? { serviceAccountName } : {}),
            restartPolicy: 'Never',
            securityContext: podSecurity(this, SMOKE_CHECK_UID),
            containers: [{
              name: 'smoke-check',
              image: resolveImage(props.config.image, props.images.mirrors),
              imagePullPolicy: props.images.pullPolicy,
              // Replaces the image's entrypoint (a curl wrapper) with the script.
              command: ['sh', `${SMOKE_SCRIPT_DIR}/${SMOKE_SCRIPT_KEY}`],
              env: literalEnv({
                SMOKE_TARGETS: this.targets.map((t) => `${t.kind} ${t.name} ${t.url}`).join('\n'),
                SMOKE_ATTEMPTS: String(attempts),
                SMOKE_RETRY_DELAY_SECONDS: String(retryDelaySeconds),
                SMOKE_TIMEOUT_SECONDS: String(timeoutSeconds),
                ...credential?.env,
              }),
              resources: resourceRequirements(props.config.resources),
              securityContext: containerSecurity(true),
              // The script's last lines name the failures; they become the termination message in the pod's status.
              terminationMessagePolicy: 'FallbackToLogsOnError',
              volumeMounts: [
                { name: 'script', mountPath: SMOKE_SCRIPT_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
                ...(credential ? [credential.volumeMount] : []),
              ],
            }],
            volumes: [
              { name: 'script', configMap: { name: this.name } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
              ...(credential ? [credential.volume] : []),
            ],
          },
        },
      },
    });
  }
}

/** The one token source of the run's `mcp-auth` checks (the script reads a single SMOKE_BEARER_FILE). */
function bearerSourceOf(owner: string, targets: readonly SmokeTarget[]): SmokeBearerSource | undefined {
  const sources = new Map<string, { source: SmokeBearerSource; checks: string[] }>();
  for (const t of targets.filter((x) => x.kind === 'mcp-auth')) {
    const source = t.bearer ?? { kind: 'service-account' };
    const entry = sources.get(bearerSourceKey(source)) ?? { source, checks: [] };
    entry.checks.push(t.name);
    sources.set(bearerSourceKey(source), entry);
  }
  if (sources.size > 1) {
    throw new Error(`SmokeCheck ${owner}: its mcp-auth checks need different tokens (${[...sources].map(([k, v]) => `${v.checks.join(', ')}: ${k}`).join('; ')}); `
      + 'one run reads one SMOKE_BEARER_FILE: give these endpoints SmokeChecks of their own');
  }
  return [...sources.values()][0]?.source;
}

function checkTargets(owner: string, targets: readonly SmokeTarget[]): void {
  if (targets.length === 0) throw new Error(`SmokeCheck ${owner}: no target to check`);
  const names = new Set<string>();
  for (const t of targets) {
    if (!NAME.test(t.name)) throw new Error(`SmokeCheck ${owner}: check name "${t.name}" must be lowercase letters, digits and '-'`);
    if (names.has(t.name)) throw new Error(`SmokeCheck ${owner}: check name "${t.name}" is used twice`);
    names.add(t.name);
    if (!/^http:\/\/[^\s/]+\/\S*$/.test(t.url)) throw new Error(`SmokeCheck ${owner}: check ${t.name} URL "${t.url}" is not http://host[:port]/path without spaces`);
  }
}
