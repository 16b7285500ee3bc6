import { userInfo } from 'node:os'

/** How CLI changes are attributed in tenant history: `cli:<operating-system user>`. */
export function cliActor() {
  let name = 'unknown'
  try {
    name = userInfo().username
  } catch {}
  return `cli:${name}`
}
