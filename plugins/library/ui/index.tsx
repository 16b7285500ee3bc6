import { useRef, useState } from 'preact/hooks'
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

type Loan = {
  id: string
  due_on: string
  renewals: number
  renewals_allowed: number
  status: string
  title?: { title: string; authors?: string }
  copy?: { barcode: string }
}

type Member = {
  id: string
  card_no: string | null
  kind: string
  status: string
  student?: { first_name: string; last_name: string; enrollment_no: string } | null
  user?: { name: string } | null
}

type Student = { id: string; first_name: string; last_name: string; enrollment_no: string }

const myLoans = () =>
  api<Loan[]>('/api/v1/library/loans', {
    query: { 'filter[status]': 'open', 'include': 'title,copy', 'sort': 'due_on' },
  })

/** A student's open loans with their due dates; each renewable from here. */
function MyLoans() {
  const i18n = useI18n()
  const { t } = i18n
  const loans = useLoad(myLoans, [])
  const renewal = useAction()
  const [done, setDone] = useState<string | null>(null)

  async function renew(loan: Loan) {
    setDone(null)
    const renewed = await renewal.run(() =>
      api<Loan>('/api/v1/library/circulation/renew', {
        method: 'POST',
        body: { barcode: loan.copy?.barcode },
      })
    )
    if (renewed) {
      setDone(
        t('library.loans.renewed', { title: loan.title?.title, due: i18n.date(renewed.due_on) })
      )
      await loans.reload()
    }
  }

  return (
    <Page title={t('library.nav.loans')}>
      <Problem error={loans.error} />
      <Problem error={renewal.error} />
      <Notice text={done} />
      {!loans.data ? (
        <Loading what={t('library.nav.loans')} />
      ) : loans.data.length === 0 ? (
        <Empty text={t('library.loans.none')} />
      ) : (
        <ul class="campus-cards">
          {loans.data.map((loan) => {
            const overdue = loan.due_on < i18n.today()
            return (
              <li key={loan.id}>
                <article aria-labelledby={`loan-${loan.id}`}>
                  <h2 id={`loan-${loan.id}`}>{loan.title?.title ?? loan.copy?.barcode}</h2>
                  <p>
                    {t(overdue ? 'library.loans.overdue' : 'library.loans.due', {
                      due: i18n.date(loan.due_on),
                    })}
                  </p>
                  <p class="muted">
                    {t('library.loans.copy', { barcode: loan.copy?.barcode ?? '—' })} ·{' '}
                    {t('library.loans.renewals', {
                      used: loan.renewals,
                      allowed: loan.renewals_allowed,
                    })}
                  </p>
                  <button
                    type="button"
                    disabled={renewal.busy}
                    onClick={() => renew(loan)}
                    aria-label={t('library.loans.renewTitle', {
                      title: loan.title?.title,
                      barcode: loan.copy?.barcode,
                    })}
                  >
                    {t('library.loans.renew')}
                  </button>
                </article>
              </li>
            )
          })}
        </ul>
      )}
    </Page>
  )
}

function memberName(member: Member) {
  if (member.student) return `${member.student.first_name} ${member.student.last_name}`
  return member.user?.name ?? member.card_no ?? member.id
}

type Result = { ok: boolean; text: string }

/**
 * The circulation desk: a barcode scanner types a barcode and presses Enter.
 * The member comes first for an issue (their card scanned, or found by name);
 * each scan submits at once and the field keeps the focus for the next one.
 */
