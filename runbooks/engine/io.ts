/**
 * What a run reads and writes besides AWS: the engine's own I/O types, so that the engine, the behaviours and
 * the CLI share one shape and nothing below the CLI needs to know about commands or argv.
 */
export interface Writer {
  write(text: string): void;
}

/** Where a confirmation prompt reads its answer; `isTTY` decides whether a prompt is possible at all. */
export type Input = NodeJS.ReadableStream & { isTTY?: boolean };

export interface RunIo {
  /** Results only. */
  readonly stdout: Writer;
  /** Logs, progress, prompts and errors. */
  readonly stderr: Writer;
  readonly stdin: Input;
  readonly env: NodeJS.ProcessEnv;
  /** Writes to stderr only with -v/--verbose. */
  log(message: string): void;
}
