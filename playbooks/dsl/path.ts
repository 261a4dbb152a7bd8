/** Paths into a playbook document (`['steps', 2, 'message', 'text']`) and their display form. */

export type Path = readonly (string | number)[]

/** `steps[2].message.text`; keys that are not identifiers are quoted (`hooks["run.resolved"]`). */
export function formatPath(path: Path): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part
    else out += `[${JSON.stringify(part)}]`
  }
  return out || '(document)'
}