function Desk() {
  const i18n = useI18n()
  const { t } = i18n
  const [mode, setMode] = useState<'issue' | 'return'>('issue')
  const [member, setMember] = useState<Member | null>(null)
  const [students, setStudents] = useState<Student[] | null>(null)
  const [result, setResult] = useState<Result | null>(null)
  const finding = useAction()
  const scanning = useAction()
  const scanField = useRef<HTMLInputElement>(null)
  const memberField = useRef<HTMLInputElement>(null)

  async function findMember(event: Event) {
    event.preventDefault()
    const input = memberField.current!
    const wanted = input.value.trim()
    if (!wanted) return
    setStudents(null)
    const found = await finding.run(async () => {
      const byCard = await api<Member[]>('/api/v1/library/members', {
        query: { 'filter[card_no]': wanted, 'include': 'student,user' },
      })
      if (byCard.length) return { card: byCard[0] }
      const matches = await api<Student[]>('/api/v1/erp/students', {
        query: { search: wanted, per_page: 10 },
      })
      return { matches }
    })
    if (!found) return
    if (found.card) chooseMember(found.card)
    else setStudents(found.matches ?? [])
    input.select()
  }

  async function chooseStudent(student: Student) {
    const members = await finding.run(() =>
      api<Member[]>('/api/v1/library/members', {
        query: { 'filter[student_id]': student.id, 'include': 'student,user' },
      })
    )
    if (!members) return
    // A student who never borrowed has no member row yet: the issue makes it.
    chooseMember(
      members[0] ?? {
        id: '',
        card_no: null,
        kind: 'student',
        status: 'active',
        student,
      }
    )
  }

  function chooseMember(chosen: Member & { student?: Member['student'] | Student | null }) {
    setMember(chosen)
    setStudents(null)
    setResult(null)
    setTimeout(() => scanField.current?.focus())
  }

  async function scan(event: Event) {
    event.preventDefault()
    const input = scanField.current!
    const barcode = input.value.trim()
    if (!barcode) return
    input.value = ''
    input.focus()
    if (mode === 'issue') {
      if (!member) {
        setResult({ ok: false, text: t('library.desk.memberFirst') })
        return
      }
      const who = member.id
        ? { member_id: member.id }
        : { student_id: (member.student as Student).id }
      const loan = await scanning.run(() =>
        api<Loan>('/api/v1/library/circulation/issue', {
          method: 'POST',
          body: { barcode, ...who },
        })
      )
      setResult(
        loan
          ? {
              ok: true,
              text: t('library.desk.issued', {
                barcode,
                name: memberName(member),
                due: i18n.date(loan.due_on),
              }),
            }
          : null
      )
    } else {
      const closed = await scanning.run(() =>
        api<{ days_overdue: number; fine_total: number; held_for_reservation: string | null }>(
          '/api/v1/library/circulation/return',
          { method: 'POST', body: { barcode } }
        )
      )
      setResult(
        closed
          ? {
              ok: true,
              text: [
                t('library.desk.returned', { barcode }),
                closed.days_overdue
                  ? t('library.desk.fined', {
                      days: closed.days_overdue,
                      fine: i18n.money(closed.fine_total),
                    })
                  : '',
                closed.held_for_reservation ? t('library.desk.held') : '',
              ]
                .filter(Boolean)
                .join(' '),
            }
          : null
      )
    }
    input.focus()
  }

  return (
    <Page title={t('library.nav.desk')}>
      <fieldset>
        <legend>{t('library.desk.mode')}</legend>
        {(['issue', 'return'] as const).map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="desk-mode"
              value={value}
              checked={mode === value}
              onChange={() => {
                setMode(value)
                setResult(null)
                scanning.clear()
              }}
            />
            {t(`library.desk.${value}`)}
          </label>
        ))}
      </fieldset>

      {mode === 'issue' ? (
        <section aria-labelledby="desk-member">
          <h2 id="desk-member">{t('library.desk.member')}</h2>
          <form onSubmit={findMember} role="search">
            <label>
              {t('library.desk.memberField')}
              <input ref={memberField} name="member" autoComplete="off" />
            </label>
            <button type="submit" disabled={finding.busy}>
              {t('library.desk.find')}
            </button>
          </form>
          <Problem error={finding.error} />
          {students ? (
            students.length ? (
              <ul>
                {students.map((student) => (
                  <li key={student.id}>
                    <button type="button" class="secondary" onClick={() => chooseStudent(student)}>
                      {t('library.desk.choose', {
                        name: `${student.first_name} ${student.last_name}`,
                        no: student.enrollment_no,
                      })}
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <Empty text={t('library.desk.noMember')} />
            )
          ) : null}
          <p role="status" id="desk-borrower">
            {member
              ? t('library.desk.borrower', {
                  name: memberName(member),
                  card: member.card_no ?? t('library.desk.noCard'),
                })
              : t('library.desk.noBorrower')}
          </p>
        </section>
      ) : null}

      <form onSubmit={scan}>
        <label>
          {t('library.desk.barcode')}
          <input
            ref={scanField}
            name="barcode"
            autoComplete="off"
            autoFocus={mode === 'return'}
            aria-describedby="desk-result"
          />
        </label>
        <button type="submit" disabled={scanning.busy}>
          {t(mode === 'issue' ? 'library.desk.issueScan' : 'library.desk.returnScan')}
        </button>
      </form>
      <Problem error={scanning.error} />
      <p role="status" id="desk-result" class="notice">
        {result ? result.text : ''}
      </p>
    </Page>
  )
}

/** The open loans count and the next due date, on a borrower's home page. */
function LoansWidget() {
  const i18n = useI18n()
  const loans = useLoad(myLoans, [])
  if (!loans.data) return <Problem error={loans.error} />
  const next = loans.data[0]
  return (
    <p>
      {i18n.t('library.widget.count', { count: loans.data.length })}
      {next ? ` ${i18n.t('library.widget.next', { due: i18n.date(next.due_on) })}` : ''}
    </p>
  )
}

export default definePluginUi({
  pages: { loans: MyLoans, desk: Desk },
  widgets: { loans: LoansWidget },
})
