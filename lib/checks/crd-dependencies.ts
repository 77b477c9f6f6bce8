/**
 * Objects that need a CRD the cluster may lack (see lib/crd-prerequisites.ts): each is either
 * of a kind its environment installs in an earlier sync wave, or marked
 * `SkipDryRunOnMissingResource=true`, or in an app holding nothing but such objects. Otherwise one
 * absent CRD fails Argo CD's dry-run of the whole app and nothing of it deploys.
 */
import { SYNC_WAVE } from '../argo-application';
import {
  customKindOf, hasSkipDryRun, installedKinds, kindKey, needsSkipDryRun, SKIP_DRY_RUN, SYNC_OPTIONS_ANNOTATION,
} from '../crd-prerequisites';
import { asRecord, asString, Finding, findingAt, groupOf, kindOf, ManifestObject, nameOf } from './model';

export const CRD_CHECKS = {
  isolated: 'upstream/crd-optional-kind-isolated',
  order: 'upstream/crd-installed-before-use',
} as const;

const isApplication = (doc: any): boolean => kindOf(doc) === 'Application' && groupOf(asRecord(doc).apiVersion) === 'argoproj.io';

/** The child Applications of an environment (its `apps` folder), with their waves and sources. */
export function childApplications(objects: readonly ManifestObject[], env: string): Array<{ name: string; wave: number; path?: string; chart?: string; doc: any }> {
  return objects.filter((m) => m.env === env && m.app === 'apps' && isApplication(m.doc)).map((m) => {
    const source = asRecord(asRecord(m.doc.spec).source);
    const wave = Number(asRecord(asRecord(m.doc.metadata).annotations)[SYNC_WAVE] ?? 0);
    return { name: nameOf(m.doc), wave: Number.isFinite(wave) ? wave : 0, path: asString(source.path), chart: asString(source.chart), doc: m.doc };
  });
}

export function checkCrdDependencies(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const env of new Set(objects.map((m) => m.env))) {
    const apps = childApplications(objects, env);
    const installers = apps.filter((a) => a.chart !== undefined);
    const installed = installedKinds(installers.map((a) => a.chart!));
    for (const crd of objects.filter((m) => m.env === env && kindOf(m.doc) === 'CustomResourceDefinition')) {
      const spec = asRecord(crd.doc.spec);
      installed.add(`${String(spec.group)}/${String(asRecord(spec.names).kind)}`);
    }
    const inEnv = objects.filter((m) => m.env === env && m.app !== undefined && m.app !== 'apps');
    for (const m of inEnv) {
      const custom = customKindOf(m.doc.apiVersion, m.doc.kind);
      if (!custom) continue;
      const key = kindKey(m.doc.apiVersion, m.doc.kind);
      if (needsSkipDryRun(m.doc.apiVersion, m.doc.kind, installed)) {
        const marked = hasSkipDryRun(asRecord(asRecord(m.doc.metadata).annotations)[SYNC_OPTIONS_ANNOTATION]);
        const isolated = inEnv.filter((o) => o.app === m.app).every((o) => customKindOf(o.doc.apiVersion, o.doc.kind)?.scope === 'optional');
        if (!marked && !isolated) {
          findings.push(findingAt(CRD_CHECKS.isolated, m, `needs the CRD ${custom.crd} (${custom.providedBy}), which this environment does not install; `
            + `if it is missing, Argo CD's dry-run fails the whole app '${m.app}': mark it ${SYNC_OPTIONS_ANNOTATION}: ${SKIP_DRY_RUN} or move it to an app of its own`,
          `metadata.annotations["${SYNC_OPTIONS_ANNOTATION}"]`));
        }
        continue;
      }
      // Installed by the environment: the installing app must come first.
      const installer = installers.find((a) => (a.chart && installedKinds([a.chart]).has(key)));
      const user = apps.find((a) => a.path !== undefined && a.path.split('/').pop() === m.app);
      if (installer && user && user.wave <= installer.wave) {
        findings.push(findingAt(CRD_CHECKS.order, m, `its CRD ${custom.crd} is installed by ${installer.name} (wave ${installer.wave}), but its app ${user.name} has wave ${user.wave}: it must come later`));
      }
    }
  }
  return findings;
}
