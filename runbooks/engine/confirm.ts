/**
 * Confirmation before a change. --yes skips it; without a TTY nobody can answer, so the run is refused
 * (exit 3) rather than guessed.
 */
import { createInterface } from 'node:readline';
import type { Input, Writer } from './io';
import { RunbookError } from './errors';

export interface ConfirmIo {
  readonly yes: boolean;
  readonly stdin: Input;
  readonly stderr: Writer;
}

export async function confirm(question: string, io: ConfirmIo): Promise<void> {
  if (io.yes) return;
  if (io.stdin.isTTY !== true) {
    throw new RunbookError('NotConfirmed', `not confirmed: ${question} (no terminal to ask on)`, {
      hint: 'pass --yes to confirm non-interactively, or --dry-run to only look',
    });
  }
  io.stderr.write(`${question} [y/N] `);
  const answer = await readLine(io.stdin);
  if (!/^y(es)?$/i.test(answer.trim())) {
    throw new RunbookError('NotConfirmed', 'not confirmed: nothing was changed', { hint: 'answer "y" to proceed' });
  }
}

function readLine(input: NodeJS.ReadableStream): Promise<string> {
  const rl = createInterface({ input, terminal: false });
  return new Promise((resolve) => {
    rl.once('line', (line) => {
      resolve(line); // before close(): closing emits 'close' synchronously, which would resolve ''
      rl.close();
    });
    rl.once('close', () => resolve(''));
  });
}
