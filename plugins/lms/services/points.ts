/*
 * Points and percentages are numeric(…, 2) in the database and strings such as
 * "8.50" in the API. Arithmetic on them happens in integer hundredths (or in
 * SQL numeric), never in binary floating point.
 */

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,2}))?$/

/** "8.5", 8.5 or "8.50" -> 850. Throws on anything that is not a non-negative number with at most 2 decimals. */
export function toHundredths(value: string | number): number {
  if (typeof value === 'number') {
    const scaled = Math.round(value * 100)
    if (!Number.isFinite(value) || value < 0 || Math.abs(scaled - value * 100) > 1e-6) {
      throw new TypeError(`Expected a non-negative number with at most 2 decimals, got ${value}`)
    }
    return scaled
  }
  const match = DECIMAL.exec(value.trim())
  if (!match)
    throw new TypeError(`Expected a non-negative decimal with at most 2 decimals, got "${value}"`)
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
}

/** 850 -> "8.50" */
export function fromHundredths(value: number): string {
  const whole = Math.trunc(value / 100)
  const cents = Math.abs(value % 100)
  return `${value < 0 && whole === 0 ? '-' : ''}${whole}.${String(cents).padStart(2, '0')}`
}

/** round(value * numerator / denominator), half up, exactly (BigInt: products may pass 2^53). */
export function scaleHundredths(value: number, numerator: number, denominator: number): number {
  if (denominator === 0) throw new RangeError('Cannot scale by a zero denominator')
  const product = BigInt(value) * BigInt(numerator) * 2n
  const divisor = BigInt(denominator) * 2n
  // (2ab + d) / 2d rounds half up for non-negative operands.
  return Number((product + BigInt(denominator)) / divisor)
}

/** Points after a late penalty in percent (both in hundredths): 850 less 10.00% -> 765. */
export function applyPenalty(points: number, penaltyPercent: number): number {
  return scaleHundredths(points, 10_000 - penaltyPercent, 10_000)
}
