/**
 * Last line of defence for everything the CLI writes to disk or prints about a run: any field whose
 * name says it holds a secret is dropped, and any string equal to a known secret is masked. The engine
 * never puts a secret into a record in the first place; this catches a future mistake.
 */
const SECRET_KEY = /secret|token|password|credential/i;

/**
 * Secrets shorter than this are looked for one by one; longer ones through an index of their first characters.
 * Long enough to pass the fixed start session tokens share ("IQoJb3JpZ2luX2Vj…"), short enough for a 40-character
 * secret access key.
 */
const PREFIX = 32;

/**
 * Known secret values, masked wherever they occur. A fleet run knows thousands (two per session), so a string is
 * scanned once, looking each position's first characters up in an index, instead of once per secret.
 */
export class Secrets {
  private readonly byPrefix = new Map<string, string[]>();
  private readonly short = new Set<string>();

  constructor(values: readonly (string | undefined)[] = []) {
    this.add(...values);
  }

  add(...values: readonly (string | undefined)[]): void {
    for (const value of values) {
      if (value === undefined || value === '') continue;
      if (value.length < PREFIX) {
        this.short.add(value);
        continue;
      }
      const key = value.slice(0, PREFIX);
      const list = this.byPrefix.get(key) ?? [];
      if (!list.includes(value))
        this.byPrefix.set(
          key,
          [...list, value].sort((a, b) => b.length - a.length),
        );
    }
  }

  mask(text: string): string {
    let out = text;
    for (const secret of this.short) out = out.split(secret).join('[redacted]');
    if (this.byPrefix.size === 0 || out.length < PREFIX) return out;
    let masked = '';
    let copied = 0;
    for (let i = 0; i <= out.length - PREFIX; ) {
      // The longest secret that starts here (a secret may begin like another one).
      const hit = this.byPrefix
        .get(out.slice(i, i + PREFIX))
        ?.reduce<
          string | undefined
        >((best, secret) => (out.startsWith(secret, i) && secret.length > (best?.length ?? 0) ? secret : best), undefined);
      if (hit === undefined) {
        i += 1;
        continue;
      }
      masked += `${out.slice(copied, i)}[redacted]`;
      i += hit.length;
      copied = i;
    }
    return copied === 0 ? out : masked + out.slice(copied);
  }
}

export function redact<T>(value: T, secrets: readonly string[] | Secrets = []): T {
  return walk(value, secrets instanceof Secrets ? secrets : new Secrets(secrets)) as T;
}

function walk(value: unknown, secrets: Secrets): unknown {
  if (typeof value === 'string') return secrets.mask(value);
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
