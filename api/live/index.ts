export { LiveFeed } from './live-feed.ts'
export type { AlertEvent, LiveEvent, ReadingEvent } from './live-feed.ts'
export { liveRoutes } from './live-routes.ts'
