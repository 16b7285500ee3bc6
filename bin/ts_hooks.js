/*
 * The TypeScript loader of the `oryne` command: @poppinss/ts-exec's transform
 * (SWC, configured from tsconfig.json the same way) and its `.js` -> `.ts`
 * resolution, run as synchronous hooks on the main thread (module.registerHooks)
 * instead of ts-exec's hooks on a loader thread. With those, each of the ~1,400
 * imports and requires of a command waits on a round trip to that thread: about
 * 1.2 s of a `tenant list`. Tests, benchmarks and `node ace` keep ts-exec.
 */
import { createRequire, registerHooks } from 'node:module'
import { fileURLToPath } from 'node:url'

const tsExec = createRequire(import.meta.resolve('@poppinss/ts-exec'))
const { transformSync } = tsExec('@swc/core')
const { getTsconfig } = tsExec('get-tsconfig')

const TYPESCRIPT_FORMATS = new Set(['module-typescript', 'commonjs-typescript'])

/** ts-exec's tsConfigToSwcConfig, for the options Oryne's tsconfig sets. */
function swcOptions(root) {
  const options = getTsconfig(fileURLToPath(root))?.config.compilerOptions ?? {}
  const target = options.target?.toLowerCase()
  return {
    sourceMaps: options.sourceMap ?? true,
    module: { type: 'es6' },
    jsc: {
      target: target ? (target === 'es6' ? 'esnext' : target) : 'esnext',
      baseUrl: options.baseUrl,
      externalHelpers: false,
      parser: { syntax: 'typescript', tsx: !!options.jsx, decorators: true, dynamicImport: true },
      transform: {
        ...(options.emitDecoratorMetadata ? { decoratorMetadata: true } : {}),
        ...(options.experimentalDecorators ? { legacyDecorator: true } : {}),
        ...(options.verbatimModuleSyntax ? { verbatimModuleSyntax: true } : {}),
        ...(options.useDefineForClassFields ? { useDefineForClassFields: true } : {}),
        react: {
          runtime: 'automatic',
          ...(options.jsxImportSource ? { importSource: options.jsxImportSource } : {}),
        },
      },
      experimental: { keepImportAttributes: true },
      keepClassNames: true,
    },
  }
}

export function registerTypeScript(root) {
  const swc = swcOptions(root)
  process.setSourceMapsEnabled(true)
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context)
      } catch (error) {
        // Sources import each other as `.js` (what the build emits); the file is the `.ts` beside it.
        const url = error.code === 'ERR_MODULE_NOT_FOUND' ? error.url : undefined
        if (!url?.startsWith('file:')) throw error
        const [path, ...query] = url.split('?')
        if (!path.endsWith('.js')) throw error
        const candidate = [`${path.slice(0, -'.js'.length)}.ts`, ...query].join('?')
        try {
          return nextResolve(candidate, context)
        } catch {
          throw error
        }
      }
    },
    load(url, context, nextLoad) {
      if (!TYPESCRIPT_FORMATS.has(context.format)) return nextLoad(url, context)
      const { source } = nextLoad(url, { ...context, format: 'module' })
      const commonjs = context.format === 'commonjs-typescript'
      const { code, map } = transformSync(String(source), {
        ...swc,
        module: { type: commonjs ? 'commonjs' : 'es6' },
        filename: fileURLToPath(url),
      })
      const sourceMap = map
        ? `\n\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}`
        : ''
      return {
        format: commonjs ? 'commonjs' : 'module',
        source: `${code}${sourceMap}\n\n//# sourceURL=${url}`,
        shortCircuit: true,
      }
    },
  })
}
