// Map keys come from recordings and audit logs, so a key may be "__proto__". Plain assignment
// would then replace the object's prototype (and lose the entry); defining the property keeps it
// as ordinary data.
export function setOwn(target: object, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    (target as Record<string, unknown>)[key] = value;
  }
}
