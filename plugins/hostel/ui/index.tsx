import { useEffect, useRef, useState } from 'preact/hooks'
import {
  api,
  definePluginUi,
  Empty,
  Loading,
  Notice,
  Page,
  Problem,
  useAction,
  useI18n,
  useLoad,
} from '@oryne/web'

type Hostel = { id: string; name: string; type: string }
type Room = {
  id: string
  number: string
  floor: number | null
  capacity: number
  occupied: number
  status: string
  block?: { name: string } | null
}
type Person = { first_name: string; last_name: string; enrollment_no?: string }
type Allocation = {
  id: string
  room_id: string
  student_id: string | null
  student?: Person | null
  user?: { name: string } | null
  starts_on: string
}
type Student = Person & { id: string; enrollment_no: string; gender?: string | null }

/** What the side panel does: allocate a free bed of a room, move or end a stay. */
type Task =
  | { kind: 'allocate'; room: Room }
  | { kind: 'move'; allocation: Allocation; room: Room }
  | { kind: 'end'; allocation: Allocation; room: Room }

const residentName = (allocation: Allocation) =>
  allocation.student
    ? `${allocation.student.first_name} ${allocation.student.last_name}`
    : (allocation.user?.name ?? allocation.id)

async function boardOf(hostelId: string) {
  const [rooms, allocations] = await Promise.all([
    api<Room[]>('/api/v1/hostel/rooms', {
      query: {
        'filter[hostel_id]': hostelId,
        'include': 'block',
        'sort': 'number',
        'per_page': 100,
      },
    }),
    api<Allocation[]>('/api/v1/hostel/allocations', {
      query: {
        'filter[hostel_id]': hostelId,
        'filter[status]': 'active',
        'include': 'student,user',
        'sort': 'starts_on',
        'per_page': 100,
      },
    }),
  ])
  return { rooms, allocations }
}

/**
 * The allocation board: a hostel's rooms with their beds, each bed a resident
 * (move, end the stay) or free (allocate a student). Buttons and forms only,
 * so a keyboard does everything a pointer does.
 */
