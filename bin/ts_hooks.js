/*
 * The TypeScript loader of the `oryne` command: @poppinss/ts-exec's transform
 * (SWC, configured from tsconfig.json the same way) and its `.js` -> `.ts`
 * resolution, run as synchronous hooks on the main thread (module.registerHooks)
 * instead of ts-exec's hooks on a loader thread. With those, each of the ~1,400
 * imports and requires of a command waits on a round trip to that thread: about
 * 1.2 s of a `tenant list`. Tests, benchmarks and `node ace` keep ts-exec.
 *
 * Transforms are kept in node_modules/.cache/oryne-ts, named by a hash of the
 * file's path and source, tsconfig.json and the SWC version: an edited file is a
 * new entry, and a start whose files are all cached loads neither SWC nor the
 * tsconfig reader. The cache only grows; `npm ci` starts it afresh.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire, registerHooks } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const tsExec = createRequire(import.meta.resolve('@poppinss/ts-exec'))
/** Bump when the transform below changes, so that older cache entries are not reused. */
const TRANSFORM_VERSION = 1

const TYPESCRIPT_FORMATS = new Set(['module-typescript', 'commonjs-typescript'])

/** ts-exec's tsConfigToSwcConfig, for the options Oryne's tsconfig sets. */
function swcOptions(root) {
  const { getTsconfig } = tsExec('get-tsconfig')
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

/** Transforms one file, through the cache; SWC and the options load on the first miss only. */
function transformer(root) {
  const cacheDir = join(fileURLToPath(root), 'node_modules/.cache/oryne-ts')
  const fingerprint = [
    TRANSFORM_VERSION,
    readFileSync(new URL('tsconfig.json', root), 'utf8'),
    JSON.parse(readFileSync(tsExec.resolve('@swc/core/package.json'), 'utf8')).version,
  ].join('\0')
  let swc
  return (source, filename, commonjs) => {
    const key = createHash('sha1')
      .update(`${fingerprint}\0${filename}\0${commonjs}\0`)
      .update(source)
    const file = join(cacheDir, `${key.digest('hex')}.js`)
    try {
      return readFileSync(file, 'utf8')
    } catch {}
    swc ??= { transformSync: tsExec('@swc/core').transformSync, options: swcOptions(root) }
    const { code, map } = swc.transformSync(source, {
      ...swc.options,
      module: { type: commonjs ? 'commonjs' : 'es6' },
      filename,
    })
    const sourceMap = map
      ? `\n\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}`
      : ''
    const output = `${code}${sourceMap}`
    try {
      // Written aside, then renamed: two processes starting at once never read half a file.
      mkdirSync(cacheDir, { recursive: true })
      const partial = `${file}.${process.pid}`
      writeFileSync(partial, output)
      renameSync(partial, file)
    } catch {}
    return output
  }
}

export function registerTypeScript(root) {
  const transform = transformer(root)
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
      const code = transform(String(source), fileURLToPath(url), commonjs)
      return {
        format: commonjs ? 'commonjs' : 'module',
        source: `${code}\n\n//# sourceURL=${url}`,
        shortCircuit: true,
      }
    },
  })
}
