/*
 * What the ERP exports to plugins that depend on it (library, hostel,
 * transport, e-store bill through the fees service; hostel and transport
 * bill terms through `billTermCharges`) and take back what they billed
 * through `creditInvoice`. Plugins call these services; they never write the
 * ERP tables themselves.
 */
export { default } from './plugin.js'
export {
  balanceOf,
  billTermCharges,
  createInvoice,
  createInvoices,
  type InvoiceLineInput,
  type NewInvoice,
  type TermCharge,
  unpaidBalances,
} from './services/fees.js'
export { creditInvoice, type InvoiceCredit } from './services/credits.js'
/* What crediting can refuse, for the routes of plugins that credit (their OpenAPI errors). */
export { E_CREDIT_SOURCE, E_OVER_CREDIT } from './errors.js'
/* Which ERP student a signed-in user is (students sign in as users). */
export { rowsAboutUser, studentIdOfUser, studentIdsOfUser } from './services/people.js'
/* Reads over students, attendance and fees, for the AI (docs/plugins/erp.md, "For other plugins"). */
export {
  attendanceRates,
  classmateUserIds,
  feeArrears,
  isGuardianOf,
  listStudents,
  type StudentIdentity,
} from './services/insights.js'
