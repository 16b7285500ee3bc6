/** A plugin as the modules page knows it (GET /api/v1/admin/plugins/catalog). */
export type ModuleEntry = {
  name: string
  version: string | null
  available: boolean
  status: 'enabled' | 'disabled' | 'not_installed'
  description: string | null
  dependencies: Record<string, string>
  dependents: string[]
}

const WIDTH = 120
const HEIGHT = 34
const GAP_X = 56
const GAP_Y = 16

/** Depth of each plugin: 0 without dependencies, else one more than its deepest dependency. */
function layers(modules: ModuleEntry[]) {
  const byName = new Map(modules.map((entry) => [entry.name, entry]))
  const depth = new Map<string, number>()
  const visit = (name: string, seen: Set<string>): number => {
    if (depth.has(name)) return depth.get(name)!
    if (seen.has(name)) return 0
    seen.add(name)
    const deps = Object.keys(byName.get(name)?.dependencies ?? {}).filter((dep) => byName.has(dep))
    const value = deps.length ? 1 + Math.max(...deps.map((dep) => visit(dep, seen))) : 0
    depth.set(name, value)
    return value
  }
  modules.forEach((entry) => visit(entry.name, new Set()))
  return depth
}

/**
 * Every plugin and what it needs, drawn left (no dependencies) to right; the
 * fill says whether it is on here. The same facts are in the text list below
 * the drawing, for screen readers and small screens.
 */
export function DependencyGraph(props: { modules: ModuleEntry[] }) {
  const depth = layers(props.modules)
  const columns: string[][] = []
  for (const entry of props.modules) (columns[depth.get(entry.name)!] ??= []).push(entry.name)
  const at = new Map<string, { x: number; y: number }>()
  columns.forEach((names, column) =>
    names.forEach((name, row) =>
      at.set(name, { x: 8 + column * (WIDTH + GAP_X), y: 8 + row * (HEIGHT + GAP_Y) })
    )
  )
  const width = 16 + columns.length * (WIDTH + GAP_X) - GAP_X
  const height =
    16 + Math.max(1, ...columns.map((names) => names.length)) * (HEIGHT + GAP_Y) - GAP_Y
  const edges = props.modules.flatMap((entry) =>
    Object.keys(entry.dependencies)
      .filter((dep) => at.has(dep))
      .map((dep) => ({ from: entry.name, to: dep }))
  )
  const summary = edges.length
    ? edges.map((edge) => `${edge.from} needs ${edge.to}`).join('; ')
    : 'No plugin depends on another.'
  return (
    <figure class="graph">
      <svg
        role="img"
        aria-labelledby="graph-title graph-desc"
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
      >
        <title id="graph-title">Plugin dependencies</title>
        <desc id="graph-desc">{summary}</desc>
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" class="edge-head" />
          </marker>
        </defs>
        {edges.map((edge) => {
          const from = at.get(edge.from)!
          const to = at.get(edge.to)!
          return (
            <line
              key={`${edge.from}-${edge.to}`}
              class="edge"
              x1={from.x}
              y1={from.y + HEIGHT / 2}
              x2={to.x + WIDTH}
              y2={to.y + HEIGHT / 2}
              marker-end="url(#arrow)"
            />
          )
        })}
        {props.modules.map((entry) => {
          const { x, y } = at.get(entry.name)!
          return (
            <g key={entry.name} class={`node ${entry.status}`} data-plugin={entry.name}>
              <rect x={x} y={y} width={WIDTH} height={HEIGHT} rx="6" />
              <text x={x + WIDTH / 2} y={y + HEIGHT / 2 + 5} text-anchor="middle">
                {entry.name}
              </text>
            </g>
          )
        })}
      </svg>
      <figcaption>
        Arrows point to what a plugin needs. Filled: enabled; outlined: disabled or never enabled.
      </figcaption>
    </figure>
  )
}
