/** Ranking quality of a top-k list against the items a user really took next. */
export type RankingMetrics = { precision_at_10: number; recall_at_10: number; ndcg_at_10: number }

export const CUTOFF = 10

/** Mean precision@k, recall@k and NDCG@k (binary relevance) over users. */
export function rankingMetrics(
  cases: Array<{ ranked: number[]; relevant: Set<number> }>,
  k = CUTOFF
): RankingMetrics {
  let precision = 0
  let recall = 0
  let ndcg = 0
  for (const { ranked, relevant } of cases) {
    let hits = 0
    let dcg = 0
    ranked.slice(0, k).forEach((item, rank) => {
      if (relevant.has(item)) {
        hits++
        dcg += 1 / Math.log2(rank + 2)
      }
    })
    let ideal = 0
    for (let rank = 0; rank < Math.min(k, relevant.size); rank++) ideal += 1 / Math.log2(rank + 2)
    precision += hits / k
    recall += relevant.size ? hits / relevant.size : 0
    ndcg += ideal ? dcg / ideal : 0
  }
  const n = cases.length || 1
  const round = (value: number) => Math.round((value / n) * 1e4) / 1e4
  return { precision_at_10: round(precision), recall_at_10: round(recall), ndcg_at_10: round(ndcg) }
}

/** The k best columns of a score vector, skipping excluded ones; ties by lower column. */
export function topK(scores: ArrayLike<number>, k: number, excluded: (column: number) => boolean) {
  const best: number[] = []
  for (let column = 0; column < scores.length; column++) {
    if (excluded(column)) continue
    const score = scores[column]
    if (best.length === k && score <= scores[best[k - 1]]) continue
    let at = best.length
    while (at > 0 && scores[best[at - 1]] < score) at--
    best.splice(at, 0, column)
    if (best.length > k) best.pop()
  }
  return best
}
