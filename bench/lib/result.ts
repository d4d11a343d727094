/**
 * The shape every benchmark returns, and the machine it ran on. A benchmark that cannot run says why
 * (`not-run`) instead of disappearing from BENCHMARKS.md.
 */
import os from 'node:os';

export interface MachineInfo {
  os: string;
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  /** 1-minute load average when the benchmark started: other work on the machine skews every figure. */
  loadAverage: number;
}

export interface Figure {
  label: string;
  value: number | string | null;
  unit?: string;
}

export interface Goal {
  text: string;
  /** null when the figure it judges was not measured. */
  met: boolean | null;
}

export interface BenchResult {
  name: string;
  title: string;
  /** The shell command that reproduces this result. */
  command: string;
  ranAt: string;
  machine: MachineInfo;
  status: 'ok' | 'not-run';
  reason?: string;
  figures: Figure[];
  goals: Goal[];
  reading: string;
  /** Raw samples and parameters, for whoever wants to recompute the figures. */
  details?: Record<string, unknown>;
}

export type BenchOutcome = Pick<BenchResult, 'figures' | 'goals' | 'reading' | 'details'>;

export interface Benchmark {
  name: string;
  title: string;
  run(): Promise<BenchOutcome>;
}

/** Thrown by a benchmark whose prerequisite (a command, a module, the sandbox) is missing. */
export class NotRun extends Error {}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
  };
}
