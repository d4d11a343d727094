import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as readline from 'node:readline';
import { seedOrganization } from './emulator/seed';
import { sequentialAudit } from './bench/lib/sequential-audit';

const TICK = 100; // USER_HZ
function cpu(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}
async function start(script: string): Promise<{ endpoint: string; pid: number; kill: () => void }> {
  const child = spawn('python3', [script], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const port = await new Promise<number>((resolve) => readline.createInterface({ input: child.stdout! }).on('line', (l) => { try { resolve(JSON.parse(l).port); } catch {} }));
  return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid!, kill: () => child.kill('SIGKILL') };
}
async function main() {
  const accounts = Number(process.env.N ?? 1000);
  const servers = { old: await start('/tmp/base-emulator/emulator/server.py'), new: await start('/work/wt/sandbox/emulator/server.py') };
  const samples: Record<string, number[]> = { old: [], new: [] };
  const sample: Record<string, string[]> = {};
  for (const [name, s] of Object.entries(servers)) {
    const org = await seedOrganization(s.endpoint, { accounts });
    const step = Math.floor(org.accounts.length / 150);
    sample[name] = org.accounts.filter((_, i) => i % step === 0).slice(0, 150).map((a) => a.id);
    const slices = [0, 1, 2, 3].map((k) => sample[name].filter((_, i) => i % 4 === k));
    await Promise.all(slices.map((sl) => sequentialAudit(s.endpoint, sl)));
  }
  for (let p = 0; p < 5; p++) {
    for (const [name, s] of Object.entries(servers)) {
      const slices = [0, 1, 2, 3].map((k) => sample[name].filter((_, i) => i % 4 === k));
      const before = cpu(s.pid);
      await Promise.all(slices.map((sl) => sequentialAudit(s.endpoint, sl)));
      samples[name].push(((cpu(s.pid) - before) / (150 * 6)) * 1e6);
    }
  }
  console.log(JSON.stringify(samples));
  const med = (a: number[]) => a.slice().sort((x, y) => x - y)[2];
  console.log('old µs', med(samples.old).toFixed(0), 'new µs', med(samples.new).toFixed(0), 'ratio', (med(samples.new) / med(samples.old)).toFixed(2));
  for (const s of Object.values(servers)) s.kill();
}
main();
