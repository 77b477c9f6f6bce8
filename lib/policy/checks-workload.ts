/**
 * Workload hygiene (kube-score, kube-linter, Polaris): resources, images, probes, selectors,
 * StatefulSet Services, CronJob and Job settings.
 */
import {
  asArray, asRecord, asString, isRecord, kindOf, labelsMatch, namespaceOf, podLabelsOf, podSpecOf, podSpecPathOf,
} from '../checks/model';
import { PolicyCheck, PolicyViolation } from './model';
import { canonical, containerEntries, containerName, isWorkload, LONG_RUNNING_KINDS, podLabelsPathOf } from './workloads';

const RESOURCE_NAMES = ['cpu', 'memory'] as const;

export const requestsLimits: PolicyCheck = {
  id: 'resources/requests-limits',
  severity: 'warning',
  description: 'every container, init containers included, sets cpu and memory requests and limits',
  appliesTo: isWorkload,
  check(doc) {
    const out: PolicyViolation[] = [];
    for (const entry of containerEntries(doc)) {
      const resources = asRecord(entry.container.resources);
      const missing: string[] = [];
      for (const kind of ['requests', 'limits'] as const) {
        for (const name of RESOURCE_NAMES) {
          const v = asRecord(resources[kind])[name];
          if (v === undefined || v === null || v === '') missing.push(`${kind}.${name}`);
        }
      }
      if (missing.length > 0) {
        out.push({
          field: `${entry.field}.resources`, container: containerName(entry),
          message: `container '${containerName(entry)}' sets no ${missing.join(', ')}`,
        });
      }
    }
    return out;
  },
};

