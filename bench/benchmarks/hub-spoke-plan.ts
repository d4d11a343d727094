import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/paths';
import { NotRun, type Benchmark } from '../lib/result';

export const hubSpokePlan: Benchmark = {
  name: 'hub-spoke-plan',
  title: 'hub-spoke-roles terraform plan at 1,000 and 10,000 target accounts',
  async run() {
    if (!existsSync(join(ROOT, 'modules', 'hub-spoke-roles', 'main.tf'))) {
      throw new NotRun('modules/hub-spoke-roles has not been generated yet');
    }
    throw new NotRun('pending');
  },
};
