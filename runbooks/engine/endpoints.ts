/**
 * Endpoint overrides (--endpoint-url, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>): where a signed request may go
 * besides AWS itself. Each is checked where it is given, naming the flag or variable that holds a bad one, and the
 * override that applies to a service is resolved here once, in the SDK's order, for the clients and for the rule
 * that a queue URL must name the override's host.
 */
import { badValue, quote } from './validate';
import { badInput } from './errors';

/** The services the runbooks call, as the SDK names their AWS_ENDPOINT_URL_<SERVICE> variables. */
export const ENDPOINT_SERVICES = ['STS', 'S3', 'SQS', 'IAM', 'ORGANIZATIONS'] as const;
export type EndpointService = (typeof ENDPOINT_SERVICES)[number];

/** The variables that name endpoints, the global one first. */
export const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL', ...ENDPOINT_SERVICES.map((s) => `AWS_ENDPOINT_URL_${s}`)];

/**
 * An endpoint is a scheme, a host and an optional port: nothing that a signed request should not carry to it
 * (user name and password, a query, a fragment) and no path, which the SDK would prefix to every call.
 */
export function parseEndpointUrl(value: string, source: string): string {
  const allowed = 'an http:// or https:// URL of a host and an optional port, such as https://vpce.example.com';
  if (!/^[\x21-\x7e]+$/.test(value)) throw badValue(source, value, allowed);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badValue(source, value, allowed);
  }
  const problem =
    url.protocol !== 'http:' && url.protocol !== 'https:'
      ? 'only http and https are allowed'
      : url.username !== '' || url.password !== '' || value.includes('@')
        ? 'a user name or password in the URL would be sent, and printed, with every call'
        : url.search !== '' || url.hash !== '' || /[?#]/.test(value)
          ? 'a query or fragment is not allowed'
          : url.pathname !== '/'
            ? 'a path is not allowed'
            : url.hostname === ''
              ? 'the host is missing'
              : undefined;
  if (problem !== undefined) throw badValue(source, value, allowed, problem);
  return value;
}

/** Checks every endpoint variable that is set (an empty one is refused: it is a mistake, not a choice). */
export function checkEndpointVariables(env: NodeJS.ProcessEnv): void {
  for (const name of ENDPOINT_VARIABLES) {
    const value = env[name];
    if (value === undefined) continue;
    if (value === '') {
      throw badInput(`${name} is set but empty`, `unset ${name}, or set it to an endpoint URL such as https://…`);
    }
    parseEndpointUrl(value, name);
  }
}

/** The SDK's switch that makes it ignore AWS_ENDPOINT_URL* (and endpoint_url in the config file). */
function ignoresConfiguredEndpoints(env: NodeJS.ProcessEnv): boolean {
  return env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true';
}

/**
 * The override that applies to `service`, as the SDK resolves it: the client's own endpoint (--endpoint-url),
 * then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL. Undefined: AWS's own endpoint for the region.
 */
export function endpointOverride(
  service: EndpointService,
  settings: { readonly endpointUrl?: string; readonly env: NodeJS.ProcessEnv },
): string | undefined {
  if (settings.endpointUrl !== undefined) return settings.endpointUrl;
  if (ignoresConfiguredEndpoints(settings.env)) return undefined;
  return settings.env[`AWS_ENDPOINT_URL_${service}`] || settings.env.AWS_ENDPOINT_URL || undefined;
}

/** `scheme://host[:port]` of an endpoint, as URLs name it (default ports dropped). */
export function originOf(endpoint: string): string {
  return new URL(endpoint).origin;
}

/** For messages: which endpoint a rule refers to. */
export function describeEndpoint(endpoint: string): string {
  return `the endpoint override ${quote(originOf(endpoint))}`;
}
