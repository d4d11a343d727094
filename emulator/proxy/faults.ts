/**
 * Fault decisions and the error answers the proxy sends in place of the sandbox's. Each answer copies the
 * shape a real AWS endpoint uses for that protocol, because the SDK decides whether to retry from the parsed
 * error code (Throttling, ThrottlingException, SlowDown) or the HTTP status, not from our intentions.
 */
import type { CallIdentity } from './classify';

export type Fault = 'throttled' | 'server-error' | 'reset' | 'slow';

export interface FaultRates {
  throttle?: number;
  serverError?: number;
  reset?: number;
  slow?: number;
}

/** murmur3's finalizer: a well-mixed 32-bit hash, so one uniform number per (seed, seq, salt) is reproducible
 * regardless of the order concurrent requests arrive in or how many numbers other requests drew. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function uniform(seed: number, seq: number, salt: number): number {
  return mix32(mix32(seed ^ Math.imul(seq, 0x9e3779b9)) ^ Math.imul(salt + 1, 0x27d4eb2f)) / 0x1_0000_0000;
}

export function decideFault(rates: FaultRates, seed: number, seq: number): Fault | undefined {
  let draw = uniform(seed, seq, 0);
  const order: [Fault, number | undefined][] = [
    ['throttled', rates.throttle],
    ['server-error', rates.serverError],
    ['reset', rates.reset],
    ['slow', rates.slow],
  ];
  for (const [fault, rate] of order) {
    if (draw < (rate ?? 0)) return fault;
    draw -= rate ?? 0;
  }
  return undefined;
}

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function requestId(seq: number): string {
  return `proxy-${seq.toString(16).padStart(8, '0')}`;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Throttling (`throttle`) or an internal error (`server`) in the protocol the request spoke. */
export function errorAnswer(call: CallIdentity, kind: 'throttle' | 'server', seq: number): ErrorAnswer {
  const id = requestId(seq);
  if (call.protocol === 'json') {
    const code = kind === 'throttle' ? 'ThrottlingException' : 'InternalFailure';
    const message =
      kind === 'throttle' ? 'Rate exceeded' : 'The request processing has failed because of an unknown error.';
    const headers: Record<string, string> = {
      'content-type': `application/x-amz-json-${call.jsonVersion ?? '1.0'}`,
      'x-amzn-requestid': id,
    };
    // SQS speaks JSON in "query compatible" mode: its errors carry a namespaced __type and repeat the old
    // query error code and fault in x-amzn-query-error, which the SDK prefers when present.
    const sqs = call.jsonTarget === 'AmazonSQS';
    if (sqs) headers['x-amzn-query-error'] = `${code};${kind === 'throttle' ? 'Sender' : 'Receiver'}`;
    const type = sqs ? `com.amazonaws.sqs#${code}` : code;
    return { status: kind === 'throttle' ? 400 : 500, headers, body: JSON.stringify({ __type: type, message }) };
  }
  if (call.protocol === 's3') {
    const [status, code, message] =
      kind === 'throttle'
        ? [503, 'SlowDown', 'Please reduce your request rate.']
        : [500, 'InternalError', 'We encountered an internal error. Please try again.'];
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${id}</RequestId>` +
      `<HostId>${id}</HostId></Error>`;
    return { status, headers: { 'content-type': 'application/xml', 'x-amz-request-id': id }, body };
  }
  const [status, type, code, message] =
    kind === 'throttle'
      ? [400, 'Sender', 'Throttling', 'Rate exceeded']
      : [500, 'Receiver', 'InternalFailure', 'An internal error has occurred.'];
  const body =
    `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
    `</Error><RequestId>${id}</RequestId></ErrorResponse>`;
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id }, body };
}
