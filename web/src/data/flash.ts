/** A line to announce on the next page (after a save or a delete moves the user elsewhere). */
let pending: string | null = null

export function setFlash(text: string) {
  pending = text
}

export function takeFlash() {
  const text = pending
  pending = null
  return text
}
