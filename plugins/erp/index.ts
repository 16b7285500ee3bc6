/*
 * What the ERP exports to plugins that depend on it (library, hostel,
 * transport, e-store bill through the fees service). Plugins call these
 * services; they never write the ERP tables themselves.
 */
export { default } from './plugin.js'
export {
  balanceOf,
  createInvoice,
  createInvoices,
  type InvoiceLineInput,
  type NewInvoice,
} from './services/fees.js'
