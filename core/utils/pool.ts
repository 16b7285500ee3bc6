/** Runs `tasks` with at most `limit` in flight, started in the order given; results in the same order. */
export async function pool<T>(tasks: Array<() => Promise<T>>, limit: number) {
  const results: T[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const index = next++
        results[index] = await tasks[index]()
      }
    })
  )
  return results
}
