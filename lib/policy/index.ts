/** The policy suite: checks, the exemption list, the runner and its table. */
export * from './model';
export * from './checks';
export * from './exemptions';
export * from './run';
export * from './pod-security';
export { contextFor, contextsByEnv } from './context';
