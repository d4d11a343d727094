/**
 * Every CLI command, loaded on demand: `runbook <name>` requires only that command's module, so a
 * command's dependencies (SDK clients above all) never slow down the others or `runbook --help`.
 */
import type { Command } from './command';

export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  's3-unlock': () => import('./commands/s3-unlock').then((m) => m.command),
  'sqs-unlock': () => import('./commands/sqs-unlock').then((m) => m.command),
  'root-password-reset': () => import('./commands/root-password-reset').then((m) => m.command),
  restore: () => import('./commands/restore').then((m) => m.command),
  audit: () => import('./commands/audit').then((m) => m.command),
  'delete-root-credentials': () => import('./commands/delete-root-credentials').then((m) => m.command),
  'lockout-scan': () => import('./commands/lockout-scan').then((m) => m.command),
  exec: () => import('./commands/exec').then((m) => m.command),
  credentials: () => import('./commands/credentials').then((m) => m.command),
  spoke: () => import('./commands/spoke').then((m) => m.command),
  doctor: () => import('./commands/doctor').then((m) => m.command),
  report: () => import('./commands/report').then((m) => m.command),
  enable: () => import('./commands/enable').then((m) => m.command),
  log: () => import('./commands/log').then((m) => m.command),
};
