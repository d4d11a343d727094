/** Where the benchmarks find the project's pieces; the built CLI is where the tests run it from. */
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export { CLI } from '../../test-support/cli';
