import { ConfigError, resolveEnvironments } from '../../lib/config/resolve';
import { EnvironmentInput } from '../../lib/config/types';

/** The issues of a config that must be rejected; fails the test when it is accepted. */
export function issuesOf(...inputs: EnvironmentInput[]): { field: string; problem: string }[] {
  try {
    resolveEnvironments(inputs);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('configuration was accepted');
}

/** Asserts that the inputs are rejected with an issue on `field` whose text matches `allowed`. */
export function expectIssue(inputs: EnvironmentInput[], field: string, allowed: RegExp): void {
  const issue = issuesOf(...inputs).find((i) => i.field === field);
  expect(issue).toBeDefined();
  expect(issue!.problem).toMatch(allowed);
}
