/**
 * Real filesystems that fail writes the way a disk does, for the audit-log tests: a tiny tmpfs (full after a few
 * KB: ENOSPC) and a read-only one (EROFS), mounted on a temporary folder. Mounting needs root; `tmpfsProblem`
 * says why it is impossible here, so a suite can skip with that reason (or fail, under CI=true).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Mount {
  readonly dir: string;
  unmount(): void;
}

function mount(dir: string, options: string): string | undefined {
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.error) return `cannot run mount: ${result.error.message}`;
  return result.status === 0 ? undefined : `mount -t tmpfs failed: ${result.stderr.trim() || `exit ${result.status}`}`;
}

/** A tmpfs of `sizeKb` on a new folder (mode 0700, like the state folder), optionally read-only. */
export function mountTmpfs(options: { sizeKb: number; readOnly?: boolean }): Mount {
  const dir = mkdtempSync(join(tmpdir(), 'tmpfs-'));
  const problem = mount(dir, `size=${options.sizeKb}k,mode=0700${options.readOnly ? ',ro' : ''}`);
  if (problem !== undefined) throw new Error(problem);
  return {
    dir,
    unmount: () => {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Why a tmpfs cannot be mounted here (not root, no mount), or undefined when it can. */
export function tmpfsProblem(): string | undefined {
  try {
    mountTmpfs({ sizeKb: 16 }).unmount();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Fills the filesystem of `dir` until a write fails with ENOSPC. */
export function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 0x61);
  for (let i = 0; ; i += 1) {
    try {
      writeFileSync(join(dir, `filler-${i}`), chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
}
