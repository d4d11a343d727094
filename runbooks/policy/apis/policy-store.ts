/** A resource policy as the unlock runbooks see it: read it, or write it (null removes it). */
export interface PolicyStore {
  /** The exact policy text, or null when the resource has none. */
  read(resource: string): Promise<string | null>;
  write(resource: string, policy: string | null): Promise<void>;
}