/** Why an image reference is not pinned, or undefined when it is (a digest or a fixed tag). */
export function imagePinProblem(image: unknown): string | undefined {
  if (typeof image !== 'string' || image.trim() === '') return 'has no image';
  if (image.includes('@')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return `image '${image}' has no tag, so it pulls 'latest'`;
  const tag = image.slice(colon + 1).toLowerCase();
  if (tag === 'latest' || tag.endsWith('-latest')) return `image '${image}' uses a moving tag '${image.slice(colon + 1)}'`;
  return undefined;
}

export const pinnedTag: PolicyCheck = {
  id: 'images/pinned-tag',
  severity: 'danger',
  description: 'every image has a tag (or digest) that is not latest or *-latest',
  appliesTo: isWorkload,
  check(doc) {
    return containerEntries(doc).flatMap((entry) => {
      const problem = imagePinProblem(entry.container.image);
      return problem ? [{ field: `${entry.field}.image`, container: containerName(entry), message: `container '${containerName(entry)}' ${problem}` }] : [];
    });
  },
};

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

export const pullPolicy: PolicyCheck = {
  id: 'images/pull-policy',
  severity: 'warning',
  description: 'every container sets imagePullPolicy explicitly (Always, IfNotPresent or Never)',
  appliesTo: isWorkload,
  check(doc) {
    return containerEntries(doc).flatMap((entry) => {
      const policy = entry.container.imagePullPolicy;
      if (PULL_POLICIES.includes(policy)) return [];
      return [{
        field: `${entry.field}.imagePullPolicy`, container: containerName(entry),
        message: policy === undefined
          ? `container '${containerName(entry)}' sets no imagePullPolicy (the default depends on the tag)`
          : `container '${containerName(entry)}' has imagePullPolicy ${JSON.stringify(policy)}; allowed: ${PULL_POLICIES.join(', ')}`,
      }];
    });
  },
};

export const readinessProbe: PolicyCheck = {
  id: 'probes/readiness',
  severity: 'warning',
  description: 'every container of a Deployment, StatefulSet or DaemonSet has a readinessProbe',
  appliesTo: (doc) => LONG_RUNNING_KINDS.has(kindOf(doc)),
  check(doc) {
    return containerEntries(doc, 'regular')
      .filter((entry) => !isRecord(entry.container.readinessProbe))
      .map((entry) => ({
        field: `${entry.field}.readinessProbe`, container: containerName(entry),
        message: `container '${containerName(entry)}' has no readinessProbe: it receives traffic before it can answer`,
      }));
  },
};

export const livenessDiffers: PolicyCheck = {
  id: 'probes/liveness-differs',
  severity: 'warning',
  description: 'a livenessProbe, when set, is not identical to the readinessProbe',
  appliesTo: isWorkload,
  check(doc) {
    return containerEntries(doc, 'regular')
      .filter(({ container }) => isRecord(container.livenessProbe) && isRecord(container.readinessProbe)
        && canonical(container.livenessProbe) === canonical(container.readinessProbe))
      .map((entry) => ({
        field: `${entry.field}.livenessProbe`, container: containerName(entry),
        message: `container '${containerName(entry)}' has a livenessProbe identical to its readinessProbe: `
          + 'a slow dependency then restarts the pod instead of only taking it out of rotation',
      }));
  },
};

const SELECTOR_REQUIRED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

export const selectorMatchesTemplate: PolicyCheck = {
  id: 'workload/selector-matches-template',
  severity: 'danger',
  description: "a workload's selector is set and matches the labels of its own pod template",
  appliesTo: (doc) => SELECTOR_REQUIRED.has(kindOf(doc)) || kindOf(doc) === 'ReplicationController'
    || (kindOf(doc) === 'Job' && asRecord(asRecord(doc).spec).selector !== undefined),
  check(doc) {
    const selector = asRecord(asRecord(doc).spec).selector;
    const kind = kindOf(doc);
    const empty = !isRecord(selector) || Object.keys(selector).length === 0
      || ('matchLabels' in selector || 'matchExpressions' in selector
        ? Object.keys(asRecord(selector.matchLabels)).length === 0 && asArray(selector.matchExpressions).length === 0
        : false);
    if (empty && kind !== 'ReplicationController') {
      return [{ field: 'spec.selector', message: 'has no selector (or an empty one): it would adopt every pod of the namespace' }];
    }
    if (!labelsMatch(selector, podLabelsOf(doc))) {
      return [{
        field: 'spec.selector',
        message: `selector ${JSON.stringify(selector)} does not match the pod template labels `
          + `${JSON.stringify(podLabelsOf(doc))} (${podLabelsPathOf(kind)})`,
      }];
    }
    return [];
  },
};

export const headlessService: PolicyCheck = {
  id: 'statefulset/headless-service',
  severity: 'danger',
  description: 'a StatefulSet names in serviceName a headless Service (clusterIP: None) of its namespace',
  appliesTo: (doc) => kindOf(doc) === 'StatefulSet',
  check(doc, ctx) {
    const name = asString(asRecord(asRecord(doc).spec).serviceName);
    const ns = namespaceOf(doc);
    if (!name) return [{ field: 'spec.serviceName', message: 'sets no serviceName: its pods get no stable DNS names' }];
    const svc = ctx.index.find(ctx.env, ns, 'Service', name);
    if (!svc) return [{ field: 'spec.serviceName', message: `serviceName '${name}' names no Service in namespace '${ns}'` }];
    const clusterIP = asRecord(asRecord(svc.doc).spec).clusterIP;
    if (clusterIP !== 'None') {
      return [{ field: 'spec.serviceName', message: `Service '${name}' is not headless (clusterIP ${JSON.stringify(clusterIP ?? 'unset')}, expected None)` }];
    }
    return [];
  },
};

const isCronJob = (doc: any): boolean => kindOf(doc) === 'CronJob';

export const cronJobDeadline: PolicyCheck = {
  id: 'cronjob/deadline',
  severity: 'warning',
  description: 'a CronJob sets startingDeadlineSeconds',
  appliesTo: isCronJob,
  check(doc) {
    return typeof asRecord(asRecord(doc).spec).startingDeadlineSeconds === 'number' ? [] : [{
      field: 'spec.startingDeadlineSeconds',
      message: 'sets no startingDeadlineSeconds: after 100 missed schedules the controller stops starting it',
    }];
  },
};

const CONCURRENCY = ['Allow', 'Forbid', 'Replace'];

export const cronJobConcurrency: PolicyCheck = {
  id: 'cronjob/concurrency',
  severity: 'warning',
  description: 'a CronJob sets concurrencyPolicy explicitly',
  appliesTo: isCronJob,
  check(doc) {
    const policy = asRecord(asRecord(doc).spec).concurrencyPolicy;
    return CONCURRENCY.includes(policy) ? [] : [{
      field: 'spec.concurrencyPolicy',
      message: policy === undefined ? 'sets no concurrencyPolicy (the default Allow lets runs pile up)'
        : `has concurrencyPolicy ${JSON.stringify(policy)}; allowed: ${CONCURRENCY.join(', ')}`,
    }];
  },
};

const isJobLike = (doc: any): boolean => kindOf(doc) === 'Job' || kindOf(doc) === 'CronJob';
const jobSpecPath = (doc: any): string => (kindOf(doc) === 'CronJob' ? 'spec.jobTemplate.spec' : 'spec');
const jobSpecOf = (doc: any): Record<string, any> => (kindOf(doc) === 'CronJob'
  ? asRecord(asRecord(asRecord(asRecord(doc).spec).jobTemplate).spec) : asRecord(asRecord(doc).spec));

export const jobTtl: PolicyCheck = {
  id: 'job/ttl',
  severity: 'warning',
  description: 'a Job (or the job template of a CronJob) sets ttlSecondsAfterFinished',
  appliesTo: isJobLike,
  check(doc) {
    return typeof jobSpecOf(doc).ttlSecondsAfterFinished === 'number' ? [] : [{
      field: `${jobSpecPath(doc)}.ttlSecondsAfterFinished`,
      message: 'sets no ttlSecondsAfterFinished: finished Jobs and their pods are kept forever',
    }];
  },
};

export const jobRestartPolicy: PolicyCheck = {
  id: 'job/restart-policy',
  severity: 'danger',
  description: 'the pods of a Job or CronJob have restartPolicy OnFailure or Never',
  appliesTo: isJobLike,
  check(doc) {
    const policy = asRecord(podSpecOf(doc)).restartPolicy;
    return policy === 'OnFailure' || policy === 'Never' ? [] : [{
      field: `${podSpecPathOf(kindOf(doc))}.restartPolicy`,
      message: `has restartPolicy ${JSON.stringify(policy ?? 'unset (Always)')}; a Job's pods need OnFailure or Never`,
    }];
  },
};

export const WORKLOAD_CHECKS: readonly PolicyCheck[] = [
  requestsLimits, pinnedTag, pullPolicy, readinessProbe, livenessDiffers, selectorMatchesTemplate, headlessService,
  cronJobDeadline, cronJobConcurrency, jobTtl, jobRestartPolicy,
];
