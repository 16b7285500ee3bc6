import jsTokens from 'js-tokens'
import moo from 'moo'

/*
 * Source code as a token stream for plagiarism checks, the way JPlag and MOSS
 * read it: comments and layout dropped, identifiers and literals abstracted
 * (`ID`, `NUM`, `STR`), keywords and punctuation kept. Renamed variables,
 * changed comments and re-indentation leave the stream unchanged. One
 * tokenizer per language: js-tokens for JavaScript/TypeScript, moo lexers for
 * Python, Java and C. Each token keeps its line in the original file.
 */

export type CodeLanguage = 'javascript' | 'python' | 'java' | 'c'

export type CodeToken = { kind: string; line: number }

const EXTENSIONS: Record<string, CodeLanguage> = {
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'javascript',
  tsx: 'javascript',
  mts: 'javascript',
  py: 'python',
  java: 'java',
  c: 'c',
  h: 'c',
}

/** The language of a file by its name, or null when it is not code this module reads. */
export function codeLanguage(fileName: string): CodeLanguage | null {
  return EXTENSIONS[fileName.split('.').pop()?.toLowerCase() ?? ''] ?? null
}

const KEYWORDS: Record<CodeLanguage, Set<string>> = {
  javascript: new Set(
    `break case catch class const continue debugger default delete do else export extends finally for function
    if import in instanceof let new return super switch this throw try typeof var void while with yield async
    await of static get set interface type enum implements private public protected readonly abstract as
    null undefined true false`.split(/\s+/)
  ),
  python: new Set(
    `False None True and as assert async await break class continue def del elif else except finally for from
    global if import in is lambda nonlocal not or pass raise return try while with yield self`.split(
      /\s+/
    )
  ),
  java: new Set(
    `abstract assert boolean break byte case catch char class const continue default do double else enum
    extends final finally float for goto if implements import instanceof int interface long native new
    package private protected public return short static strictfp super switch synchronized this throw
    throws transient try void volatile while var record null true false String`.split(/\s+/)
  ),
  c: new Set(
    `auto break case char const continue default do double else enum extern float for goto if inline int long
    register restrict return short signed sizeof static struct switch typedef union unsigned void volatile
    while NULL include define`.split(/\s+/)
  ),
}

const C_LIKE: moo.Rules = {
  ws: { match: /[ \t\r\n\f]+/, lineBreaks: true },
  comment: [{ match: /\/\/[^\n]*/ }, { match: /\/\*[^]*?\*\//, lineBreaks: true }],
  string: [{ match: /"(?:\\[^]|[^"\\\n])*"/ }, { match: /'(?:\\[^]|[^'\\\n])*'/ }],
  number: /(?:0[xX][\da-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)[lLfFdDuU]*/,
  identifier: /[A-Za-z_$][\w$]*/,
  punctuation: /[^\s\w$"']/,
  // A quote that opens no string (unterminated, or a stray apostrophe): students' code need not compile.
  stray: /["']/,
}

const LEXERS = {
  python: moo.compile({
    ws: { match: /[ \t\r\n\f]+/, lineBreaks: true },
    comment: /#[^\n]*/,
    string: [
      { match: /[rRbBuUfF]{0,2}"""[^]*?"""/, lineBreaks: true },
      { match: /[rRbBuUfF]{0,2}'''[^]*?'''/, lineBreaks: true },
      { match: /[rRbBuUfF]{0,2}"(?:\\[^]|[^"\\\n])*"/ },
      { match: /[rRbBuUfF]{0,2}'(?:\\[^]|[^'\\\n])*'/ },
    ],
    number: /(?:0[xXoObB][\da-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)[jJ]?/,
    identifier: /[A-Za-z_]\w*/,
    punctuation: /[^\s\w"']/,
    stray: /["']/,
  }),
  java: moo.compile({ ...C_LIKE }),
  c: moo.compile({ ...C_LIKE, preprocessor: /#[ \t]*[a-z]+/ }),
}

function abstracted(language: CodeLanguage, kind: string, value: string) {
  if (kind === 'identifier') return KEYWORDS[language].has(value) ? value : 'ID'
  if (kind === 'number') return 'NUM'
  if (kind === 'string') return 'STR'
  return value
}

export function tokenizeCode(source: string, language: CodeLanguage): CodeToken[] {
  const tokens: CodeToken[] = []
  if (language === 'javascript') {
    let line = 1
    for (const token of jsTokens(source)) {
      const kind =
        token.type === 'IdentifierName'
          ? abstracted(language, 'identifier', token.value)
          : token.type === 'NumericLiteral'
            ? 'NUM'
            : token.type === 'Punctuator'
              ? token.value
              : /String|Template|RegularExpression/.test(token.type)
                ? 'STR'
                : token.type === 'PrivateIdentifier'
                  ? 'ID'
                  : null
      if (kind) tokens.push({ kind, line })
      line += token.value.split('\n').length - 1
    }
    return tokens
  }
  const lexer = LEXERS[language]
  lexer.reset(source)
  for (const token of lexer) {
    if (token.type === 'ws' || token.type === 'comment') continue
    tokens.push({ kind: abstracted(language, token.type!, token.value), line: token.line })
  }
  return tokens
}
