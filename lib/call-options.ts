// The Go context of the seed's methods, in TypeScript: every method that can wait takes an optional
// `{ signal }`, and aborting it settles the call with an AbortError-like AuditcastError.
export interface CallOptions {
  readonly signal?: AbortSignal;
}
