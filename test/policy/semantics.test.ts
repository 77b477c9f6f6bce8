/** Edge cases of individual checks: what counts as compliant, and what is read from where. */
import { ManifestObject } from '../../lib/checks/model';
import {
  allowedDisruptions, execAttach, imagePinProblem, livenessDiffers, noBlockingPdb, pdbForReplicated, podSecurityLevel,
  podSelected, policySelectsPods, portExists, runAsNonRoot, secrets, selectorMatchesTemplate, sensitiveEnv, seccomp,
  spread,
} from '../../lib/policy/checks';
import { podSecurityProblems } from '../../lib/policy/pod-security';
import { container, edit, good, mainOf, mo, NS, podOf, podSpec, violationsOf, without } from './fixtures';

const fields = (vs: { field: string }[]) => vs.map((v) => v.field);

describe('images', () => {
  it.each([
    ['nginx@sha256:0123456789abcdef', undefined],
    ['registry.example.com:5000/team/app:1.2', undefined],
    ['registry.example.com:5000/team/app', 'no tag'],
    ['app:LATEST', 'moving tag'],
    ['app:8-latest', 'moving tag'],
    ['', 'no image'],
  ])('%s', (image, problem) => {
    const found = imagePinProblem(image);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe('probes/liveness-differs', () => {
  it('passes without a liveness probe', () => {
    const objects = edit(good(), 'Deployment', 'web', (d) => { delete mainOf(d).livenessProbe; });
    expect(violationsOf(livenessDiffers, objects, 'Deployment', 'web')).toEqual([]);
  });
});

describe('workload/selector-matches-template', () => {
  it('accepts a ReplicationController without selector (it defaults to the template labels)', () => {
    const rc = mo({
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: NS },
      spec: { template: { metadata: { labels: { app: 'rc' } }, spec: podSpec([container('rc')]) } },
    });
    expect(violationsOf(selectorMatchesTemplate, [rc], 'ReplicationController', 'rc')).toEqual([]);
  });

  it('evaluates matchExpressions', () => {
    const objects = edit(good(), 'Deployment', 'web', (d) => {
      d.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] };
    });
    expect(fields(violationsOf(selectorMatchesTemplate, objects, 'Deployment', 'web'))).toEqual(['spec.selector']);
  });
});

describe('security overrides', () => {
  it('accepts runAsNonRoot on every container instead of the pod', () => {
    const objects = edit(good(), 'StatefulSet', 'db', (d) => {
      delete podOf(d).securityContext.runAsNonRoot;
      mainOf(d).securityContext.runAsNonRoot = true;
    });
    expect(violationsOf(runAsNonRoot, objects, 'StatefulSet', 'db')).toEqual([]);
  });

  it('reports a container that turns runAsNonRoot off although the pod sets it', () => {
    const objects = edit(good(), 'StatefulSet', 'db', (d) => { mainOf(d).securityContext.runAsNonRoot = false; });
    expect(fields(violationsOf(runAsNonRoot, objects, 'StatefulSet', 'db')))
      .toEqual(['spec.template.spec.containers[0].securityContext.runAsNonRoot']);
  });

  it('accepts a Localhost seccomp profile per container', () => {
    const objects = edit(good(), 'StatefulSet', 'db', (d) => {
      delete podOf(d).securityContext.seccompProfile;
      mainOf(d).securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/db.json' };
    });
    expect(violationsOf(seccomp, objects, 'StatefulSet', 'db')).toEqual([]);
  });

  it('accepts secret-looking env vars from a Secret and other literals', () => {
    const objects = edit(good(), 'Deployment', 'web', (d) => {
      mainOf(d).env = [
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'LOG_LEVEL', value: 'info' },
      ];
    });
    expect(violationsOf(sensitiveEnv, objects, 'Deployment', 'web')).toEqual([]);
  });
});

