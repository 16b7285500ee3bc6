import { test } from '@japa/runner'
import ort from '#plugins/ai/onnx/runtime'
import onnxProto from 'onnx-proto'
import { int64 } from '#plugins/ai/onnx/graph'
import { recommenderModel, scoreItems } from '#plugins/ai/onnx/recommender_graph'
import { fitLogistic, logisticModelGraph, logisticPredict } from '#plugins/ai/onnx/logistic_graph'
import { trainAls } from '#plugins/ai/training/als'
import { topK } from '#plugins/ai/training/ranking_metrics'
import { seededRandom } from '#core/sdk/demo'

/*
 * Every model kind is exported as an ONNX graph, loaded back into ONNX
 * Runtime and must give what the plain TypeScript computation gives.
 */

const int64s = (...values: number[]) => BigInt64Array.from(values.map(BigInt))

test.group('AI: ONNX export', () => {
  test("negative int64 attributes are encoded as 64-bit two's complement", ({ assert }) => {
    assert.deepEqual(int64(-1), { low: -1, high: -1, unsigned: false })
    assert.equal(int64(7), 7)
    const { onnx } = onnxProto
    const bytes = onnx.AttributeProto.encode({
      name: 'axis',
      type: 2,
      i: int64(-1) as any,
    }).finish()
    const decoded = onnx.AttributeProto.decode(bytes)
    assert.equal(String(decoded.i), '-1')
  })

  test('the recommender graph ranks exactly as the factors do in TypeScript, masking excluded items', async ({
    assert,
  }) => {
    const random = seededRandom(3)
    const userCount = 40
    const itemCount = 300
    const f = 8
    const factors = {
      users: Float32Array.from({ length: userCount * f }, () => random() - 0.5),
      items: Float32Array.from({ length: itemCount * f }, () => random() - 0.5),
      userCount,
      itemCount,
      factors: f,
    }
    const session = await ort.InferenceSession.create(recommenderModel(factors))
    for (const user of [0, 17, 39]) {
      const excluded = new Set(Array.from({ length: 30 }, (_, i) => (i * 7 + user) % itemCount))
      const mask = Uint8Array.from({ length: itemCount }, (_, i) => (excluded.has(i) ? 1 : 0))
      const output = await session.run({
        user: new ort.Tensor('int64', int64s(user), [1]),
        exclude: new ort.Tensor('bool', mask, [1, itemCount]),
        k: new ort.Tensor('int64', int64s(10), [1]),
      })
      const expected = scoreItems(factors, user)
      const ranked = topK(expected, 10, (item) => excluded.has(item))
      assert.deepEqual([...(output.items.data as BigInt64Array)].map(Number), ranked)
      const scores = output.scores.data as Float32Array
      ranked.forEach((item, i) => assert.closeTo(scores[i], expected[item], 1e-5))
    }
    await session.release()
  })

  test('the logistic graph gives the TypeScript probability and per-feature contributions', async ({
    assert,
  }) => {
    const random = seededRandom(11)
    const rows = Array.from({ length: 200 }, () => [random(), random() * 10, random() - 0.5])
    const labels = rows.map((row) => (row[0] * 2 + row[1] / 5 - row[2] > 1.5 ? 1 : 0))
    const model = fitLogistic(['a', 'b', 'c'], rows, labels)
    const session = await ort.InferenceSession.create(logisticModelGraph(model))
    const batch = rows.slice(0, 25)
    const output = await session.run({
      features: new ort.Tensor('float32', Float32Array.from(batch.flat()), [batch.length, 3]),
    })
    const probability = output.probability.data as Float32Array
    const contributions = output.contributions.data as Float32Array
    batch.forEach((row, i) => {
      const expected = logisticPredict(model, row)
      assert.closeTo(probability[i], expected.probability, 1e-5)
      expected.contributions.forEach((value, j) =>
        assert.closeTo(contributions[i * 3 + j], value, 1e-4)
      )
    })
    await session.release()
  })

  test('alternating least squares is deterministic for a seed', ({ assert }) => {
    const observations = Array.from({ length: 200 }, (_, n) => ({
      user: n % 20,
      item: (n * 7) % 50,
      weight: 1 + (n % 3),
    }))
    const first = trainAls(20, 50, observations, { factors: 4, iterations: 3, seed: 5 })
    const second = trainAls(20, 50, observations, { factors: 4, iterations: 3, seed: 5 })
    assert.deepEqual([...first.users], [...second.users])
    assert.deepEqual([...first.items], [...second.items])
  })
})
