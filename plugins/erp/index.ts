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
/*
 * Who a signed-in user is to the ERP's students (docs/plugins.md, "Using
 * another plugin"): subqueries to compose, row rules for resources, and
 * rows about a user for privacy hooks.
 */
export {
  childIdsOfGuardian,
  childRows,
  ownStudentRows,
  rowsAboutUser,
  standingTo,
  studentIdOfUser,
  studentIdsOfUser,
  studentIdsReachedBy,
} from './services/people.js'
/* Students, guardians, teachers, classes, sections, subjects and terms as other plugins read them. */
export {
  erpRelation,
  existingIds,
  findSection,
  findStudent,
  findTeacher,
  findTerm,
  fromErp,
  joinErp,
  type ErpRelation,
  type StudentRecord,
} from './services/relations.js'
/* Reads over students, attendance and fees, for the AI (docs/plugins/erp.md, "For other plugins"). */
export {
  attendanceRates,
  classmateUserIds,
  feeArrears,
  isGuardianOf,
  listStudents,
  type StudentIdentity,
} from './services/insights.js'
