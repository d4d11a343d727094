/**
 * Every CLI command, loaded on demand: `runbook <name>` requires only that command's module, so a
 * command's dependencies (SDK clients above all) never slow down the others or `runbook --help`.
 */
import type { Command } from './command';

export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {};
