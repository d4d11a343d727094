/**
 * Last line of defence for everything the CLI writes to disk or prints about a run: any field whose
 * name says it holds a secret is dropped, and any string equal to a known secret is masked. The engine
 * never puts a secret into a record in the first place; this catches a future mistake.
 */
const SECRET_KEY = /secret|token|password|credential/i;

export function redact<T>(value: T, secrets: readonly string[] = []): T {
  return walk(value, secrets) as T;
}

function walk(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    return secrets.reduce((text, secret) => (secret === '' ? text : text.split(secret).join('[redacted]')), value);
  }
  if (Array.isArray(value)) return value.map((item) => walk(item, secrets));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !SECRET_KEY.test(key))
        .map(([key, item]) => [key, walk(item, secrets)]),
    );
  }
  return value;
}
