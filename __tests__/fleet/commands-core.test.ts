import { childEnv, NESTING_MARKER, refuseNesting, requireCommand } from '../../runbooks/session/child';
import { formatCredentials } from '../../runbooks/session/credential-format';
import { missingSteps } from '../../runbooks/org/enable';
import { assumeHubThenSpoke, parseSpokeTarget, type AssumeRoleInput } from '../../runbooks/session/spoke';
import { parseTask } from '../../runbooks/session/task';
import { TASKS, taskPolicyArn } from '../../runbooks/engine/tasks';
import { createProgress } from '../../runbooks/lib/progress';

const creds = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'secret/key+1',
  sessionToken: 'token==',
  expiration: new Date('2030-01-01T00:15:00Z'),
};

describe('parseTask', () => {
  it.each(Object.entries(TASKS))("accepts the alias %s and its full ARN in the run's partition", (alias, name) => {
    expect(parseTask(alias)).toEqual({ task: alias, partition: 'aws' });
    expect(parseTask(taskPolicyArn(name))).toEqual({ task: alias, partition: 'aws' });
    expect(parseTask(alias, 'aws-us-gov')).toEqual({ task: alias, partition: 'aws-us-gov' });
    expect(parseTask(taskPolicyArn(name, 'aws-us-gov'), 'aws-us-gov')).toEqual({
      task: alias,
      partition: 'aws-us-gov',
    });
    // AssumeRoot would refuse an ARN of another partition than its region's: refused before it is asked.
    expect(() => parseTask(taskPolicyArn(name, 'aws-us-gov'))).toThrow(/partition aws\b/);
  });
  it.each([
    undefined,
    '',
    'Audit',
    'IAMAuditRootUserCredentials',
    'arn:aws:iam::aws:policy/root-task/Custom',
    'arn:aws:iam::111122223333:policy/root-task/IAMAuditRootUserCredentials',
    'arn:aws:iam::aws:policy/IAMAuditRootUserCredentials',
  ])('refuses %j with exit 2, naming the allowed values', (value) => {
    expect(() => parseTask(value)).toThrow(/invalid --task .*expected one of audit, create-password/);
  });
});

describe('child environment', () => {
  it('injects the session, drops profiles, and marks the child', () => {
    const env = childEnv(
      { PATH: '/bin', AWS_PROFILE: 'admin', AWS_DEFAULT_PROFILE: 'x', AWS_ACCESS_KEY_ID: 'AKIAOLD' },
      creds,
      { region: 'eu-west-1', marker: 'exec:111122223333:audit' },
    );
    expect(env).toEqual({
      PATH: '/bin',
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret/key+1',
      AWS_SESSION_TOKEN: 'token==',
      AWS_SECURITY_TOKEN: 'token==',
      AWS_SESSION_EXPIRATION: '2030-01-01T00:15:00.000Z',
      AWS_CREDENTIAL_EXPIRATION: '2030-01-01T00:15:00.000Z',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      [NESTING_MARKER]: 'exec:111122223333:audit',
    });
  });
  it('refuses to nest and to run nothing', () => {
    expect(() => refuseNesting({ [NESTING_MARKER]: 'exec:1:audit' })).toThrow(/refusing to nest/);
    expect(() => refuseNesting({})).not.toThrow();
    expect(() => requireCommand([])).toThrow(/no command/);
  });
});

describe('formatCredentials', () => {
  const about = { account: '111122223333', region: 'us-east-1', taskPolicyArn: 'arn:x' };
  it('credential-process is Version 1 with Expiration, and nothing else', () => {
    expect(JSON.parse(formatCredentials('credential-process', creds, about))).toEqual({
      Version: 1,
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: 'secret/key+1',
      SessionToken: 'token==',
      Expiration: '2030-01-01T00:15:00.000Z',
    });
  });
  it('env prints KEY=value lines', () => {
    expect(formatCredentials('env', creds, about)).toBe(
      'AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=secret/key+1\nAWS_SESSION_TOKEN=token==\n' +
        'AWS_SECURITY_TOKEN=token==\nAWS_SESSION_EXPIRATION=2030-01-01T00:15:00.000Z\nAWS_REGION=us-east-1\n',
    );
  });
});

