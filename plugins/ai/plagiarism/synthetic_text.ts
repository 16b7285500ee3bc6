import { seededRandom } from '@oryne/sdk'

/*
 * Generated prose for training and testing the plagiarism scorer: words drawn
 * from a large vocabulary with a skewed (Zipf-like) frequency, and stock
 * phrases every student writes ("on the other hand"), which make the short
 * coincidental matches a detector must learn to ignore.
 */

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'ti',
  'vo',
  'be',
  'da',
  'fi',
  'go',
  'hu',
  'ja',
  'pe',
  'qui',
  'ra',
  'so',
  'tu',
  'ze',
  'ar',
  'el',
  'on',
  'is',
]
const STOCK_PHRASES = [
  'on the other hand',
  'it is important to note that',
  'in conclusion we can say that',
  'as a result of this',
  'at the end of the day',
  'for example in the case of',
  'this shows that the',
  'in this essay i will',
  'there are many reasons why',
  'one of the most important',
  'the purpose of this study is to',
  'in the first place',
]

export type TextGenerator = {
  /** A text of about `words` words, in sentences. */
  text(words: number): string
  /** Lightly edits a passage: each word replaced, dropped or followed by a new one with probability `rate`. */
  edit(passage: string, rate: number): string
  random(): number
}

export function textGenerator(seed: number): TextGenerator {
  const random = seededRandom(seed)
  const vocabulary: string[] = []
  const build = seededRandom(12345)
  while (vocabulary.length < 5000) {
    const parts = 2 + Math.floor(build() * 3)
    let word = ''
    for (let p = 0; p < parts; p++) word += SYLLABLES[Math.floor(build() * SYLLABLES.length)]
    vocabulary.push(word)
  }
  const word = () => vocabulary[Math.floor(vocabulary.length * random() ** 3)]
  return {
    random,
    text(words: number) {
      const out: string[] = []
      while (out.length < words) {
        const sentence: string[] = []
        const length = 8 + Math.floor(random() * 12)
        while (sentence.length < length) {
          if (random() < 0.08)
            sentence.push(...STOCK_PHRASES[Math.floor(random() * STOCK_PHRASES.length)].split(' '))
          else sentence.push(word())
        }
        sentence[0] = sentence[0][0].toUpperCase() + sentence[0].slice(1)
        out.push(...sentence.slice(0, -1), `${sentence.at(-1)}.`)
      }
      return out.slice(0, words).join(' ')
    },
    edit(passage: string, rate: number) {
      const out: string[] = []
      for (const current of passage.split(' ')) {
        const roll = random()
        if (roll < rate / 3) out.push(word())
        else if (roll < (2 * rate) / 3) continue
        else if (roll < rate) out.push(current, word())
        else out.push(current)
      }
      return out.join(' ')
    },
  }
}
