/**
 * --role-arn for long runs: the operator session is re-assumed before it ends, against the sandbox, which refuses
 * requests signed with an expired AssumeRole session (ExpiredToken). A 2-second operator session stands in for
 * the 900 s one of a fleet run that lasts longer than 15 minutes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { MANAGEMENT_ACCOUNT_ID } from '../../emulator/sandbox';
import { seedOrganization } from '../../emulator/seed';
import { parseCommon } from '../../runbooks/cli/options';
import { resolveCaller } from '../../runbooks/engine/credentials';
import { renderOperatorPolicy } from '../../modules/root-operator';
import { fleetAssumeRoot } from '../../runbooks/fleet/aws';
import { openRun, type TrailRun } from '../../runbooks/engine/trail';
import { describeWithSandbox, MANAGEMENT_CREDENTIALS, sandboxEnv, useSandbox } from '../../test-support/sandbox';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithSandbox('operator role (--role-arn) over a run longer than its session', () => {
  const sandbox = useSandbox();
  const saved = { ...process.env };
  let members: string[];
  const roleArn = `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:role/LongRunOperator`;

  beforeAll(async () => {
    // The caller's own credentials come from the SDK's default chain, which reads process.env.
    Object.assign(process.env, sandboxEnv(sandbox.endpoint));
    members = (await seedOrganization(sandbox.endpoint, { accounts: 2 })).accounts.map((a) => a.id);
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: MANAGEMENT_CREDENTIALS });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'LongRunOperator',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:root` },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': 'long-run' } },
            },
          ],
        }),
      }),
    );
    // The root-operator module's own policy for the audit task.
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'LongRunOperator',
        PolicyName: 'assume-root-audit-only',
        PolicyDocument: renderOperatorPolicy({ profile: 'audit-only' }),
      }),
    );
    iam.destroy();
  });
  afterAll(() => {
    process.env = saved;
  });

  const trail = () => join(mkdtempSync(join(tmpdir(), 'operator-role-')), 'audit.jsonl');
  const intent = { runbook: 'test', parameters: {}, region: 'us-east-1', task: null, plan: 'operator role test' };
  const caller = async (externalId: string, log: string[], run: TrailRun) => {
    const common = parseCommon(
      { 'role-arn': roleArn, 'external-id': externalId, 'endpoint-url': sandbox.endpoint, region: 'us-east-1' },
      process.env,
      '/tmp',
    );
    return resolveCaller(common, process.env, (line) => log.push(line), { operatorSessionSeconds: 2, run });
  };

  it('re-assumes the operator role once it nears its end, once for concurrent callers, with the same caller ARN', async () => {
    const log: string[] = [];
    const path = trail();
    const run = await openRun(path, intent);
    const session = await caller('long-run', log, run);
    const assumeRoot = await fleetAssumeRoot(session.session, 900, run);
    const operatorAssumes = () => log.filter((line) => line.startsWith('assuming operator role')).length;

    await Promise.all(members.map((account) => assumeRoot(account, 'audit')));
    expect(operatorAssumes()).toBe(1);

    await sleep(2_500); // the first operator session has expired: the sandbox would answer ExpiredToken
    const roots = await Promise.all([...members, ...members].map((account) => assumeRoot(account, 'audit')));
    expect(roots.every((root) => root.accessKeyId.length > 0)).toBe(true);
    expect(operatorAssumes()).toBe(2);
    expect(await session.callerArn()).toMatch(
      new RegExp(`^arn:aws:sts::${MANAGEMENT_ACCOUNT_ID}:assumed-role/LongRunOperator/runbook-`),
    );
    await run.finish({ outcome: 'unchanged' });
    // Both operator sessions (the first and the refresh) and every root session are in the trail, each key once.
    const sessions = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; kind: string; accessKeyId: string; roleArn: string | null })
      .filter((record) => record.type === 'session');
    const operators = sessions.filter((s) => s.kind === 'operator');
    expect(operators).toHaveLength(2);
    expect(operators.every((s) => s.roleArn === roleArn)).toBe(true);
    expect(new Set(operators.map((s) => s.accessKeyId)).size).toBe(2);
    expect(sessions.filter((s) => s.kind === 'root')).toHaveLength(members.length * 3);
  });

  it('fails before any AssumeRoot, naming the role, when the role cannot be assumed', async () => {
    const log: string[] = [];
    await expect(caller('wrong-id', log, await openRun(trail(), intent))).rejects.toMatchObject({
      code: 'AccessDenied',
      message: expect.stringContaining(`sts:AssumeRole on ${roleArn} failed`),
    });
    expect(log.filter((line) => line.startsWith('aws call:'))).toEqual(['aws call: sts:AssumeRole (caller session)']);
  });
});
