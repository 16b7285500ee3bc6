import { isoDate } from '@oryne/sdk'

const DATE_COLUMNS = ['due_on', 'hold_until', 'due_soon_notified_on', 'overdue_notified_on']

/** A row as the API shows it: ids as strings, date columns as YYYY-MM-DD (never shifted by a time zone). */
export function present<T extends Record<string, any>>(row: T): T {
  const shown: Record<string, unknown> = { ...row }
  for (const [key, value] of Object.entries(row)) {
    if (value === null || value === undefined) continue
    if (DATE_COLUMNS.includes(key)) shown[key] = isoDate(value)
    else if (key === 'id' || key.endsWith('_id'))
      shown[key] = typeof value === 'number' ? String(value) : value
  }
  return shown as T
}
