/**
 * The container credentials endpoint of `runbook exec --server` (the aws-vault `--ecs-server` pattern): the AWS
 * SDKs and the AWS CLI fetch their credentials from AWS_CONTAINER_CREDENTIALS_FULL_URI, sending
 * AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header, and fetch again as the credentials near their
 * Expiration, so a child can outlive any one root session.
 *
 * - Loopback only (127.0.0.1, a port the OS picks): the SDKs accept a plain-http FULL_URI only on loopback.
 * - Every request needs the token (32 random bytes, compared in constant time); anything else is refused
 *   before the credentials are even looked at. A browser page cannot send the header (it is not CORS-safe and
 *   nothing here answers a preflight).
 * - The answer is the ECS shape: {AccessKeyId, SecretAccessKey, Token, Expiration}. Errors name no secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionCredentials } from '../engine/clients';

export interface CredentialServer {
  /** The value of AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  readonly url: string;
  /** The value of AWS_CONTAINER_AUTHORIZATION_TOKEN: give it only to the child. */
  readonly token: string;
  close(): Promise<void>;
}

const PATH = '/runbook/credentials';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Starts the endpoint; `credentials` is asked on every authorized request (it renews what has to be renewed). */
export async function serveCredentials(
  credentials: () => Promise<SessionCredentials>,
  log: (message: string) => void,
): Promise<CredentialServer> {
  const token = randomBytes(32).toString('base64url');
  const expected = digest(token);
  const authorized = (request: IncomingMessage): boolean => {
    const given = request.headers.authorization;
    // Comparing digests keeps the comparison constant-time whatever the length of what was sent.
    return typeof given === 'string' && timingSafeEqual(digest(given), expected);
  };
  const server = createServer((request, response) => {
    void answer(request, response).catch(() => reply(response, 500, { code: 'InternalError', message: 'failed' }));
  });
  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!authorized(request)) {
      log(`credential endpoint: refused a ${request.method ?? ''} request without the authorization token`);
      return reply(response, 401, { code: 'Unauthorized', message: 'the authorization token is missing or wrong' });
    }
    if (request.method !== 'GET') return reply(response, 405, { code: 'MethodNotAllowed', message: 'GET only' });
    if ((request.url ?? '').split('?')[0] !== PATH) {
      return reply(response, 404, { code: 'NotFound', message: `no such path; credentials are at ${PATH}` });
    }
    let c: SessionCredentials;
    try {
      c = await credentials();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return reply(response, 503, { code: 'RootSessionUnavailable', message: `no valid root session: ${message}` });
    }
    log(`credential endpoint: served root session ${c.accessKeyId}`);
    reply(response, 200, {
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      Token: c.sessionToken,
      Expiration: c.expiration?.toISOString(),
    });
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PATH}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
