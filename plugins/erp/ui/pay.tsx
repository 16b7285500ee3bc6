import {
  api,
  Link,
  Loading,
  Page,
  Problem,
  useAction,
  useI18n,
  useLoad,
  type PageProps,
} from '@oryne/web'
import type { Invoice } from './common.js'

/*
 * Paying an invoice online: the button opens a checkout session at the
 * school's card gateway and goes there; the gateway sends the payer back to
 * the result page, which reads the invoice as the server has it (the
 * gateway's webhook records the payment).
 */

/** "Pay online" for one invoice; shown only when the server says it can be paid online. */
export function PayOnline(props: { invoice: Invoice }) {
  const i18n = useI18n()
  const action = useAction()
  if (!props.invoice.payable_online) return null

  async function pay() {
    const session = await action.run(() =>
      api<{ redirect_url: string }>(`/api/v1/erp/invoices/${props.invoice.id}/pay-online`, {
        method: 'POST',
      })
    )
    if (session) window.location.assign(session.redirect_url)
  }

  return (
    <>
      {props.invoice.online_session === 'expired' ? (
        <p class="erp-pay-expired">{i18n.t('erp.pay.expired', { number: props.invoice.number })}</p>
      ) : null}
      <button
        type="button"
        class="erp-pay"
        aria-busy={action.busy}
        disabled={action.busy}
        onClick={pay}
      >
        {i18n.t('erp.pay.buttonFor', {
          number: props.invoice.number,
          balance: i18n.money(props.invoice.balance),
        })}
      </button>
      <Problem error={action.error} />
    </>
  )
}

/** Where the gateway sends the payer back: the invoice's state, read again on demand. */
export function PaymentResult(props: PageProps) {
  const i18n = useI18n()
  const { t } = i18n
  const id = props.params.id
  const invoice = useLoad(() => api<Invoice>(`/api/v1/erp/fees/invoices/${id}`), [id])
  const data = invoice.loading ? undefined : invoice.data
  return (
    <Page
      title={t('erp.pay.title')}
      actions={<Link to="/erp/children">{t('erp.nav.children')}</Link>}
    >
      <Problem error={invoice.error} />
      {!data ? (
        invoice.error ? null : (
          <Loading what={t('erp.pay.title')} />
        )
      ) : (
        <>
          <p role="status" class={`erp-result erp-result-${data.status}`}>
            {t(`erp.pay.state.${data.status}`, {
              number: data.number,
              balance: i18n.money(data.balance),
            })}
          </p>
          <dl class="erp-facts">
            <dt>{t('erp.invoice.paid')}</dt>
            <dd>{i18n.money(data.paid - data.refunded)}</dd>
            <dt>{t('erp.invoice.balance')}</dt>
            <dd>{i18n.money(data.balance)}</dd>
          </dl>
          {data.status === 'paid' ? null : (
            <button type="button" class="secondary" onClick={() => invoice.reload()}>
              {t('erp.pay.checkAgain')}
            </button>
          )}
        </>
      )}
    </Page>
  )
}
