/**
 * `{ ...base, ...extra }` for code that runs per event or per post. Node 20's V8 gives every object built by a literal
 * that starts with a spread and then adds keys a map (hidden class) of its own: 4 µs plus 5 µs per added key, a new map
 * for the garbage collector each time, and every later read of its fields a slow, megamorphic one. Object.assign onto
 * a fresh object follows the shared map transitions (measured on Node 20.20: 20,000 posts built by
 * `{ ...fields, 10 more keys }` took 590 ms, field by field 34 ms, with Object.assign 25 ms).
 * Overwriting keys the base already has (`{ ...row, state }`) is not affected.
 */
export function extend<A extends object, B extends object>(base: A, extra: B): Omit<A, keyof B> & B {
  return Object.assign({}, base, extra)
}
