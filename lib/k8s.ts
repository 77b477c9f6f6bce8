/**
 * The typed Kubernetes 1.28 API used by every construct. Kept behind this one module so a
 * move away from the frozen cdk8s-plus-28 (or to `cdk8s import k8s`) is a one-file change.
 */
export { k8s } from 'cdk8s-plus-28';
