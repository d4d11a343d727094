/**
 * The cdktf app (`cdktf synth` / `cdktf deploy`, or `npx tsx main.ts`): reads the config named by
 * CENTRALIZED_ROOT_CONFIG (default config/sandbox.yaml) and synthesizes the stacks. A bad config exits 2 with every
 * problem, each naming its field.
 */
import { loadConfig } from './modules/app/config';
import { buildApp } from './modules/app/deploy';

const file = process.env.CENTRALIZED_ROOT_CONFIG ?? 'config/sandbox.yaml';
try {
  buildApp(loadConfig(file)).synth();
} catch (error) {
  const e = error as Error & { exitCode?: number };
  const lines = e.message.split('\n');
  process.stderr.write(
    lines.length === 1 ? `${file}: ${e.message}\n` : `${file}: ${lines.length} problems:\n  ${lines.join('\n  ')}\n`,
  );
  process.exitCode = e.exitCode ?? 1;
}
