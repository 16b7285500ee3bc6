import { useI18n } from '@oryne/web'
import type { ComponentChildren } from 'preact'
import type { Invoice } from './common.js'

/**
 * Invoices with status and balance (the late fine and balance of today come
 * from the server); a table that scrolls inside itself on a phone.
 */
export function InvoiceTable(props: {
  invoices: Invoice[]
  caption: string
  action?: (invoice: Invoice) => ComponentChildren
}) {
  const i18n = useI18n()
  const { t } = i18n
  return (
    // Focusable so that a keyboard can scroll the table sideways on a phone.
    <div class="overflow-auto" role="region" aria-label={props.caption} tabIndex={0}>
      <table class="erp-invoices">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('erp.invoice.number')}</th>
            <th scope="col">{t('erp.invoice.due')}</th>
            <th scope="col">{t('erp.invoice.amount')}</th>
            <th scope="col">{t('erp.invoice.paid')}</th>
            <th scope="col">{t('erp.invoice.balance')}</th>
            <th scope="col">{t('erp.invoice.status')}</th>
            {props.action ? <td /> : null}
          </tr>
        </thead>
        <tbody>
          {props.invoices.map((invoice) => (
            <tr key={invoice.id} data-invoice={invoice.number}>
              <th scope="row">{invoice.number}</th>
              <td>{i18n.date(invoice.due_on)}</td>
              <td>{i18n.money(invoice.amount - invoice.discount + invoice.fine)}</td>
              <td>{i18n.money(invoice.paid - invoice.refunded)}</td>
              <td>{i18n.money(invoice.balance)}</td>
              <td>{t(`erp.invoice.status.${invoice.status}`)}</td>
              {props.action ? <td>{props.action(invoice)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
