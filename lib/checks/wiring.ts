/**
 * Cross-object wiring checks: things every object can pass alone and still fail together.
 * Each check lives in a themed file and keeps its own id; this file only composes them.
 */
import { Dist, Finding } from './model';
import { ARGO_CHECKS, checkAppNamespaces, checkAppPathsExist, checkArgoHooks } from './wiring-argo';
import { checkDns1123Names, checkDuplicateObjects, checkEnvDuplicates, NAME_CHECKS } from './wiring-names';
import {
  checkConfigMapRefs, checkNoSecretData, checkPvcRefs, checkSecretRefs, checkServiceAccountRefs, REF_CHECKS,
} from './wiring-refs';
import {
  checkHttpRouteBackends, checkHttpRouteParents, checkRouteBackends, checkTraefikMiddlewareRefs, checkUniqueHosts, ROUTE_CHECKS, ROUTING_CHECKS,
} from './wiring-routes';
import {
  checkIngressBackends, checkProbePorts, checkServiceSelectsPods, checkServiceTargetPorts, SERVICE_CHECKS,
} from './wiring-services';

export * from './wiring-argo';
export * from './wiring-names';
export * from './wiring-refs';
export * from './wiring-services';
export * from './wiring-routes';

export const WIRING_CHECK_IDS: readonly string[] = [
  ...Object.values(SERVICE_CHECKS),
  ...Object.values(ROUTE_CHECKS),
  ...Object.values(ROUTING_CHECKS),
  ...Object.values(REF_CHECKS),
  ...Object.values(NAME_CHECKS),
  ...Object.values(ARGO_CHECKS),
];

export function checkWiring(dist: Pick<Dist, 'objects' | 'contracts' | 'dirs'>): Finding[] {
  const { objects } = dist;
  return [
    ...checkServiceSelectsPods(objects),
    ...checkServiceTargetPorts(objects),
    ...checkProbePorts(objects),
    ...checkIngressBackends(objects),
    ...checkRouteBackends(objects),
    ...checkHttpRouteBackends(objects),
    ...checkHttpRouteParents(objects),
    ...checkTraefikMiddlewareRefs(objects),
    ...checkUniqueHosts(objects),
    ...checkConfigMapRefs(objects),
    ...checkPvcRefs(objects),
    ...checkServiceAccountRefs(objects),
    ...checkSecretRefs(dist),
    ...checkNoSecretData(objects),
    ...checkDns1123Names(objects),
    ...checkDuplicateObjects(objects),
    ...checkAppPathsExist(dist),
    ...checkAppNamespaces(dist),
    ...checkArgoHooks(objects),
    ...checkEnvDuplicates(objects),
  ];
}
