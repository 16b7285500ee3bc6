import { call, openapi } from '../api.js'
import { navigate } from '../router.js'
import { Link, Loading, Pager, Problem, useLoad } from '../ui.js'

/** The plugin's resource lists, read from the tenant's OpenAPI document: collection paths with a GET. */
async function listsOf(plugin: string) {
  const document = await openapi()
  const prefix = `/api/v1/${plugin}/`
  return Object.entries(document.paths)
    .filter(([path, item]) => path.startsWith(prefix) && !path.includes('{') && item.get)
    .map(([path, item]) => ({
      path,
      name: path.slice(prefix.length),
      summary: item.get.summary as string,
    }))
    .filter((list) => list.name && !list.name.includes('/'))
}

function cell(value: unknown) {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** A first look at a plugin's data: the records of one of its resources, a page at a time. */
export function Data(props: { plugin: string; resource: string | null; page: number }) {
  const lists = useLoad(() => listsOf(props.plugin), [props.plugin])
  const records = useLoad(
    async () =>
      props.resource
        ? call<Record<string, unknown>[]>(`/api/v1/${props.plugin}/${props.resource}`, {
            query: { page: props.page, per_page: 20 },
          })
        : null,
    [props.plugin, props.resource, props.page]
  )
  const rows = records.data?.data ?? []
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].slice(0, 8)
  const pagination = records.data?.pagination
  return (
    <section aria-labelledby="data-title">
      <h1 id="data-title">{props.plugin} data</h1>
      {lists.error ? <Problem error={lists.error} /> : null}
      {!lists.data && !lists.error ? <Loading what="resources" /> : null}
      {lists.data && (
        <nav aria-label={`${props.plugin} resources`}>
          <ul class="chips">
            {lists.data.map((list) => (
              <li key={list.name}>
                <Link
                  to={`/data/${props.plugin}?resource=${list.name}`}
                  current={list.name === props.resource}
                >
                  {list.name}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {props.resource && (
        <>
          <h2>{props.resource}</h2>
          {records.error ? <Problem error={records.error} /> : null}
          {records.loading ? <Loading what={props.resource} /> : null}
          {records.data && (
            <>
              <p role="status" data-testid="record-count">
                {pagination?.total ?? rows.length} record(s)
              </p>
              <div class="overflow-auto">
                <table class="striped">
                  <thead>
                    <tr>
                      {columns.map((column) => (
                        <th key={column} scope="col">
                          {column}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row, index) => (
                      <tr key={String(row.id ?? index)}>
                        {columns.map((column) => (
                          <td key={column}>{cell(row[column])}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager
                page={props.page}
                last={pagination?.last_page ?? Math.ceil((pagination?.total ?? 0) / 20)}
                onPage={(page) =>
                  navigate(`/data/${props.plugin}?resource=${props.resource}&page=${page}`)
                }
              />
            </>
          )}
        </>
      )}
      {!props.resource && lists.data?.length === 0 && (
        <p>This plugin serves no resource lists here (is it enabled?).</p>
      )}
    </section>
  )
}
