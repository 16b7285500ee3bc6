import { definePluginUi } from '@oryne/web'
import './erp.css'
import { ChildTimetable, Timetable } from './timetable.js'
import { PaymentResult } from './pay.js'
import { Attendance } from './attendance.js'
import { Children } from './children.js'
import { FeesDesk } from './fees_desk.js'
import { Admissions } from './admissions.js'
import { AttendanceWeekWidget, FeesDueWidget, TodayWidget } from './widgets.js'

/*
 * The ERP in the web app (docs/web.md, "ERP pages"): timetables and the roll
 * call for teachers, timetables for students, attendance and fees for
 * parents (a child's week, paying an invoice online), the fee desk and the admissions board for staff.
 */
export default definePluginUi({
  pages: {
    'timetable': Timetable,
    'attendance/:section': Attendance,
    'children': Children,
    'children/:student/timetable': ChildTimetable,
    'invoices/:id/paid': PaymentResult,
    'fees-desk': FeesDesk,
    'admissions': Admissions,
  },
  widgets: {
    'today': TodayWidget,
    'fees-due': FeesDueWidget,
    'attendance-week': AttendanceWeekWidget,
  },
})
