/**
 * IAM-style wildcard matching, as policies use it for actions and ARNs: `*` is any run of characters (none
 * included), `?` exactly one, everything else literal. Actions compare case-insensitively, ARNs exactly.
 */
export function wildcardMatches(pattern: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, options.ignoreCase ? 'is' : 's').test(value);
}
