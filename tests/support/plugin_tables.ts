/**
 * Which plugin owns which table, and where a plugin's code names a table of
 * another plugin: the check behind docs/plugins.md, "Using another plugin".
 * A plugin owns the tables and views its migrations create. Names are looked
 * for in string and template literals (where SQL and query-builder table
 * names live), read with the compiler's parser, so comments do not count.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import ts from 'typescript'

const CREATED = [
  /createTable\(\s*['"`]([a-z_][a-z0-9_]*)['"`]/g,
  /CREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)/gi,
]

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name))
  } catch {
    return []
  }
}

export function pluginNames(root: string) {
  return readdirSync(join(root, 'plugins'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
}

/** Table (or view) name → the plugin whose migrations create it. */
export function tableOwners(root: string): Map<string, string> {
  const owners = new Map<string, string>()
  for (const plugin of pluginNames(root)) {
    for (const file of filesUnder(join(root, 'plugins', plugin, 'migrations'))) {
      const text = readFileSync(file, 'utf8')
      for (const pattern of CREATED)
        for (const match of text.matchAll(pattern)) owners.set(match[1].toLowerCase(), plugin)
    }
  }
  return owners
}

export type TableMention = {
  /** The file, relative to the root, with `/` separators. */
  file: string
  line: number
  /** The plugin whose code this is. */
  plugin: string
  /** A table name, or `<prefix>_${…}` for a name built at run time. */
  table: string
  owner: string
  /** Whether the file is one of the plugin's migrations. */
  migration: boolean
}

/** The literal pieces of a file with their line: strings and the text parts of templates. */
function literals(file: string): { text: string; line: number; open: boolean }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const found: { text: string; line: number; open: boolean }[] = []
  const add = (node: ts.Node, text: string, open: boolean) =>
    found.push({
      text,
      open,
      line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
    })
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
      add(node, node.text, false)
    else if (ts.isTemplateExpression(node)) {
      add(node.head, node.head.text, true)
      for (const span of node.templateSpans)
        add(span.literal, span.literal.text, ts.isTemplateMiddle(span.literal))
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** Every place a plugin's non-test code names a table another plugin owns. */
export function foreignTableMentions(root: string): TableMention[] {
  const owners = tableOwners(root)
  const prefixes = new Set(owners.values())
  const mentions: TableMention[] = []
  for (const plugin of pluginNames(root)) {
    const dir = join(root, 'plugins', plugin)
    for (const path of filesUnder(dir)) {
      const inPlugin = relative(dir, path).split(sep)
      if (inPlugin[0] === 'tests' || path.endsWith('.d.ts')) continue
      const file = relative(root, path).split(sep).join('/')
      const migration = inPlugin[0] === 'migrations'
      for (const { text, line, open } of literals(path)) {
        for (const word of text.toLowerCase().matchAll(/[a-z_][a-z0-9_]*/g)) {
          const owner = owners.get(word[0])
          // The line of the name itself, inside a SQL text of many lines.
          const at = line + text.slice(0, word.index).split('\n').length - 1
          if (owner && owner !== plugin)
            mentions.push({ file, line: at, plugin, table: word[0], owner, migration })
        }
        // A name put together at run time: `erp_${kind}`.
        const built = open ? /(?:^|[^a-z0-9_])([a-z]+)_$/.exec(text.toLowerCase()) : null
        if (built && prefixes.has(built[1]) && built[1] !== plugin)
          mentions.push({
            file,
            line,
            plugin,
            table: `${built[1]}_\${…}`,
            owner: built[1],
            migration,
          })
      }
    }
  }
  return mentions
}
