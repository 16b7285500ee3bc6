/**
 * The import graph of the repository's TypeScript sources, built with the
 * compiler's own module resolution (ts.resolveModuleName over tsconfig.json),
 * so `#core/*` subpath imports, `.js` specifiers naming `.ts` files and the
 * `@oryne/sdk` workspace package resolve exactly as `tsc` resolves them.
 * dependency-cruiser 18 was tried first: it resolves `#core/*` only when
 * given webpack's extensionAlias through its API, takes
 * `import ort, { type InferenceSession }` for a type-only import, and keeps
 * one dependency per imported file, so a dynamic import() of a file also
 * imported for its types disappears; either would hide a runtime cycle.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import ts from 'typescript'

export type ImportKind = 'static' | 'type' | 'dynamic'

export interface ImportEdge {
  /** Importing file, relative to the root, with `/` separators. */
  from: string
  /** The specifier as written. */
  specifier: string
  /** Resolved file relative to the root, or null for a package or builtin outside the repository. */
  to: string | null
  kind: ImportKind
  line: number
}

function listSources(root: string, dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name)
    if (!entry.isFile() || !/\.(tsx?|js)$/.test(entry.name) || entry.name.endsWith('.d.ts'))
      continue
    if (path.split(sep).includes('node_modules')) continue
    files.push(path)
  }
  return files
}

/** An import or re-export all of whose bindings are types: the compiler erases it. */
function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause
    if (!clause) return false
    if (clause.isTypeOnly) return true
    const named = clause.namedBindings
    return (
      !clause.name &&
      !!named &&
      ts.isNamedImports(named) &&
      named.elements.length > 0 &&
      named.elements.every((element) => element.isTypeOnly)
    )
  }
  if (node.isTypeOnly) return true
  const clause = node.exportClause
  return (
    !!clause &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((element) => element.isTypeOnly)
  )
}

/** Every import of the `.ts`, `.tsx` and `.js` files under `dirs` (relative to `root`). */
export function importGraph(root: string, dirs: string[]): ImportEdge[] {
  const configPath = join(root, 'tsconfig.json')
  const config = ts.readConfigFile(configPath, ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  const cache = ts.createModuleResolutionCache(root, (name) => name, options)
  const rel = (path: string) => relative(root, path).split(sep).join('/')

  const edges: ImportEdge[] = []
  for (const file of dirs.flatMap((dir) => listSources(root, dir))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
    const add = (specifier: string, kind: ImportKind, node: ts.Node) => {
      const resolved = ts.resolveModuleName(
        specifier,
        file,
        options,
        ts.sys,
        cache,
        undefined,
        ts.ModuleKind.ESNext
      ).resolvedModule
      const target = resolved ? ts.sys.realpath!(resolved.resolvedFileName) : null
      const inside =
        target &&
        !relative(root, target).startsWith('..') &&
        !target.includes(`${sep}node_modules${sep}`)
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
      edges.push({
        from: rel(file),
        specifier,
        to: inside ? rel(target) : null,
        kind,
        line: line + 1,
      })
    }
    const visit = (node: ts.Node) => {
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        add(node.moduleSpecifier.text, isTypeOnly(node) ? 'type' : 'static', node)
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteralLike(node.arguments[0])
      ) {
        add(node.arguments[0].text, 'dynamic', node)
      } else if (
        ts.isImportTypeNode(node) &&
        ts.isLiteralTypeNode(node.argument) &&
        ts.isStringLiteral(node.argument.literal)
      ) {
        add(node.argument.literal.text, 'type', node)
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return edges
}

/**
 * The import cycles among `edges`, one per strongly connected component of
 * more than one file (or a file importing itself), each shown as a closed path.
 */
export function findCycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>()
  for (const edge of edges) {
    if (!edge.to) continue
    if (!next.has(edge.from)) next.set(edge.from, new Set())
    next.get(edge.from)!.add(edge.to)
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const connect = (node: string) => {
    index.set(node, index.size)
    low.set(node, index.get(node)!)
    stack.push(node)
    onStack.add(node)
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to)
        low.set(node, Math.min(low.get(node)!, low.get(to)!))
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!))
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || next.get(node)?.has(node)) components.push(component)
    }
  }
  for (const node of [...next.keys()].sort()) if (!index.has(node)) connect(node)

  // Show each component as one concrete cycle through its first file (breadth-first, shortest).
  return components.map((component) => {
    const members = new Set(component)
    const start = [...component].sort()[0]
    const previous = new Map<string, string>()
    const queue = [start]
    while (queue.length) {
      const node = queue.shift()!
      for (const to of next.get(node) ?? []) {
        if (!members.has(to)) continue
        if (to === start) {
          const path = [node]
          while (path[0] !== start) path.unshift(previous.get(path[0])!)
          const rest =
            component.length > path.length
              ? ` (+${component.length - path.length} more files in this knot)`
              : ''
          return [...path, start + rest]
        }
        if (!previous.has(to)) {
          previous.set(to, node)
          queue.push(to)
        }
      }
    }
    return component
  })
}
