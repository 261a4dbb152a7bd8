/** Interactive dialogs (Mattermost model/integration_action.go OpenDialogRequest, Dialog, DialogElement) and their checks. */
import { AppError } from '../errors.ts'

export interface DialogElement {
  display_name: string
  name: string
  type: string
  subtype?: string
  default?: string
  placeholder?: string
  help_text?: string
  optional?: boolean
  min_length?: number
  max_length?: number
  data_source?: string
  options?: { text: string; value: string }[] | null
}

export interface Dialog {
  callback_id?: string
  title: string
  introduction_text?: string
  icon_url?: string
  elements?: DialogElement[] | null
  submit_label?: string
  notify_on_cancel?: boolean
  state?: string
}

export interface OpenDialogRequest {
  trigger_id: string
  url: string
  dialog: Dialog
}

const TITLE_MAX_RUNES = 24
const ELEMENT_TYPES = new Set(['text', 'textarea', 'select', 'bool', 'radio'])
const TEXT_SUBTYPES = new Set(['', 'text', 'email', 'number', 'tel', 'url', 'password'])

function invalidDialog(problem: string): AppError {
  return new AppError('interactive_message.dialog.invalid.app_error', `Invalid dialog: ${problem}.`, 400, { detailed: problem })
}

/**
 * Mattermost's Dialog.IsValid, naming the first problem (`dialog.elements[1].name: required`).
 * @throws AppError 400 `interactive_message.dialog.invalid.app_error`.
 */
export function checkDialog(dialog: Dialog | undefined): void {
  if (!dialog || typeof dialog !== 'object') throw invalidDialog('dialog: required')
  const title = typeof dialog.title === 'string' ? dialog.title : ''
  if (title === '' || [...title].length > TITLE_MAX_RUNES) throw invalidDialog(`dialog.title: 1 to ${TITLE_MAX_RUNES} characters`)
  if (dialog.icon_url) {
    try {
      new URL(dialog.icon_url)
    } catch {
      throw invalidDialog('dialog.icon_url: not a URL')
    }
  }
  const names = new Set<string>()
  for (const [i, element] of (dialog.elements ?? []).entries()) {
    const path = `dialog.elements[${i}]`
    if (!element || typeof element !== 'object') throw invalidDialog(`${path}: expected an object`)
    if (!element.name) throw invalidDialog(`${path}.name: required`)
    if (names.has(element.name)) throw invalidDialog(`${path}.name: "${element.name}" is used twice`)
    names.add(element.name)
    if (!element.display_name) throw invalidDialog(`${path}.display_name: required`)
    if (!ELEMENT_TYPES.has(element.type)) throw invalidDialog(`${path}.type: expected text, textarea, select, bool or radio, got ${JSON.stringify(element.type)}`)
    if ((element.type === 'text' || element.type === 'textarea') && !TEXT_SUBTYPES.has(element.subtype ?? '')) throw invalidDialog(`${path}.subtype: unknown ${JSON.stringify(element.subtype)}`)
    if (element.type === 'select' && !element.data_source && !(element.options && element.options.length > 0)) throw invalidDialog(`${path}.options: a select needs options or a data_source`)
    if (element.type === 'select' && element.data_source && element.data_source !== 'users' && element.data_source !== 'channels') throw invalidDialog(`${path}.data_source: expected users or channels`)
    if (element.type === 'radio' && !(element.options && element.options.length > 0)) throw invalidDialog(`${path}.options: a radio needs options`)
  }
}
