import { checkArgoHooks, runAllChecks } from '../../lib/checks';
import { distOf, fromYaml } from './fixtures';

/** A PostSync hook Job reading its script from a ConfigMap, as lib/smoke-check.ts writes it. */
const hookJob = (configMapAnnotations = '', jobAnnotations = `
    argocd.argoproj.io/hook: PostSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation,HookSucceeded`) => fromYaml(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: smoke
  namespace: penpot
  annotations: {${configMapAnnotations}}
data: {smoke.sh: "exit 0"}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: smoke
  namespace: penpot
  annotations:${jobAnnotations}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: smoke
          image: docker.io/curlimages/curl:8.12.1
          command: [sh, /opt/smoke/smoke.sh]
          volumeMounts: [{name: script, mountPath: /opt/smoke}]
      volumes: [{name: script, configMap: {name: smoke}}]
`);

describe('wiring/argo-hooks', () => {
  it('passes a PostSync hook Job whose ConfigMap is a normal resource', () => {
    expect(checkArgoHooks(hookJob())).toEqual([]);
  });

  it('reports a pod that references a hook ConfigMap, which may not exist when the pod starts', () => {
    const findings = checkArgoHooks(hookJob('argocd.argoproj.io/hook: PostSync'));
    expect(findings.map((f) => [f.check, f.object, f.field])).toEqual([
      ['wiring/argo-hooks', 'Job penpot/smoke', 'spec.template.spec.volumes[0].configMap.name'],
    ]);
    expect(findings[0].message).toMatch(/ConfigMap 'smoke', which is an Argo CD PostSync hook/);
  });

  it('reports a misspelled hook phase and delete policy', () => {
    const findings = checkArgoHooks(hookJob('', `
    argocd.argoproj.io/hook: Postsync
    argocd.argoproj.io/hook-delete-policy: HookSucceeded,BeforeHookCreate`));
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/hook phase 'Postsync' is not one Argo CD knows/),
      expect.stringMatching(/hook delete policy 'BeforeHookCreate' is not one Argo CD knows/),
    ]);
  });

  it('reports a delete policy on an object that is no hook', () => {
    const findings = checkArgoHooks(hookJob('', `
    argocd.argoproj.io/hook-delete-policy: HookSucceeded`));
    expect(findings.map((f) => [f.object, f.field])).toEqual([
      ['Job penpot/smoke', 'metadata.annotations["argocd.argoproj.io/hook-delete-policy"]'],
    ]);
  });

  it('runs as part of runAllChecks', () => {
    const ids = runAllChecks(distOf(hookJob('argocd.argoproj.io/hook: PreSync'))).map((f) => f.check);
    expect(ids).toContain('wiring/argo-hooks');
  });
});