describe('availability', () => {
  const hpa = (max: number): ManifestObject => mo({
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'db', namespace: NS },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }, minReplicas: 1, maxReplicas: max },
  });

  it('needs no PDB or spread for a single replica', () => {
    expect(violationsOf(pdbForReplicated, good(), 'StatefulSet', 'db')).toEqual([]);
    expect(violationsOf(spread, good(), 'StatefulSet', 'db')).toEqual([]);
  });

  it('requires spread when an HPA scales a workload beyond one replica', () => {
    expect(violationsOf(spread, [...good(), hpa(3)], 'StatefulSet', 'db')).toHaveLength(1);
  });

  it('accepts preferred podAntiAffinity on the own pods as spread', () => {
    const objects = edit(good(), 'Deployment', 'web', (d) => {
      delete podOf(d).topologySpreadConstraints;
      podOf(d).affinity = {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } },
          }],
        },
      };
    });
    expect(violationsOf(spread, objects, 'Deployment', 'web')).toEqual([]);
  });

  it('counts a PDB with an empty selector (all pods) but not one without selector', () => {
    const empty = edit(good(), 'PodDisruptionBudget', 'web', (d) => { d.spec.selector = {}; });
    expect(violationsOf(pdbForReplicated, empty, 'Deployment', 'web')).toEqual([]);
    const none = edit(good(), 'PodDisruptionBudget', 'web', (d) => { delete d.spec.selector; });
    expect(violationsOf(pdbForReplicated, none, 'Deployment', 'web')).toHaveLength(1);
  });

  it('does not count a PDB of another namespace or environment', () => {
    const objects = edit(good(), 'PodDisruptionBudget', 'web', (d) => { d.metadata.namespace = 'other'; });
    expect(violationsOf(pdbForReplicated, objects, 'Deployment', 'web')).toHaveLength(1);
    const pdb = good().find((m) => m.doc.kind === 'PodDisruptionBudget')!;
    const otherEnv = [...without(good(), 'PodDisruptionBudget', 'web'), mo(pdb.doc, 'prod')];
    expect(violationsOf(pdbForReplicated, otherEnv, 'Deployment', 'web')).toHaveLength(1);
  });

  it('computes allowed disruptions like the disruption controller', () => {
    const pdb = (spec: any) => ({ spec });
    expect(allowedDisruptions(pdb({ minAvailable: 1 }), 1)).toBe(0);
    expect(allowedDisruptions(pdb({ minAvailable: 1 }), 2)).toBe(1);
    expect(allowedDisruptions(pdb({ minAvailable: '50%' }), 3)).toBe(1);
    expect(allowedDisruptions(pdb({ maxUnavailable: '50%' }), 1)).toBe(1);
    expect(allowedDisruptions(pdb({ maxUnavailable: '0%' }), 4)).toBe(0);
    expect(allowedDisruptions(pdb({}), 1)).toBe(0);
  });

  it('accepts maxUnavailable 1 over a single replica', () => {
    const objects = [...good(), mo({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: NS },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'db' } } },
    })];
    expect(violationsOf(noBlockingPdb, objects, 'PodDisruptionBudget', 'db')).toEqual([]);
  });

  it('uses the HPA minimum as the pods a PDB can count on', () => {
    const objects = [...good(), hpa(3), mo({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: NS },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } },
    })];
    expect(violationsOf(noBlockingPdb, objects, 'PodDisruptionBudget', 'db')).toHaveLength(1);
  });
});

describe('rbac', () => {
  it('ignores pods/exec outside the core API group', () => {
    const objects = edit(good(), 'Role', 'reader', (d) => { d.rules[0].apiGroups = ['metrics.k8s.io']; d.rules[0].resources = ['pods/exec', 'secrets']; });
    expect(violationsOf(execAttach, objects, 'Role', 'reader')).toEqual([]);
    expect(violationsOf(secrets, objects, 'Role', 'reader')).toEqual([]);
  });

  it("reports a resource wildcard as exec access and the built-in 'admin' role as secrets access", () => {
    const role = edit(good(), 'Role', 'reader', (d) => { d.rules[0].resources = ['*']; });
    expect(violationsOf(execAttach, role, 'Role', 'reader')).toHaveLength(1);
    const binding = edit(good(), 'ClusterRoleBinding', 'app-view', (d) => { d.roleRef.name = 'admin'; });
    expect(fields(violationsOf(secrets, binding, 'ClusterRoleBinding', 'app-view'))).toEqual(['roleRef.name']);
  });
});

