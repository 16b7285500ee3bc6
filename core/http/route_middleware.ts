import type { middleware } from '#start/kernel'

/** The named middleware of start/kernel.ts, as each capability's routes function receives them. */
export type RouteMiddleware = typeof middleware
