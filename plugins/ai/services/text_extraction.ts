import { E_AI_UNREADABLE_FILE } from '../errors.js'

/** Files whose text a plagiarism check reads. */
export const READABLE_EXTENSIONS = ['txt', 'md', 'docx', 'pdf'] as const

function extensionOf(name: string) {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
}

/** Whether the file is one a check reads (others, images or archives, are left out). */
export function isReadable(name: string) {
  return (READABLE_EXTENSIONS as readonly string[]).includes(extensionOf(name))
}

/** The plain text of a .txt, .md, .docx or .pdf file; ERR_AI_UNREADABLE_FILE when there is none. */
export async function extractText(bytes: Uint8Array, name: string): Promise<string> {
  const extension = extensionOf(name)
  try {
    if (extension === 'txt' || extension === 'md') return Buffer.from(bytes).toString('utf8')
    if (extension === 'docx') {
      const { default: mammoth } = await import('mammoth')
      const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) })
      return value
    }
    if (extension === 'pdf') {
      const { extractText: pdfText } = await import('unpdf')
      const { text } = await pdfText(new Uint8Array(bytes), { mergePages: true })
      return text
    }
  } catch (error) {
    throw new E_AI_UNREADABLE_FILE([name, (error as Error).message.slice(0, 200)])
  }
  throw new E_AI_UNREADABLE_FILE([name, `.${extension || '?'} files are not read`])
}