describe('network', () => {
  it('reads an unset policyTypes as Ingress, plus Egress when egress rules exist', () => {
    const ingressOnly = edit(without(good(), 'NetworkPolicy', 'web'), 'NetworkPolicy', 'default-deny', (d) => { delete d.spec.policyTypes; });
    expect(violationsOf(podSelected, ingressOnly, 'Deployment', 'web').map((v) => v.message)).toEqual([
      expect.stringContaining('policyTypes Egress'),
    ]);
    const both = edit(ingressOnly, 'NetworkPolicy', 'default-deny', (d) => { d.spec.egress = []; });
    expect(violationsOf(podSelected, both, 'Deployment', 'web')).toEqual([]);
  });

  it('does not count policies of another namespace', () => {
    const objects = edit(good(), 'NetworkPolicy', 'default-deny', (d) => { d.metadata.namespace = 'other'; });
    expect(violationsOf(podSelected, objects, 'StatefulSet', 'db')).toHaveLength(2);
    expect(violationsOf(podSelected, objects, 'Deployment', 'web')).toEqual([]);
  });

  it('reports an empty podSelector in a namespace without pods', () => {
    const objects = edit(good(), 'NetworkPolicy', 'default-deny', (d) => { d.metadata.namespace = 'empty'; });
    expect(violationsOf(policySelectsPods, objects, 'NetworkPolicy', 'default-deny')[0].message).toContain('which has none');
  });

  it('matches protocols and port ranges', () => {
    const udp = edit(good(), 'NetworkPolicy', 'web', (d) => { d.spec.ingress[0].ports[0].protocol = 'UDP'; });
    expect(fields(violationsOf(portExists, udp, 'NetworkPolicy', 'web'))).toEqual(['spec.ingress[0].ports[0].port']);
    const range = edit(good(), 'NetworkPolicy', 'web', (d) => { d.spec.ingress[0].ports[0] = { port: 8000, endPort: 8100 }; });
    expect(violationsOf(portExists, range, 'NetworkPolicy', 'web')).toEqual([]);
  });

  it('resolves egress peers named by kubernetes.io/metadata.name and skips destinations outside dist', () => {
    const named = edit(good(), 'NetworkPolicy', 'web', (d) => {
      d.spec.egress[0].to[0].namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': NS } };
      d.spec.egress[0].ports[0].port = 6379;
    });
    expect(fields(violationsOf(portExists, named, 'NetworkPolicy', 'web'))).toEqual(['spec.egress[0].ports[0].port']);
    const dns = edit(good(), 'NetworkPolicy', 'web', (d) => {
      d.spec.egress[0] = {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }],
      };
    });
    expect(violationsOf(portExists, dns, 'NetworkPolicy', 'web')).toEqual([]);
  });
});

describe('pod security levels', () => {
  const rootInit = (d: any) => {
    const init = podOf(d).initContainers[0];
    init.securityContext = { runAsUser: 0, runAsNonRoot: false, capabilities: { drop: ['ALL'], add: ['CHOWN'] } };
  };

  it("admits a root init container with CHOWN under 'baseline' but not 'restricted'", () => {
    const web = edit(good(), 'Deployment', 'web', rootInit).find((m) => m.doc.kind === 'Deployment')!.doc;
    expect(podSecurityProblems(web, 'baseline')).toEqual([]);
    expect(podSecurityProblems(web, 'restricted')).toEqual(expect.arrayContaining([
      "container 'init' runAsNonRoot not true", "container 'init' runAsUser 0", "container 'init' adds CHOWN",
    ]));
    const objects = edit(edit(good(), 'Deployment', 'web', rootInit), 'Namespace', NS, (d) => {
      d.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    });
    expect(violationsOf(podSecurityLevel, objects, 'Namespace', NS)).toEqual([]);
  });

  it("rejects host namespaces under 'baseline' and admits anything under 'privileged'", () => {
    const objects = edit(edit(good(), 'Deployment', 'web', (d) => { podOf(d).hostNetwork = true; }), 'Namespace', NS, (d) => {
      d.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    });
    expect(violationsOf(podSecurityLevel, objects, 'Namespace', NS)[0].message).toContain('hostNetwork: true');
    const privileged = edit(objects, 'Namespace', NS, (d) => { d.metadata.labels['pod-security.kubernetes.io/enforce'] = 'privileged'; });
    expect(violationsOf(podSecurityLevel, privileged, 'Namespace', NS)).toEqual([]);
  });
});
