import { test } from '@japa/runner'
import { ok, sharedSchool, type School } from '@oryne/sdk/testing'

/*
 * Code plagiarism through POST /ai/plagiarism/code-check: token streams with
 * identifiers and literals abstracted, compared by greedy string tiling, so
 * renamed variables, reordered functions and rewritten comments still match,
 * in JavaScript/TypeScript, Python, Java and C.
 */

type Who = 'teacher' | 'student'
const schoolFor = sharedSchool({
  plugins: ['ai'],
  people: { teacher: 'Teacher', student: 'Student' },
})

const JS = `// Sorting helpers for the grade book
function mean(values) {
  let total = 0
  for (const value of values) total += value
  return values.length ? total / values.length : 0
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
`
/** The same program: functions swapped, every name changed, comments rewritten, re-indented. */
const JS_DISGUISED = `/* statistics, my own work */
function middleOf(xs) {
    const ordered = [...xs].sort((p, q) => p - q)
    const half = Math.floor(ordered.length / 2)   // the centre
    return ordered.length % 2 ? ordered[half] : (ordered[half - 1] + ordered[half]) / 2
}
function average(xs) {
    let sum = 0
    for (const x of xs) sum += x
    return xs.length ? sum / xs.length : 0
}
`
const UNRELATED_JS = `export class Queue {
  #items = []
  push(item) { this.#items.push(item); return this }
  shift() { return this.#items.shift() }
  get size() { return this.#items.length }
}
`

const copies: Array<[string, string, string]> = [
  [
    'py',
    `def fizz(limit):
    # classic exercise
    out = []
    for n in range(1, limit + 1):
        if n % 15 == 0:
            out.append("FizzBuzz")
        elif n % 3 == 0:
            out.append("Fizz")
        else:
            out.append(str(n))
    return out
`,
    `def game(top):
    result = []  # renamed everything
    for k in range(1, top + 1):
        if k % 15 == 0:
            result.append('FB')
        elif k % 3 == 0:
            result.append('F')
        else:
            result.append(str(k))
    return result
`,
  ],
  [
    'java',
    `public class Counter {
  private int count = 0;
  /** Adds one. */
  public void increment() { count = count + 1; }
  public int total(int[] values) { int sum = 0; for (int i = 0; i < values.length; i++) { sum += values[i]; } return sum; }
}
`,
    `public class Tally {
  private int n = 0;
  public void bump() { n = n + 1; }
  // sums an array
  public int all(int[] xs) { int acc = 0; for (int j = 0; j < xs.length; j++) { acc += xs[j]; } return acc; }
}
`,
  ],
  [
    'c',
    `#include <stdio.h>
/* prints a triangle */
int main(void) {
  for (int row = 1; row <= 5; row++) {
    for (int col = 0; col < row; col++) printf("*");
    printf("\\n");
  }
  return 0;
}
`,
    `#include <stdio.h>
int main(void) {
  // my triangle
  for (int r = 1; r <= 9; r++) {
    for (int c = 0; c < r; c++) printf("#");
    printf("\\n");
  }
  return 0;
}
`,
  ],
]

test.group('AI: code plagiarism', () => {
  test('a JavaScript copy with renamed identifiers, reordered functions and new comments matches, region by region; unrelated code does not', async ({
    client,
    assert,
  }) => {
    const school = (await schoolFor(client)) as School<Who>
    const result = await ok(
      school
        .as('teacher')
        .post('/ai/plagiarism/code-check')
        .json({
          files: [
            { name: 'stats.ts', content: JS_DISGUISED },
            { name: 'notes.txt', content: 'not code' },
          ],
          sources: [
            { name: 'original.js', content: JS },
            { name: 'queue.js', content: UNRELATED_JS },
          ],
        })
    )
    assert.deepEqual(result.skipped, ['notes.txt'])
    assert.lengthOf(result.pairs, 1)
    const [pair] = result.pairs
    assert.include(pair, { file: 'stats.ts', source: 'original.js', language: 'javascript' })
    assert.isAbove(pair.similarity, 0.9)
    // Two regions: median (lines 2-6 here, 8-12 there) and mean (7-11 here, 2-6 there).
    assert.lengthOf(pair.regions, 2)
    assert.deepEqual(
      pair.regions.map((r: { lines: number[]; source_lines: number[] }) => [
        r.lines,
        r.source_lines,
      ]),
      [
        [
          [2, 6],
          [8, 12],
        ],
        [
          [7, 11],
          [2, 6],
        ],
      ]
    )
  })

  for (const [extension, , copy] of copies)
    test(`a renamed ${extension} copy matches; it does not match the other languages`, async ({
      client,
      assert,
    }) => {
      const school = (await schoolFor(client)) as School<Who>
      const result = await ok(
        school
          .as('teacher')
          .post('/ai/plagiarism/code-check')
          .json({
            files: [{ name: `copy.${extension}`, content: copy }],
            sources: copies.map(([ext, source]) => ({ name: `original.${ext}`, content: source })),
          })
      )
      assert.lengthOf(result.pairs, 1)
      assert.equal(result.pairs[0].source, `original.${extension}`)
      assert.isAbove(result.pairs[0].similarity, 0.9)
    })

  test('code that does not compile (an unterminated string, a stray quote) is still compared', async ({
    client,
    assert,
  }) => {
    const school = (await schoolFor(client)) as School<Who>
    for (const [extension, source] of copies) {
      const broken = `${source}\nprint("unfinished\nx = 'a;\n`
      const result = await ok(
        school
          .as('teacher')
          .post('/ai/plagiarism/code-check')
          .json({
            files: [{ name: `broken.${extension}`, content: broken }],
            sources: [{ name: `original.${extension}`, content: source }],
          })
      )
      assert.lengthOf(result.pairs, 1, extension)
      assert.isAbove(result.pairs[0].similarity, 0.8, extension)
    }
  })

  test('bad input is a 400, students may not check', async ({ client, assert }) => {
    const school = (await schoolFor(client)) as School<Who>
    for (const body of [
      {},
      { files: [], sources: [] },
      { files: [{ name: '', content: '' }], sources: [] },
    ]) {
      const response = await school.as('teacher').post('/ai/plagiarism/code-check').json(body)
      response.assertStatus(400)
      assert.equal(response.body().error.code, 'ERR_VALIDATION')
    }
    const student = await school
      .as('student')
      .post('/ai/plagiarism/code-check')
      .json({ files: [{ name: 'a.js', content: JS }], sources: [{ name: 'b.js', content: JS }] })
    student.assertStatus(403)
  })
})
