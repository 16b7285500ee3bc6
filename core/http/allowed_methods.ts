import type { HttpContext } from '@adonisjs/core/http'
import router from '@adonisjs/core/services/router'

/** The methods routes can have, in the order an Allow header lists them. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

export type AllowedMethods = {
  /** What the path answers: its routes' methods (HEAD comes with GET), and OPTIONS. Empty for an unknown path. */
  methods: string[]
  /** The plugin whose routes these are, when they answer only where it is enabled. */
  plugin?: string
}

/**
 * The methods the request's path answers to, asked of the router the way it
 * matched (and missed) the request itself. OPTIONS is always there: the CORS
 * middleware answers preflights on every path, and the exception handler
 * answers a plain OPTIONS on a known path with this list.
 */
export function allowedMethods(ctx: HttpContext): AllowedMethods {
  const url = ctx.request.url()
  const decode = ctx.request.parsedUrl.shouldDecodeParam
  const hostname = router.usingDomains ? (ctx.request.hostname() ?? undefined) : undefined
  const methods: string[] = []
  let plugin: string | undefined
  for (const method of METHODS) {
    const match = router.match(url, method, decode, hostname)
    if (!match) continue
    methods.push(method)
    const middleware = [...((match.route.middleware as any)?.all?.() ?? [])]
    plugin ??= middleware.find((entry: any) => entry.name === 'pluginEnabled')?.args?.plugin
  }
  return { methods: methods.length ? [...methods, 'OPTIONS'] : [], plugin }
}
