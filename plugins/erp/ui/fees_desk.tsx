import { api, call, Notice, Page, Problem, useAction, useI18n, useLoad } from '@oryne/web'
import { useState } from 'preact/hooks'
import { InvoiceTable } from './invoices.js'
import { minorPerMajor, nameOf, type Invoice, type Student } from './common.js'

const METHODS = ['cash', 'bank_transfer', 'card', 'cheque', 'online', 'other'] as const

/** Records a payment on one of the student's invoices that still owes something. */
function RecordPayment(props: { invoices: Invoice[]; onRecorded: (message: string) => void }) {
  const i18n = useI18n()
  const { t } = i18n
  const perMajor = minorPerMajor(i18n)
  const due = props.invoices.filter((invoice) => invoice.balance > 0)
  const [invoiceId, setInvoiceId] = useState(due[0]?.id ?? '')
  const chosen = due.find((invoice) => invoice.id === invoiceId) ?? due[0]
  const [amount, setAmount] = useState(chosen ? String(chosen.balance / perMajor) : '')
  const [method, setMethod] = useState<string>('cash')
  const [reference, setReference] = useState('')
  const action = useAction()
  if (!chosen) return <p>{t('erp.desk.nothingDue')}</p>

  async function submit(event: Event) {
    event.preventDefault()
    const minor = Math.round(Number(amount.replace(',', '.')) * perMajor)
    const answer = await action.run(() =>
      call<{ receipt_no: string; amount: number }>('/api/v1/erp/payments', {
        method: 'POST',
        body: {
          invoice_id: chosen!.id,
          amount: minor,
          method,
          ...(reference.trim() ? { reference: reference.trim() } : {}),
        },
      })
    )
    if (answer)
      props.onRecorded(
        t('erp.desk.recorded', {
          amount: i18n.money(answer.data.amount),
          receipt: answer.data.receipt_no,
        })
      )
  }

  return (
    <form onSubmit={submit} aria-labelledby="erp-record">
      <h3 id="erp-record">{t('erp.desk.recordFor', { number: chosen.number })}</h3>
      <label>
        {t('erp.desk.invoice')}
        <select
          value={chosen.id}
          onChange={(event) => {
            const next = due.find((invoice) => invoice.id === event.currentTarget.value)
            setInvoiceId(event.currentTarget.value)
            if (next) setAmount(String(next.balance / perMajor))
          }}
        >
          {due.map((invoice) => (
            <option key={invoice.id} value={invoice.id}>
              {invoice.number} · {i18n.money(invoice.balance)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('erp.desk.amount', { currency: i18n.currency })}
        <input
          inputMode="decimal"
          required
          value={amount}
          onInput={(event) => setAmount(event.currentTarget.value)}
        />
      </label>
      <label>
        {t('erp.desk.method')}
        <select value={method} onChange={(event) => setMethod(event.currentTarget.value)}>
          {METHODS.map((option) => (
            <option key={option} value={option}>
              {t(`erp.desk.method.${option}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('erp.desk.reference')}
        <input
          value={reference}
          maxLength={120}
          onInput={(event) => setReference(event.currentTarget.value)}
        />
      </label>
      <Problem error={action.error} />
      <button type="submit" aria-busy={action.busy} disabled={action.busy}>
        {t('erp.desk.submit')}
      </button>
    </form>
  )
}

function StudentInvoices(props: { student: Student }) {
  const { t } = useI18n()
  const invoices = useLoad(
    () => api<Invoice[]>('/api/v1/erp/fees/invoices', { query: { student_id: props.student.id } }),
    [props.student.id]
  )
  const name = nameOf(props.student)
  // Kept here: the form starts afresh on the reloaded invoices, the receipt stays in view.
  const [recorded, setRecorded] = useState<string | null>(null)
  return (
    <section aria-labelledby="erp-invoices-of">
      <h2 id="erp-invoices-of">{t('erp.desk.invoicesOf', { name })}</h2>
      <Problem error={invoices.error} />
      {invoices.data ? (
        <>
          <InvoiceTable invoices={invoices.data} caption={t('erp.desk.invoicesOf', { name })} />
          <RecordPayment
            key={invoices.data.map((invoice) => `${invoice.id}:${invoice.paid}`).join()}
            invoices={invoices.data}
            onRecorded={(message) => {
              setRecorded(message)
              invoices.reload()
            }}
          />
        </>
      ) : null}
      <Notice text={recorded} />
    </section>
  )
}

type Unmatched = {
  session_id: string
  invoice_id: string
  invoice_number: string | null
  amount: number
  outcome: 'invoice_closed' | 'amount_over_balance'
}

/** Card payments the gateway took that no invoice could record: the office refunds them at the gateway. */
function UnmatchedPayments() {
  const i18n = useI18n()
  const { t } = i18n
  const load = useLoad(() => api<Unmatched[]>('/api/v1/erp/fees/unmatched-payments'), [])
  if (!load.data?.length) return <Problem error={load.error} />
  return (
    <section aria-labelledby="erp-unmatched">
      <h2 id="erp-unmatched">{t('erp.desk.unmatched')}</h2>
      <ul class="erp-unmatched">
        {load.data.map((row) => (
          <li key={row.session_id}>
            {t('erp.desk.unmatchedRow', {
              number: row.invoice_number ?? row.invoice_id,
              amount: i18n.money(row.amount),
              session: row.session_id,
              reason: t(`erp.desk.unmatched.${row.outcome}`),
            })}
          </li>
        ))}
      </ul>
    </section>
  )
}

/** The bursar's desk: find a student, see their invoices, record a payment. */
export function FeesDesk() {
  const { t } = useI18n()
  const [search, setSearch] = useState('')
  const [found, setFound] = useState<Student[] | null>(null)
  const [student, setStudent] = useState<Student | null>(null)
  const finding = useAction()

  async function find(event: Event) {
    event.preventDefault()
    setStudent(null)
    const wanted = search.trim()
    // An enrolment number (typed or scanned from a card) first, then the name search.
    const answer = await finding.run(() =>
      Promise.all([
        api<Student[]>('/api/v1/erp/students', {
          query: { 'filter[enrollment_no][eq]': wanted, 'per_page': 1 },
        }),
        api<Student[]>('/api/v1/erp/students', { query: { search: wanted, per_page: 10 } }),
      ])
    )
    if (answer) {
      const [exact, named] = answer
      setFound([...exact, ...named.filter((match) => match.id !== exact[0]?.id)])
    }
  }

  return (
    <Page title={t('erp.nav.feesDesk')}>
      <UnmatchedPayments />
      <form role="search" onSubmit={find}>
        <label>
          {t('erp.desk.search')}
          <input
            type="search"
            required
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
          />
        </label>
        <button type="submit" aria-busy={finding.busy}>
          {t('erp.desk.find')}
        </button>
      </form>
      <Problem error={finding.error} />
      {found ? (
        found.length ? (
          <ul class="erp-found" aria-label={t('erp.desk.results')}>
            {found.map((candidate) => (
              <li key={candidate.id}>
                <button
                  type="button"
                  class={student?.id === candidate.id ? '' : 'secondary outline'}
                  aria-pressed={student?.id === candidate.id}
                  onClick={() => setStudent(candidate)}
                >
                  {nameOf(candidate)} · {candidate.enrollment_no}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p role="status">{t('erp.desk.noResults')}</p>
        )
      ) : null}
      {student ? <StudentInvoices key={student.id} student={student} /> : null}
    </Page>
  )
}
