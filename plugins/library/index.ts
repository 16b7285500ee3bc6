/*
 * What the library exports to the host and to plugins that depend on it.
 * Plugins call these services; they never write the library tables themselves.
 */
export { default } from './plugin.js'
export { issueCopy, renewLoan, returnCopy, declareLost } from './services/circulation.js'
export { placeReservation, cancelReservation } from './services/reservations.js'
export { overdueReport } from './services/reports.js'
export { sweepLoans, loanRemindersJob } from './jobs/reminders.js'
export { libraryCalendar } from './calendar.js'