function Board() {
  const i18n = useI18n()
  const { t } = i18n
  const hostels = useLoad(
    () => api<Hostel[]>('/api/v1/hostel/hostels', { query: { per_page: 100 } }),
    []
  )
  const [hostelId, setHostelId] = useState<string | null>(null)
  const current = hostelId ?? hostels.data?.[0]?.id ?? null
  const board = useLoad(() => (current ? boardOf(current) : Promise.resolve(null)), [current])
  const [task, setTask] = useState<Task | null>(null)
  const [done, setDone] = useState<string | null>(null)

  async function finished(text: string) {
    setTask(null)
    setDone(text)
    await board.reload()
  }

  return (
    <Page title={t('hostel.nav.board')}>
      <Problem error={hostels.error ?? board.error} />
      {hostels.data && hostels.data.length > 1 ? (
        <label>
          {t('hostel.board.hostel')}
          <select
            value={current ?? ''}
            onChange={(event) => {
              setHostelId((event.target as HTMLSelectElement).value)
              setTask(null)
              setDone(null)
            }}
          >
            {hostels.data.map((hostel) => (
              <option key={hostel.id} value={hostel.id}>
                {hostel.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <Notice text={done} />
      {task && board.data ? (
        <TaskPanel
          task={task}
          rooms={board.data.rooms}
          onCancel={() => setTask(null)}
          onDone={finished}
        />
      ) : null}
      {!board.data ? (
        hostels.data && hostels.data.length === 0 ? (
          <Empty text={t('hostel.board.noHostels')} />
        ) : (
          <Loading what={t('hostel.nav.board')} />
        )
      ) : (
        <ul class="campus-board">
          {board.data.rooms.map((room) => {
            const residents = board.data!.allocations.filter(
              (a) => String(a.room_id) === String(room.id)
            )
            const beds = Array.from(
              { length: Math.max(room.capacity, residents.length) },
              (_, i) => residents[i]
            )
            return (
              <li key={room.id}>
                <article aria-labelledby={`room-${room.id}`} class="campus-room">
                  <h2 id={`room-${room.id}`}>{t('hostel.room', { number: room.number })}</h2>
                  <p class="muted">
                    {room.block?.name ?? ''}
                    {room.block ? ' · ' : ''}
                    {t('hostel.occupancy', { occupied: residents.length, capacity: room.capacity })}
                    {room.status !== 'active' ? ` · ${t(`hostel.status.${room.status}`)}` : ''}
                  </p>
                  <ol class="campus-beds">
                    {beds.map((resident, i) => (
                      <li key={i} class={resident ? 'campus-bed taken' : 'campus-bed free'}>
                        <span>
                          {t('hostel.bed', { n: i + 1 })}:{' '}
                          {resident ? residentName(resident) : t('hostel.free')}
                        </span>
                        {resident ? (
                          <span class="campus-actions">
                            <button
                              type="button"
                              class="secondary outline"
                              aria-label={t('hostel.moveTitle', { name: residentName(resident) })}
                              onClick={() => setTask({ kind: 'move', allocation: resident, room })}
                            >
                              {t('hostel.move')}
                            </button>
                            <button
                              type="button"
                              class="secondary outline"
                              aria-label={t('hostel.endTitle', { name: residentName(resident) })}
                              onClick={() => setTask({ kind: 'end', allocation: resident, room })}
                            >
                              {t('hostel.end')}
                            </button>
                          </span>
                        ) : room.status === 'active' ? (
                          <button
                            type="button"
                            class="outline"
                            aria-label={t('hostel.allocateTitle', {
                              n: i + 1,
                              number: room.number,
                            })}
                            onClick={() => setTask({ kind: 'allocate', room })}
                          >
                            {t('hostel.allocate')}
                          </button>
                        ) : null}
                      </li>
                    ))}
                  </ol>
                </article>
              </li>
            )
          })}
        </ul>
      )}
    </Page>
  )
}

/** Allocating, moving or ending, in a panel that takes the focus and gives it back on close. */
function TaskPanel(props: {
  task: Task
  rooms: Room[]
  onCancel: () => void
  onDone: (text: string) => void
}) {
  const { t } = useI18n()
  const { task } = props
  const heading = useRef<HTMLHeadingElement>(null)
  const action = useAction()
  const [students, setStudents] = useState<Student[] | null>(null)
  const [target, setTarget] = useState('')
  useEffect(() => heading.current?.focus(), [task])

  const name = task.kind === 'allocate' ? '' : residentName(task.allocation)
  const title =
    task.kind === 'allocate'
      ? t('hostel.panel.allocate', { number: task.room.number })
      : task.kind === 'move'
        ? t('hostel.panel.move', { name, number: task.room.number })
        : t('hostel.panel.end', { name, number: task.room.number })

  async function search(event: Event) {
    event.preventDefault()
    const wanted = new FormData(event.target as HTMLFormElement).get('q')?.toString().trim()
    if (!wanted) return
    const found = await action.run(() =>
      api<Student[]>('/api/v1/erp/students', { query: { search: wanted, per_page: 10 } })
    )
    if (found) setStudents(found)
  }

  async function allocate(student: Student) {
    const made = await action.run(() =>
      api('/api/v1/hostel/allocations', {
        method: 'POST',
        body: { room_id: String(task.room.id), student_id: String(student.id) },
      })
    )
    if (made)
      props.onDone(
        t('hostel.done.allocated', {
          name: `${student.first_name} ${student.last_name}`,
          number: task.room.number,
        })
      )
  }

  async function move(event: Event) {
    event.preventDefault()
    if (task.kind !== 'move' || !target) return
    const room = props.rooms.find((r) => String(r.id) === target)
    const moved = await action.run(() =>
      api(`/api/v1/hostel/allocations/${task.allocation.id}/transfer`, {
        method: 'POST',
        body: { room_id: target },
      })
    )
    if (moved) props.onDone(t('hostel.done.moved', { name, number: room?.number ?? '' }))
  }

  async function end() {
    if (task.kind !== 'end') return
    const ended = await action.run(() =>
      api(`/api/v1/hostel/allocations/${task.allocation.id}/vacate`, { method: 'POST', body: {} })
    )
    if (ended) props.onDone(t('hostel.done.ended', { name, number: task.room.number }))
  }

  const freeRooms = props.rooms.filter(
    (room) =>
      room.status === 'active' &&
      room.occupied < room.capacity &&
      String(room.id) !== String(task.room.id)
  )

  return (
    <section aria-labelledby="hostel-panel" class="campus-panel">
      <h2 id="hostel-panel" tabIndex={-1} ref={heading}>
        {title}
      </h2>
      <Problem error={action.error} />
      {task.kind === 'allocate' ? (
        <>
          <form role="search" onSubmit={search}>
            <label>
              {t('hostel.panel.student')}
              <input name="q" autoComplete="off" />
            </label>
            <button type="submit" disabled={action.busy}>
              {t('hostel.panel.find')}
            </button>
          </form>
          {students ? (
            students.length ? (
              <ul class="campus-plain">
                {students.map((student) => (
                  <li key={student.id} class="campus-row">
                    <span>
                      {student.first_name} {student.last_name} ({student.enrollment_no})
                    </span>
                    <button
                      type="button"
                      disabled={action.busy}
                      aria-label={t('hostel.panel.allocateTo', {
                        name: `${student.first_name} ${student.last_name}`,
                        number: task.room.number,
                      })}
                      onClick={() => allocate(student)}
                    >
                      {t('hostel.allocate')}
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <Empty text={t('hostel.panel.noStudent')} />
            )
          ) : null}
        </>
      ) : task.kind === 'move' ? (
        <form onSubmit={move}>
          <label>
            {t('hostel.panel.to')}
            <select
              name="room"
              required
              value={target}
              onChange={(event) => setTarget((event.target as HTMLSelectElement).value)}
            >
              <option value="">{t('hostel.panel.choose')}</option>
              {freeRooms.map((room) => (
                <option key={room.id} value={room.id}>
                  {t('hostel.panel.roomOption', {
                    number: room.number,
                    free: room.capacity - room.occupied,
                  })}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={action.busy || !target}>
            {t('hostel.move')}
          </button>
        </form>
      ) : (
        <p>
          <button type="button" disabled={action.busy} onClick={end}>
            {t('hostel.panel.confirmEnd')}
          </button>
        </p>
      )}
      <button type="button" class="secondary" onClick={props.onCancel}>
        {t('hostel.panel.cancel')}
      </button>
    </section>
  )
}

export default definePluginUi({ pages: { board: Board } })
