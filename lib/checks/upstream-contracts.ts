/**
 * Contracts of the upstream images, charts and controllers that no object states: calls images
 * make on their own (egress), objects whose CRD may be missing, hooks racing workloads Argo CD
 * cannot see, images picked by charts and controllers, single-process state servers running twice. The mirror part of the image check needs
 * the environment's configured mirrors and runs beside it (`checkImageUses`).
 */
import { checkCrdDependencies, CRD_CHECKS } from './crd-dependencies';
import { checkHookBudgets, HOOK_BUDGET_CHECKS } from './hook-budget';
import { checkImageEgress, EGRESS_CHECKS } from './image-egress';
import { IMAGE_CHECKS, imageInventory } from './image-inventory';
import { Finding, ManifestObject } from './model';
import { checkSingletonServers, SINGLETON_CHECKS } from './singleton-state';

export const UPSTREAM_CONTRACT_CHECK_IDS: readonly string[] = [
  ...Object.values(CRD_CHECKS), ...Object.values(HOOK_BUDGET_CHECKS), ...Object.values(EGRESS_CHECKS), ...Object.values(IMAGE_CHECKS),
  ...Object.values(SINGLETON_CHECKS),
];

export function checkUpstreamContracts(objects: readonly ManifestObject[]): Finding[] {
  return [
    ...checkImageEgress(objects),
    ...checkCrdDependencies(objects),
    ...checkHookBudgets(objects),
    ...imageInventory(objects).findings,
    ...checkSingletonServers(objects),
  ];
}
