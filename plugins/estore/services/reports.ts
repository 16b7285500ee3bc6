import { tenantZone, withTenantDb } from '@oryne/sdk'

export type SalesQuery = { from: string; to: string; period?: 'day' | 'month' | 'total' }

/**
 * Sales by product and period: units and money of the lines of orders paid
 * between `from` and `to` (dates, inclusive, in the tenant's time zone), per
 * product and per day or month. Refunds are reported beside them, per period:
 * a partial refund is money, not units of a product.
 */
export function salesReport(query: SalesQuery) {
  const zone = tenantZone()
  const period = query.period ?? 'total'
  const bucket =
    period === 'total'
      ? `NULL::text`
      : `to_char(date_trunc('${period}', o.paid_at AT TIME ZONE ?), 'YYYY-MM-DD')`
  const bucketBindings = period === 'total' ? [] : [zone]
  return withTenantDb(async (trx) => {
    const { rows } = await trx.rawQuery(
      `SELECT ${bucket} AS period, i.product_id::text AS product_id, p.name AS product,
              SUM(i.quantity)::int AS units, SUM(i.total - i.tax)::bigint AS net,
              SUM(i.tax)::bigint AS tax, SUM(i.total)::bigint AS total,
              COUNT(DISTINCT o.id)::int AS orders
         FROM estore_orders o
         JOIN estore_order_items i ON i.order_id = o.id
         JOIN estore_products p ON p.id = i.product_id
        WHERE o.paid_at IS NOT NULL
          AND (o.paid_at AT TIME ZONE ?)::date BETWEEN ?::date AND ?::date
        GROUP BY 1, 2, 3
        ORDER BY 1 NULLS FIRST, total DESC, product_id`,
      [...bucketBindings, zone, query.from, query.to]
    )
    const refunds = await trx.rawQuery(
      `SELECT COALESCE(SUM(r.amount), 0)::bigint AS refunded
         FROM estore_refunds r
        WHERE (r.created_at AT TIME ZONE ?)::date BETWEEN ?::date AND ?::date`,
      [zone, query.from, query.to]
    )
    const rowsOut = rows.map((row: Record<string, any>) => ({
      ...row,
      net: Number(row.net),
      tax: Number(row.tax),
      total: Number(row.total),
    }))
    return {
      from: query.from,
      to: query.to,
      period,
      time_zone: zone,
      rows: rowsOut,
      total: rowsOut.reduce((sum: number, row: { total: number }) => sum + row.total, 0),
      refunded: Number(refunds.rows[0].refunded),
    }
  })
}

/** Active variants at or under their low-stock threshold, emptiest first. */
export function lowStockReport() {
  return withTenantDb((trx) =>
    trx
      .from('estore_variants as v')
      .join('estore_products as p', 'p.id', 'v.product_id')
      .where('v.active', true)
      .whereRaw('v.stock <= v.low_stock_threshold')
      .orderBy('v.stock')
      .orderBy('v.sku')
      .select(
        'v.id',
        'v.sku',
        'v.size',
        'v.colour',
        'v.stock',
        'v.low_stock_threshold',
        'p.id as product_id',
        'p.name as product'
      )
  )
}
