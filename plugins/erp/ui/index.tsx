import { definePluginUi } from '@oryne/web'
import './erp.css'
import { Timetable } from './timetable.js'
import { Attendance } from './attendance.js'
import { Children } from './children.js'
import { FeesDesk } from './fees_desk.js'
import { Admissions } from './admissions.js'
import { AttendanceWeekWidget, FeesDueWidget, TodayWidget } from './widgets.js'

/*
 * The ERP in the web app (docs/web.md, "ERP pages"): timetables and the roll
 * call for teachers, timetables for students, attendance and fees for
 * parents, the fee desk and the admissions board for staff.
 */
export default definePluginUi({
  pages: {
    'timetable': Timetable,
    'attendance/:section': Attendance,
    'children': Children,
    'fees-desk': FeesDesk,
    'admissions': Admissions,
  },
  widgets: {
    'today': TodayWidget,
    'fees-due': FeesDueWidget,
    'attendance-week': AttendanceWeekWidget,
  },
})
