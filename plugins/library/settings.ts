import { defineSettings, pluginSettings, vine } from '@oryne/sdk'

const count = (max: number) => vine.number().withoutDecimals().min(0).max(max)

/**
 * Library settings a tenant admin can change (`oryne plugin settings library
 * --tenant <slug>`). The loan terms are the card used when no card rule of
 * the library matches a member (see services/members.ts).
 */
export const librarySettingsSchema = vine.object({
  loan_days: vine.number().withoutDecimals().min(1).max(365),
  max_loans: count(100),
  renewals_allowed: count(20),
  /** Minor units of the tenant's currency per overdue day. */
  fine_per_day: count(1_000_000),
  /** Most an overdue fine reaches, in minor units; 0 means no cap. */
  fine_cap: count(100_000_000),
  /** Days a returned copy waits on the hold shelf for the next reserver. */
  hold_days: vine.number().withoutDecimals().min(1).max(60),
  /** `library.loan.due_soon` goes out this many days before the due date. */
  due_soon_days: vine.number().withoutDecimals().min(1).max(30),
  /** Days the ERP invoice of a fine gives the family to pay. */
  invoice_due_days: vine.number().withoutDecimals().min(0).max(365),
  /** Charged for a lost or damaged copy when neither it nor its title names a replacement cost. */
  default_replacement_cost: count(100_000_000),
  /** Unpaid fines, in minor units, above which a member can neither borrow nor renew; 0 means never. */
  block_borrowing_over: count(100_000_000),
})

export type LibrarySettings = {
  loan_days: number
  max_loans: number
  renewals_allowed: number
  fine_per_day: number
  fine_cap: number
  hold_days: number
  due_soon_days: number
  invoice_due_days: number
  default_replacement_cost: number
  block_borrowing_over: number
}

export const LIBRARY_DEFAULTS: LibrarySettings = {
  loan_days: 14,
  max_loans: 3,
  renewals_allowed: 2,
  fine_per_day: 10,
  fine_cap: 500,
  hold_days: 3,
  due_soon_days: 2,
  invoice_due_days: 14,
  default_replacement_cost: 2000,
  block_borrowing_over: 0,
}

export const librarySettingsDeclaration = defineSettings(librarySettingsSchema, LIBRARY_DEFAULTS)

/** The current tenant's library settings (defaults for what the tenant has not set). */
export function librarySettings(): Promise<LibrarySettings> {
  return pluginSettings<LibrarySettings>('library')
}
