/** A server-sent event stream read in a test: its events parsed as they come. */
export async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const response = await fetch(url, { signal: controller.signal, headers })
  const events: { event: string; data: any }[] = []
  const reader = response.body!.getReader()
  let buffer = ''
  const pump = (async () => {
    const decoder = new TextDecoder()
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: (.+)$/m.exec(block)?.[1]
        const data = /^data: (.+)$/m.exec(block)?.[1]
        if (event && data) events.push({ event, data: JSON.parse(data) })
      }
    }
  })()
  return {
    response,
    events,
    /** The first event `predicate` accepts, waiting for it up to `timeoutMs`. */
    async until(predicate: (e: { event: string; data: any }) => boolean, timeoutMs = 15_000) {
      for (let i = 0; i < timeoutMs / 25; i++) {
        const found = events.find(predicate)
        if (found) return found
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      throw new Error(`no such event among ${events.length} received (the last: ${JSON.stringify(events.slice(-3))})`)
    },
    async close() {
      controller.abort()
      await pump
    },
  }
}

