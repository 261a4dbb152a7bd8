/**
 * Freezes a parsed JSON value and everything in it: for a value several readers share (a bus event,
 * a pinned playbook), so that one reader's mutation throws instead of changing what the others see.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}
