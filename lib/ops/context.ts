/** The guard every operations script runs first: kubectl must point at the environment's cluster. */

/** A message when kubectl's current context is not the environment's, else undefined. */
export function contextProblem(envName: string, expected: string, current: string): string | undefined {
  if (current === expected) return undefined;
  return `kubectl's current context is ${JSON.stringify(current)} but environment ${envName} names ${JSON.stringify(expected)} `
    + `(environments.${envName}.operations.kubeContext). Nothing was done.\n`
    + `Switch with \`kubectl config use-context ${expected}\` if that is the cluster you mean, or fix the configuration.`;
}
