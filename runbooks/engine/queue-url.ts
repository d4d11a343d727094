/**
 * Queue URLs, from --queue-url, a backup file or a GetQueueUrl answer. A queue URL names a host, and a host is
 * where a signed root-session request could go, so only two kinds are accepted: AWS's own SQS hosts over https
 * (`https://sqs.<region>.amazonaws.com[.cn]/<account>/<name>`, and the legacy `https://<region>.queue.amazonaws.com`
 * form), or, when an SQS endpoint override is set, exactly that override's scheme, host and port. The text must be
 * canonical as given: no user name or password, query, fragment, percent-escape, `..`, doubled slash or anything
 * after the queue name. (The SQS client never sends a request to a queue URL's host anyway: see clients.ts.)
 */
import { badValue, partitionOf, QUEUE_NAME, REGION } from './validate';
import { describeEndpoint, originOf } from './endpoints';

export interface QueueRef {
  readonly url: string;
  readonly account: string;
  readonly name: string;
  /** The region of an AWS host; undefined for an endpoint override's host. */
  readonly region?: string;
}

/** What is wrong with a queue URL; undefined when the hint about its characters says it best (see badValue). */
export interface QueueUrlProblem {
  readonly problem: string | undefined;
}

export interface QueueUrlContext {
  /** The option or place the URL came from, for messages. */
  readonly option: string;
  /** The SQS endpoint override, when one applies: then only its origin is accepted. */
  readonly endpoint?: string;
}

const AWS_HOSTS: readonly RegExp[] = [
  /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/,
  /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/,
];

export function parseQueueUrl(value: string, context: QueueUrlContext): QueueRef {
  const checked = checkQueueUrl(value, context.endpoint);
  if ('problem' in checked) {
    const allowed =
      context.endpoint === undefined
        ? 'a queue URL such as https://sqs.us-east-1.amazonaws.com/111122223333/my-queue'
        : `a queue URL ${originOf(context.endpoint)}/<12-digit account>/<queue name> (an SQS endpoint override is set)`;
    throw badValue(context.option, value, allowed, checked.problem);
  }
  return checked;
}

/**
 * The queue a URL names, or what is wrong with it, in words that do not repeat the URL: a backup's URL is file
 * content, which messages never quote. `endpoint`: the SQS endpoint override, when one applies.
 */
export function checkQueueUrl(value: string, endpoint: string | undefined): QueueRef | QueueUrlProblem {
  if (!/^[\x21-\x7e]+$/.test(value)) return { problem: undefined };
  const parts = /^(https?):\/\/([^/?#\\]*)([^?#]*)$/.exec(value);
  if (parts === null) {
    return {
      problem: /[?#]/.test(value)
        ? 'a query or fragment is not allowed'
        : value.includes('\\')
          ? 'a backslash is not allowed'
          : 'it is not an http(s) URL',
    };
  }
  const [, scheme, authority, path] = parts;
  if (authority.includes('@')) return { problem: 'a user name or password in a queue URL is not allowed' };
  const target = /^\/(\d{12})\/([^/]+)$/.exec(path);
  if (target === null || !QUEUE_NAME.test(target[2])) {
    return {
      problem: path.includes('%')
        ? 'percent-escapes are not allowed in a queue URL'
        : 'the path must be exactly /<12-digit account>/<queue name>',
    };
  }
  const [, account, name] = target;
  if (endpoint !== undefined) {
    if (`${scheme}://${authority}` !== originOf(endpoint)) {
      return { problem: `its host must be that of ${describeEndpoint(endpoint)}` };
    }
    return { url: value, account, name };
  }
  if (scheme !== 'https') return { problem: 'an AWS queue URL is https' };
  const region = awsQueueRegion(authority);
  if (region === undefined)
    return { problem: 'its host is not an SQS host of AWS such as sqs.us-east-1.amazonaws.com' };
  return { url: value, account, name, region };
}

/** The region an AWS SQS host names, or undefined when it is not one (the suffix must fit the partition). */
function awsQueueRegion(host: string): string | undefined {
  if (host === 'queue.amazonaws.com') return 'us-east-1';
  for (const pattern of AWS_HOSTS) {
    const match = pattern.exec(host);
    if (match === null || !REGION.test(match[1])) continue;
    const china = match[2] !== undefined;
    if (china === (partitionOf(match[1]) === 'aws-cn')) return match[1];
  }
  return undefined;
}

/** A queue URL must name the run's account, and (when both are known) the run's region. */
export function checkQueueTarget(
  ref: QueueRef,
  target: { readonly account: string; readonly region?: string; readonly regionSource?: string },
  option: string,
): void {
  if (ref.account !== target.account) {
    throw badValue(option, ref.url, `a queue of account ${target.account} (the URL names account ${ref.account})`);
  }
  if (ref.region !== undefined && target.region !== undefined && ref.region !== target.region) {
    throw badValue(
      option,
      ref.url,
      `a queue in ${target.region} (the URL names ${ref.region})`,
      `fix ${target.regionSource ?? '--region'} or the URL`,
    );
  }
}
