/**
 * Jest's default order puts the suites that took longest last time first, but a fresh clone (CI) has no such
 * record, and then orders by file size: the terraform and cdktf suites, which take minutes while waiting on the
 * provider, would start last and run alone at the end. These are started first, in this order, so that they run
 * beside the many short suites; every other suite keeps jest's own order.
 */
const Sequencer = require('@jest/test-sequencer').default;

const SLOW_FIRST = [
  '/modules/sandbox-e2e.test.ts',
  '/modules/cdktf-deploy.test.ts',
  '/runbooks/delegated-admin.test.ts',
  '/modules/terraform.test.ts',
  '/emulator/terraform-smoke.test.ts',
];

class SlowFirst extends Sequencer {
  async sort(tests) {
    const rank = (test) => {
      const at = SLOW_FIRST.findIndex((suffix) => test.path.endsWith(suffix));
      return at === -1 ? SLOW_FIRST.length : at;
    };
    // Array.prototype.sort is stable: within the rest, jest's order stands.
    return [...(await super.sort(tests))].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirst;
