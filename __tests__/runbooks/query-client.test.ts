/**
 * The engine's lean query client against a local HTTP server: requests signed by SigV4 as the specification says
 * (checked with an independent implementation, itself checked on AWS's published example), answers read into the
 * SDK's shapes, errors named as the SDK names them, and throttling, faults and clock skew retried by the pacer.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assumeRoot, queryAssumeRoot, STS_API_VERSION } from '../../runbooks/engine/assume-root';
import type { Session } from '../../runbooks/engine/clients';
import { queryClient, QueryError } from '../../runbooks/engine/query-client';
import { openRun } from '../../runbooks/engine/trail';
import { IAM_API_VERSION, rootIamPort } from '../../runbooks/fleet/root-iam';
import { Pacer } from '../../runbooks/lib/pacer';
import { ofType, trailRecords } from '../../test-support/trail';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** SigV4 of a request, straight from the specification (canonical request → string to sign → HMAC chain). */
function sigv4(request: {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  signed: string[];
  body: string;
  secret: string;
  scope: { date: string; region: string; service: string };
  amzDate: string;
}): string {
  const canonical = [
    request.method,
    request.path,
    request.query,
    ...request.signed.map((name) => `${name}:${request.headers[name].trim()}`),
    '',
    request.signed.join(';'),
    sha256(request.body),
  ].join('\n');
  const scope = `${request.scope.date}/${request.scope.region}/${request.scope.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', request.amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${request.secret}`, request.scope.date);
  for (const part of [request.scope.region, request.scope.service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(toSign).digest('hex');
}

type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;

describe('lean query client', () => {
  let server: Server;
  let endpointUrl: string;
  let handler: Handler;
  const seen: (IncomingMessage & { body: string })[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const withBody = Object.assign(req, { body: Buffer.concat(chunks).toString('utf8') });
        seen.push(withBody);
        handler(withBody, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const log: string[] = [];
  const session = (pacer = new Pacer()): Session => ({
    settings: { region: 'eu-west-1', endpointUrl, env: {}, log: (line) => log.push(line), pacer },
    label: 'root',
  });
  const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret/key+1', sessionToken: 'token==' };
  const xml = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/xml', ...headers });
    res.end(body);
  };
  const errorXml = (code: string, message: string) =>
    `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`;

  it('checks its SigV4 reference on the example AWS publishes', () => {
    // docs.aws.amazon.com, "Create a signed AWS API request": IAM ListUsers, 2015-08-30T12:36:00Z.
    const signature = sigv4({
      method: 'GET',
      path: '/',
      query: 'Action=ListUsers&Version=2010-05-08',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        host: 'iam.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
      },
      signed: ['content-type', 'host', 'x-amz-date'],
      body: '',
      secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      scope: { date: '20150830', region: 'us-east-1', service: 'iam' },
      amzDate: '20150830T123600Z',
    });
    expect(signature).toBe('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
  });

  it('posts the action as a form, signed with the session for the SDK-resolved scope, and reads the result', async () => {
    handler = (_req, res) =>
      xml(
        res,
        200,
        `<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountSummaryResult>
        <SummaryMap><entry><key>Users</key><value>3</value></entry><entry><key>AccountMFAEnabled</key><value>1</value>
        </entry></SummaryMap></GetAccountSummaryResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
        </GetAccountSummaryResponse>`,
      );
    const iam = rootIamPort(await queryClient('iam', session(), IAM_API_VERSION), credentials);
    log.length = 0;
    expect((await iam.getAccountSummary({})).SummaryMap).toEqual({ Users: 3, AccountMFAEnabled: 1 });
    expect(log).toEqual(['aws call: iam:GetAccountSummary (root session)']);

    const [req] = seen;
    expect([req.method, req.url, req.body]).toEqual(['POST', '/', 'Action=GetAccountSummary&Version=2010-05-08']);
    expect(req.headers['x-amz-security-token']).toBe('token==');
    const auth =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        String(req.headers.authorization),
      );
    expect(auth).not.toBeNull();
    const [, keyId, date, region, service, signedHeaders, signature] = auth!;
    // The SDK signs IAM for the configured region when an endpoint is given; the scope must be the same.
    expect([keyId, region, service]).toEqual(['ASIAEXAMPLE', 'eu-west-1', 'iam']);
    const signed = signedHeaders.split(';');
    expect(signed).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token', 'content-type']));
    const headers = Object.fromEntries(signed.map((name) => [name, String(req.headers[name])]));
    expect(
      sigv4({
        method: 'POST',
        path: '/',
        query: '',
        headers,
        signed,
        body: req.body,
        secret: credentials.secretAccessKey,
        scope: { date, region, service },
        amzDate: String(req.headers['x-amz-date']),
      }),
    ).toBe(signature);
  });

  it('reads lists, dates, pagination and escaped text into the SDK shapes', async () => {
    handler = (req, res) =>
      xml(
        res,
        200,
        req.body.includes('Marker=m1')
          ? `<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><AccessKeyId>AKIA2</AccessKeyId>
             <Status>Inactive</Status><CreateDate>2024-02-03T04:05:06Z</CreateDate></member></AccessKeyMetadata>
             <IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>`
          : `<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><UserName>a&amp;b</UserName>
             <AccessKeyId>AKIA1</AccessKeyId><Status>Active</Status><CreateDate>2024-01-02T03:04:05.678Z</CreateDate>
             </member></AccessKeyMetadata><IsTruncated>true</IsTruncated><Marker>m1</Marker></ListAccessKeysResult>
             </ListAccessKeysResponse>`,
      );
    const iam = rootIamPort(await queryClient('iam', session(), IAM_API_VERSION), credentials);
    const first = await iam.listAccessKeys({});
    expect(first).toMatchObject({
      AccessKeyMetadata: [
        { UserName: 'a&b', AccessKeyId: 'AKIA1', Status: 'Active', CreateDate: new Date('2024-01-02T03:04:05.678Z') },
      ],
      IsTruncated: true,
      Marker: 'm1',
    });
    const second = await iam.listAccessKeys({ Marker: 'm1' });
    expect(second.AccessKeyMetadata?.[0]).toMatchObject({ AccessKeyId: 'AKIA2', Status: 'Inactive' });
    expect(second.IsTruncated).toBe(false);
    expect(seen[1].body).toBe('Action=ListAccessKeys&Version=2010-05-08&Marker=m1');
  });

  it('names an error answer by its AWS code and does not retry it; the API counts it as answered', async () => {
    handler = (_req, res) => xml(res, 404, errorXml('NoSuchEntity', 'Login profile for root cannot be found.'));
    const pacer = new Pacer();
    const iam = rootIamPort(await queryClient('iam', session(pacer), IAM_API_VERSION), credentials);
    const error = await iam.getLoginProfile({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({
      name: 'NoSuchEntity',
      message: 'Login profile for root cannot be found.',
      $fault: 'client',
      $metadata: { httpStatusCode: 404, requestId: 'req-1', attempts: 1 },
    });
    expect(seen).toHaveLength(1);
    expect(pacer.stats()).toEqual([expect.objectContaining({ key: 'iam:GetLoginProfile', accepted: 1, throttled: 0 })]);
  });

  it('retries throttling, server faults and resets until the answer comes', async () => {
    const answers: ((res: ServerResponse) => void)[] = [
      (res) => xml(res, 400, errorXml('Throttling', 'Rate exceeded')),
      (res) => xml(res, 429, errorXml('TooManyRequestsException', 'slow down')),
      (res) => xml(res, 500, errorXml('InternalFailure', 'oops')),
      (res) => res.socket?.destroy(),
      (res) => xml(res, 200, '<DeleteAccessKeyResponse><ResponseMetadata/></DeleteAccessKeyResponse>'),
    ];
    handler = (_req, res) => answers.shift()!(res);
    const pacer = new Pacer();
    const iam = rootIamPort(await queryClient('iam', session(pacer), IAM_API_VERSION), credentials);
    await iam.deleteAccessKey({ AccessKeyId: 'AKIA1' });
    expect(seen.map((r) => r.body)).toEqual(
      Array(5).fill('Action=DeleteAccessKey&Version=2010-05-08&AccessKeyId=AKIA1'),
    );
    expect(pacer.stats()).toEqual([expect.objectContaining({ key: 'iam:DeleteAccessKey', accepted: 1, throttled: 2 })]);
  });

  it('gives up on a fault after the attempts the pacer allows', async () => {
    handler = (_req, res) => xml(res, 503, errorXml('ServiceUnavailable', 'down'));
    const pacer = new Pacer();
    pacer.retryDelay = (_key, _reason, attempt) => (attempt < 3 ? 1 : undefined);
    const iam = rootIamPort(await queryClient('iam', session(pacer), IAM_API_VERSION), credentials);
    await expect(iam.getAccountSummary({})).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      $fault: 'server',
      $metadata: { httpStatusCode: 503, attempts: 3 },
    });
    expect(seen).toHaveLength(3);
  });

  it('corrects a skewed clock from the answer and signs the retry at the server time', async () => {
    const serverTime = Date.now() + 3 * 3600_000;
    handler = (req, res) =>
      String(req.headers['x-amz-date']).startsWith(new Date(serverTime).toISOString().slice(0, 13).replace(/-/g, ''))
        ? xml(res, 200, '<DeleteLoginProfileResponse/>')
        : xml(res, 403, errorXml('RequestTimeTooSkewed', 'too skewed'), { date: new Date(serverTime).toUTCString() });
    const iam = rootIamPort(await queryClient('iam', session(), IAM_API_VERSION), credentials);
    await iam.deleteLoginProfile({});
    expect(seen).toHaveLength(2);
  });

  it('sends to AWS_ENDPOINT_URL_IAM like the SDK does when no --endpoint-url is given', async () => {
    handler = (_req, res) => xml(res, 200, '<DeleteLoginProfileResponse/>');
    const previous = process.env.AWS_ENDPOINT_URL_IAM;
    process.env.AWS_ENDPOINT_URL_IAM = endpointUrl;
    try {
      const bare: Session = { settings: { region: 'us-east-1', env: {}, log: () => undefined }, label: 'root' };
      await rootIamPort(await queryClient('iam', bare, IAM_API_VERSION), credentials).deleteLoginProfile({});
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_IAM;
      else process.env.AWS_ENDPOINT_URL_IAM = previous;
    }
    expect(seen).toHaveLength(1);
    expect(String(seen[0].headers.authorization)).toContain('/us-east-1/iam/aws4_request');
  });

  it('sends AssumeRoot for a fleet: the task policy as a flattened member, the credentials read back, the session in the trail', async () => {
    const expiration = '2030-01-02T03:04:05Z';
    handler = (req, res) =>
      req.body.includes('TargetPrincipal=222233334444')
        ? xml(
            res,
            200,
            `<AssumeRootResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRootResult><Credentials>
            <AccessKeyId>ASIAROOT</AccessKeyId><SecretAccessKey>root/secret</SecretAccessKey>
            <SessionToken>root-token</SessionToken><Expiration>${expiration}</Expiration></Credentials>
            <SourceIdentity/></AssumeRootResult></AssumeRootResponse>`,
          )
        : xml(res, 403, errorXml('AccessDenied', 'not allowed'));
    const caller: Session = { ...session(), label: 'caller' };
    const send = queryAssumeRoot(await queryClient('sts', caller, STS_API_VERSION), async () => credentials);
    const trail = join(mkdtempSync(join(tmpdir(), 'query-assume-root-')), 'audit.jsonl');
    const run = await openRun(trail, {
      runbook: 'test',
      parameters: {},
      region: 'eu-west-1',
      task: null,
      plan: 'test',
    });
    const root = await assumeRoot(send, caller, { account: '222233334444', task: 'audit', duration: 900 }, run);
    // On disk before assumeRoot returned, as on the SDK path: nothing can use a session that has no record.
    expect(ofType(trailRecords(trail), 'session')).toEqual([
      expect.objectContaining({ kind: 'root', account: '222233334444', accessKeyId: 'ASIAROOT' }),
    ]);
    expect(readFileSync(trail, 'utf8')).not.toMatch(/root\/secret|root-token/);
    expect(seen[0].body).toBe(
      'Action=AssumeRoot&Version=2011-06-15&TargetPrincipal=222233334444' +
        '&TaskPolicyArn.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Froot-task%2FIAMAuditRootUserCredentials&DurationSeconds=900',
    );
    expect(String(seen[0].headers.authorization)).toContain('/eu-west-1/sts/aws4_request');
    expect(root).toMatchObject({
      accessKeyId: 'ASIAROOT',
      expiration: new Date(expiration),
      credentials: { accessKeyId: 'ASIAROOT', secretAccessKey: 'root/secret', sessionToken: 'root-token' },
    });
    await expect(
      assumeRoot(send, caller, { account: '999988887777', task: 'audit', duration: 900 }, run),
    ).rejects.toMatchObject({
      code: 'AccessDenied',
      message: expect.stringContaining('sts:AssumeRoot on account 999988887777 failed: AccessDenied: not allowed'),
    });
    expect(ofType(trailRecords(trail), 'session')).toHaveLength(1);
  });
});
