/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is `npm run typecheck`'s job; tsconfig's isolatedModules makes ts-jest transpile only,
    // which keeps the suite fast.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.ts',
  testSequencer: '<rootDir>/__tests__/support/sequencer.js',
  testTimeout: 120000,
  // Three workers on two cores: the terraform, cdktf and sandbox suites spend much of their time waiting on a
  // child process, so two workers left about a third of the machine idle (437 s of CPU in a 333 s run). Four were
  // faster still (about 15 s) but loaded the sandboxes until a terraform apply failed on a retried call.
  maxWorkers: 3,
};
