/** Jest global teardown: removes the runtime folder global-setup.ts made (and so ends its expiry helpers). */
import { rmSync } from 'node:fs';
import { RUNTIME_DIR_OF_RUN } from './global-setup';

export default function globalTeardown(): void {
  const dir = process.env[RUNTIME_DIR_OF_RUN];
  if (dir !== undefined && dir !== '') rmSync(dir, { recursive: true, force: true });
}
