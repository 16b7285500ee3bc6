import { test } from '@japa/runner'
import ort from '#plugins/ai/onnx/runtime'
import { tokenize } from '#plugins/ai/plagiarism/tokens'
import { winnow } from '#plugins/ai/plagiarism/winnow'
import { analyse } from '#plugins/ai/plagiarism/document'
import { describePassage, detectPassages, passageFeatures } from '#plugins/ai/plagiarism/detect'
import { normaliseText } from '#plugins/ai/plagiarism/normalise'
import { trainScorer } from '#plugins/ai/plagiarism/scorer'
import { textGenerator } from '#plugins/ai/plagiarism/synthetic_text'
import { logisticPredict } from '#plugins/ai/onnx/logistic_graph'

/* Normalisation, winnowing, passage detection and the passage scorer, without a database. */

test.group('AI: plagiarism core', () => {
  test('tokens keep the offsets of the original text through case, accents and punctuation', ({
    assert,
  }) => {
    const text = 'Élan, VITAL!  the  end'
    const tokens = tokenize(text)
    assert.deepEqual(
      tokens.map((t) => t.word),
      ['elan', 'vital', 'the', 'end']
    )
    for (const token of tokens)
      assert.equal(
        text.slice(token.start, token.end).toLowerCase().normalize('NFKD').replace(/\p{M}/gu, ''),
        token.word
      )
  })

  test('winnowing finds every shared run of t = w + k - 1 words (the guarantee), for many k and w', ({
    assert,
  }) => {
    const generator = textGenerator(5)
    for (const [k, w] of [
      [3, 2],
      [5, 4],
      [4, 8],
      [7, 1],
    ]) {
      const t = w + k - 1
      for (let trial = 0; trial < 20; trial++) {
        const shared = generator.text(t).replace(/\./g, '')
        const a = `${generator.text(60)} ${shared} ${generator.text(60)}`
        const b = `${generator.text(80)} ${shared} ${generator.text(40)}`
        const fa = new Set(winnow(tokenize(a), k, w).map((fp) => fp.hash))
        const common = winnow(tokenize(b), k, w).filter((fp) => fa.has(fp.hash))
        assert.isAbove(common.length, 0, `k=${k} w=${w}: a shared run of ${t} words was missed`)
      }
    }
  })

  test('normalisation folds look-alikes, invisible characters, width and case, and maps back to the original', ({
    assert,
  }) => {
    const original = 'Thе\u200B cоuntry\u00AD’s ｆｕｌｌ ＦＯＲＣＥ'
    const { text, starts, ends } = normaliseText(original)
    assert.equal(text, 'the country’s full force')
    assert.deepEqual(
      tokenize(original).map((t) => [t.word, original.slice(t.start, t.end)]),
      [
        ['the', 'Thе'],
        ['country', 'cоuntry'],
        ['s', 's'],
        ['full', 'ｆｕｌｌ'],
        ['force', 'ＦＯＲＣＥ'],
      ]
    )
    assert.equal(starts.length, text.length)
    assert.equal(ends[text.length - 1], original.length)
  })

  test('detection turns a lightly edited copy into one passage with exact offsets in both texts', ({
    assert,
  }) => {
    const generator = textGenerator(8)
    const source = generator.text(300)
    const words = source.split(' ')
    const copied = words.slice(100, 160).join(' ')
    const edited = copied
      .split(' ')
      .map((word, i) => (i === 20 ? 'zzzword' : i === 41 ? word.toUpperCase() : word))
      .join(' ')
    const prefix = generator.text(120)
    const query = `${prefix} ${edited} ${generator.text(100)}`
    const q = analyse(query)
    const s = analyse(source)
    const passages = detectPassages(q, s).filter((p) => p.qe - p.qs > 20)
    assert.lengthOf(passages, 1)
    const [passage] = passages
    const start = prefix.length + 1
    assert.equal(q.words[passage.qs].start, start)
    assert.equal(q.words[passage.qe - 1].end, start + edited.length)
    const sourceStart = words.slice(0, 100).join(' ').length + 1
    assert.equal(s.words[passage.ss].start, sourceStart)
    assert.equal(s.words[passage.se - 1].end, sourceStart + copied.length)
    assert.equal(describePassage(passage).kind, 'edited')
  })

  test('the trained scorer beats "report everything", separates copies from chance matches, and its ONNX export agrees', async ({
    assert,
  }) => {
    const trained = trainScorer({ threshold: 0.5 })
    assert.isAbove(trained.metrics.f1, 0.8)
    assert.isAbove(trained.metrics.f1, trained.baseline.f1)
    const session = await ort.InferenceSession.create(trained.bytes)
    const generator = textGenerator(99)
    const chance = detectPassages(analyse(generator.text(400)), analyse(generator.text(400)))
    for (const passage of chance) {
      const features = passageFeatures(passage)
      const expected = logisticPredict(trained.model, features).probability
      const output = await session.run({
        features: new ort.Tensor('float32', Float32Array.from(features), [1, features.length]),
      })
      assert.closeTo((output.probability.data as Float32Array)[0], expected, 1e-5)
      assert.isBelow(
        expected,
        0.5,
        `a chance match of ${passage.qe - passage.qs} words would be reported`
      )
    }
    await session.release()
  })
})
