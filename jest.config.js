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
  // Four workers on two cores: the terraform, cdktf and sandbox suites spend much of their time waiting (the AWS
  // provider alone sleeps 15 s after creating a StackSet and 5 s before polling each StackSet operation), so fewer
  // workers leave the machine idle. Measured on this 2-core machine: 3 workers 220 s, 4 workers 196–206 s over
  // seven runs, with the CPU about 92 % busy.
  maxWorkers: 4,
};
