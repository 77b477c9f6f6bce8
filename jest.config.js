/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // isolatedModules: transpile each file alone (fast); type-checking runs once in `npm run typecheck`.
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Jest's default on 2 cores is 1 worker; the heavy files (real servers, spawned scripts) mostly wait on I/O and
  // child processes, so three workers (more than the cores) keep both cores busy.
  maxWorkers: 3,
  // Each failure is printed once, under its suite: the default reporter repeats them all in a
  // "Summary of all failing tests" once more than 20 suites ran.
  reporters: [['default', { summaryThreshold: Number.MAX_SAFE_INTEGER }]],
};
