/**
 * Writes chunks as a producer yields them, never more than the socket takes: when `write`
 * returns false the loop waits for `drain` before asking the producer (which fetches the next
 * page from the database lazily) for more. A client that goes away ends the loop, and the
 * producer with it. Memory stays at about one page whatever the size of the download.
 */
import type { Writable } from 'node:stream'

export async function streamChunks(out: Writable, chunks: AsyncIterable<string>): Promise<void> {
  let closed = false
  const onClose = () => {
    closed = true
  }
  out.once('close', onClose)
  try {
    for await (const chunk of chunks) {
      if (closed) return // leaving the loop closes the producer: no further page is fetched
      if (!out.write(chunk)) await drainOrClose(out)
    }
    if (!closed) out.end()
  } finally {
    out.off('close', onClose)
  }
}

function drainOrClose(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done)
      out.off('close', done)
      resolve()
    }
    out.on('drain', done)
    out.on('close', done)
  })
}
