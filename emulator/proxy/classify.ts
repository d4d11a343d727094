/**
 * Names the AWS call behind a raw HTTP request, so the proxy log can say "sts AssumeRoot" or
 * "s3 DeleteBucketPolicy" without knowing which SDK sent it. Tests assert on these names (call counts,
 * "no mutating request"), so the rules stay close to how AWS itself routes each protocol.
 */
export type Protocol = 'query' | 'json' | 's3';

export interface CallIdentity {
  service: string;
  action: string;
  mutating: boolean;
  protocol: Protocol;
  /** The x-amz-target prefix of a JSON request (e.g. `AmazonSQS`); error bodies are shaped after it. */
  jsonTarget?: string;
  /** `1.0` or `1.1`: a JSON error must be answered in the content type the client spoke. */
  jsonVersion?: string;
}

export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Read-only verbs across the query and JSON protocols. AssumeRoot/AssumeRole issue credentials but change
 * no resource, which is what "mutating" means for the bad-input and dry-run checks. */
const READ_PREFIXES = ['Get', 'List', 'Describe', 'Head', 'Assume', 'Decode', 'Simulate', 'Lookup'];

export function isMutatingAction(action: string): boolean {
  return !READ_PREFIXES.some((prefix) => action.startsWith(prefix));
}

function header(request: RawRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The service is the 4th element of the SigV4 credential scope: `AKID/20250101/us-east-1/sts/aws4_request`. */
export function serviceFromScope(request: RawRequest, query: URLSearchParams): string {
  const authorization = header(request, 'authorization') ?? '';
  const credential = /Credential=([^,\s]+)/.exec(authorization)?.[1] ?? query.get('X-Amz-Credential') ?? '';
  const parts = credential.split('/');
  return parts.length >= 5 ? parts[parts.length - 2] : 'unknown';
}

/** Bucket sub-resources and the noun the S3 operation uses for them (GET ?policy → GetBucketPolicy). */
const S3_SUBRESOURCES: Record<string, string> = {
  policy: 'BucketPolicy',
  policyStatus: 'BucketPolicyStatus',
  acl: 'BucketAcl',
  tagging: 'BucketTagging',
  versioning: 'BucketVersioning',
  encryption: 'BucketEncryption',
  publicAccessBlock: 'PublicAccessBlock',
  ownershipControls: 'BucketOwnershipControls',
  location: 'BucketLocation',
  cors: 'BucketCors',
  lifecycle: 'BucketLifecycleConfiguration',
  website: 'BucketWebsite',
  logging: 'BucketLogging',
  notification: 'BucketNotificationConfiguration',
  'object-lock': 'ObjectLockConfiguration',
  replication: 'BucketReplication',
  accelerate: 'BucketAccelerateConfiguration',
  requestPayment: 'BucketRequestPayment',
};

const VERB: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head' };

function bucketAndKey(request: RawRequest, pathname: string): { bucket: string; key: string } {
  const segments = pathname.split('/').filter((s) => s !== '');
  // Virtual-hosted style (`bucket.localhost:port`) carries the bucket in the Host header instead of the path.
  const host = (header(request, 'host') ?? '').split(':')[0];
  const hosted = /^(.+)\.localhost$/.exec(host)?.[1];
  if (hosted) return { bucket: hosted, key: segments.join('/') };
  return { bucket: segments[0] ?? '', key: segments.slice(1).join('/') };
}

export function s3Action(request: RawRequest, pathname: string, query: URLSearchParams): string {
  const method = request.method.toUpperCase();
  const { bucket, key } = bucketAndKey(request, pathname);
  if (!bucket) return method === 'GET' ? 'ListBuckets' : `${VERB[method] ?? method}Service`;
  const sub = Object.keys(S3_SUBRESOURCES).find((name) => query.has(name));
  if (sub) {
    const noun =
      key && (sub === 'acl' || sub === 'tagging')
        ? sub.replace(/^./, (c) => `Object${c.toUpperCase()}`)
        : S3_SUBRESOURCES[sub];
    return `${VERB[method] ?? method}${noun}`;
  }
  if (!key) {
    if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
    if (method === 'GET' && query.has('versions')) return 'ListObjectVersions';
    if (method === 'GET' && query.has('uploads')) return 'ListMultipartUploads';
    if (method === 'GET') return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    const bucketVerbs: Record<string, string> = { PUT: 'CreateBucket', DELETE: 'DeleteBucket', HEAD: 'HeadBucket' };
    return bucketVerbs[method] ?? `${method}Bucket`;
  }
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'PUT' && query.has('uploadId')) return 'UploadPart';
  if (method === 'DELETE' && query.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'PUT' && header(request, 'x-amz-copy-source')) return 'CopyObject';
  return `${VERB[method] ?? method}Object`;
}

export function classify(request: RawRequest): CallIdentity {
  const url = new URL(request.url, 'http://proxy.invalid');
  const query = url.searchParams;
  const service = serviceFromScope(request, query);
  const target = header(request, 'x-amz-target');
  if (target) {
    const dot = target.lastIndexOf('.');
    const action = target.slice(dot + 1);
    const version = /x-amz-json-(\d\.\d)/.exec(header(request, 'content-type') ?? '')?.[1] ?? '1.0';
    return {
      service,
      action,
      mutating: isMutatingAction(action),
      protocol: 'json',
      jsonTarget: target.slice(0, dot),
      jsonVersion: version,
    };
  }
  if (service === 's3') {
    const action = s3Action(request, url.pathname, query);
    return { service, action, mutating: isMutatingAction(action), protocol: 's3' };
  }
  const form = new URLSearchParams(request.body.toString('utf8'));
  const action = form.get('Action') ?? query.get('Action');
  if (action) return { service, action, mutating: isMutatingAction(action), protocol: 'query' };
  // Not an AWS API call (e.g. the sandbox's own endpoints): only the HTTP method says whether it writes.
  const method = request.method.toUpperCase();
  return {
    service,
    action: `${method} ${url.pathname}`,
    mutating: method !== 'GET' && method !== 'HEAD',
    protocol: 'query',
  };
}
