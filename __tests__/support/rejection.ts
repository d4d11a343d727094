/** The RunbookError a call throws (or a promise rejects with); anything else, or no error at all, fails the test. */
import { RunbookError } from '../../runbooks/engine/errors';

export function rejection(fn: () => unknown): RunbookError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('expected a RunbookError');
}

export async function rejectionOf(promise: Promise<unknown>): Promise<RunbookError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('expected a RunbookError');
}