describe('spoke target', () => {
  const env = {
    ASSUME_ROLE_HUB_ACCOUNT: '111111111111',
    ASSUME_ROLE_HUB_ROLE: 'Hub',
    ASSUME_ROLE_SPOKE_ACCOUNT: '222222222222',
    ASSUME_ROLE_SPOKE_ROLE: 'Spoke',
    ASSUME_ROLE_EXTERNAL_ID: 'ext-123',
    ASSUME_ROLE_SESSION_STRING: 'alice',
  };
  it('takes defaults from ASSUME_ROLE_*, lets flags win, and names the session <spoke>-<caller>', () => {
    expect(parseSpokeTarget({}, env)).toMatchObject({ externalId: 'ext-123', sessionName: '222222222222-alice' });
    expect(parseSpokeTarget({ spokeAccount: '333333333333', sessionString: 'bob' }, env)).toMatchObject({
      spokeAccount: '333333333333',
      sessionName: '333333333333-bob',
    });
  });
  it.each([
    [{ hubAccount: '123' }, /--hub-account/],
    [{ hubRole: 'bad role' }, /--hub-role/],
    [{ sessionString: 'has space' }, /--session-name/],
    [{ externalId: 'x' }, /--external-id/],
  ])('refuses %j', (flags, message) => {
    expect(() => parseSpokeTarget(flags, env)).toThrow(message);
  });
  it('requires every part when no variable gives it', () => {
    expect(() => parseSpokeTarget({}, {})).toThrow(/--hub-account is required/);
  });
  it('sends the same external id and session name on both hops, the second signed by the hub session', async () => {
    const calls: [string | undefined, AssumeRoleInput][] = [];
    const target = parseSpokeTarget({}, env);
    await assumeHubThenSpoke(
      async (from, input) => {
        calls.push([from?.accessKeyId, input]);
        return { ...creds, accessKeyId: `ASIA${calls.length}` };
      },
      target,
      3600,
    );
    expect(calls).toEqual([
      [
        undefined,
        {
          RoleArn: 'arn:aws:iam::111111111111:role/Hub',
          RoleSessionName: '222222222222-alice',
          ExternalId: 'ext-123',
          DurationSeconds: 3600,
        },
      ],
      [
        'ASIA1',
        {
          RoleArn: 'arn:aws:iam::222222222222:role/Spoke',
          RoleSessionName: '222222222222-alice',
          ExternalId: 'ext-123',
          DurationSeconds: 3600,
        },
      ],
    ]);
  });
});

describe('enable steps', () => {
  it('enables only what is missing, in the order AWS requires', () => {
    expect(missingSteps({ trustedAccess: false, features: [] }, { rootSessions: true })).toEqual([
      'trusted-access',
      'RootCredentialsManagement',
      'RootSessions',
    ]);
    expect(
      missingSteps({ trustedAccess: true, features: ['RootCredentialsManagement'] }, { rootSessions: false }),
    ).toEqual([]);
    expect(
      missingSteps(
        { trustedAccess: true, features: ['RootCredentialsManagement', 'RootSessions'] },
        { rootSessions: true },
      ),
    ).toEqual([]);
  });
});

describe('progress', () => {
  it('redraws a bar on a terminal and writes rare plain lines otherwise', () => {
    let t = 0;
    const tty: string[] = [];
    const bar = createProgress({ isTTY: true, write: (s) => tty.push(s) }, { label: 'audit', total: 4, now: () => t });
    for (let i = 0; i < 4; i++) {
      t += 200;
      bar.tick(i === 1);
    }
    bar.done();
    expect(tty.at(-2)).toContain('[##############################] 4/4, 1 failed');
    const log: string[] = [];
    const plain = createProgress({ write: (s) => log.push(s) }, { label: 'audit', now: () => t });
    plain.tick();
    plain.done();
    expect(log).toEqual([]);
  });
});
