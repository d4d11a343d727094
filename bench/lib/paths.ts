/** Where the benchmarks find the project's pieces. */
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'runbooks', 'cli', 'main.js');
