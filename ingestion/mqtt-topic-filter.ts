/**
 * MQTT topic filters (MQTT 3.1.1 §4.7, the same in MQTT 5): `+` stands for exactly one level (an
 * empty one included), `#` for the rest of the topic — its parent level too, so `a/#` matches `a` —
 * and neither matches a first level starting with `$` (`$SYS/…` is never matched by `#`).
 */

/** A valid filter: not empty, `#` alone and last, `+` a whole level, no NUL. */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 65_535 || filter.includes('\u0000')) return false
  const levels = filter.split('/')
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1
    if (level.includes('+')) return level === '+'
    return true
  })
}

/** Whether a topic name (no wildcards) matches a filter. */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.length === 0 || topic.includes('+') || topic.includes('#')) return false
  const filterLevels = filter.split('/')
  const topicLevels = topic.split('/')
  if (topic.startsWith('$') && (filterLevels[0] === '+' || filterLevels[0] === '#')) return false
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i]
    if (level === '#') return i === filterLevels.length - 1
    if (i >= topicLevels.length) return false
    if (level !== '+' && level !== topicLevels[i]) return false
  }
  return filterLevels.length === topicLevels.length
}

/** Whether a topic matches any of the filters. */
export function matchesAny(filters: readonly string[], topic: string): boolean {
  return filters.some((filter) => topicMatches(filter, topic))
}
