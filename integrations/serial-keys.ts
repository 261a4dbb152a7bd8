/**
 * Runs work one at a time per key within this process: the deliveries of one alert group, when the job worker picks
 * up two at once, must not both find no post (or no run) for the group and each start one.
 */
export function createKeySerialiser(): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>()
  return (key, work) => {
    const previous = tails.get(key) ?? Promise.resolve()
    // The next in line waits for this one to settle, failed or not.
    const run = previous.then(work, work)
    const tail = run.catch(() => undefined)
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return run
  }
}
