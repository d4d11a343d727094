/**
 * Progress on stderr for long runs: a redrawn bar when stderr is a terminal, otherwise a plain line at
 * most every `intervalMs` (CI logs, pipes), and nothing between. It writes counts only, never results.
 */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  tick(failed?: boolean): void;
  done(): void;
}

export function createProgress(
  stream: ProgressStream,
  options: { label: string; total?: number; intervalMs?: number; now?: () => number },
): Progress {
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 100 : 10_000);
  const total = options.total;
  let done = 0;
  let failed = 0;
  let last = now();
  let drawn = false;

  const text = (): string => {
    const failures = failed > 0 ? `, ${failed} failed` : '';
    if (total === undefined || total === 0) return `${options.label}: ${done} done${failures}`;
    const width = 30;
    const filled = Math.min(width, Math.round((done / total) * width));
    const bar = tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    return `${options.label}: ${bar}${done}/${total}${failures}`;
  };
  const draw = (): void => {
    if (tty) stream.write(`\r${text()}\x1b[K`);
    else stream.write(`${text()}\n`);
    drawn = true;
  };

  return {
    tick: (isFailure = false) => {
      done++;
      if (isFailure) failed++;
      const t = now();
      if (t - last >= interval) {
        last = t;
        draw();
      }
    },
    done: () => {
      // A terminal gets its last frame and a newline; a log gets a final line only if it saw progress at all.
      if (tty) {
        draw();
        stream.write('\n');
      } else if (drawn) draw();
    },
  };
}
