/**
 * Renders playbook text with Handlebars: strict (a missing variable is an error, not an empty
 * string), no HTML escaping (the output is Markdown), only known helpers, no prototype access.
 * Errors name the field they come from.
 */
import Handlebars from 'handlebars'
import { FieldError } from '../field-error.ts'
import { BUILTIN_HELPERS, HELPER_NAMES, HELPERS } from './helpers.ts'

/** A template that cannot be compiled or rendered; the message starts with the field path. */
export class TemplateError extends FieldError {
  constructor(field: string, reason: string) {
    super(field, reason)
    this.name = 'TemplateError'
  }
}

/** An isolated instance: helpers registered here never leak into another Handlebars user. */
const hbs = Handlebars.create()
for (const [name, fn] of Object.entries(HELPERS)) hbs.registerHelper(name, fn)

export const COMPILE_OPTIONS = {
  strict: true,
  noEscape: true,
  knownHelpersOnly: true,
  knownHelpers: Object.fromEntries([...HELPER_NAMES, ...BUILTIN_HELPERS].map((n) => [n, true])),
} as const

/** Longest template text accepted; bigger texts are refused before compiling. */
export const MAX_TEMPLATE_LENGTH = 100_000
const CACHE_LIMIT = 500
const cache = new Map<string, Handlebars.TemplateDelegate>()

/** Parses a template; the same Handlebars parser the linter walks. */
export function parseTemplate(text: string): hbs.AST.Program {
  return hbs.parse(text)
}

/**
 * Renders `text` over `data` (the contexts: trigger, inputs, run, props, roles, steps, vars,
 * timeline, metrics).
 * @throws TemplateError naming `field`, e.g. `steps[2].message.text: "foo" not defined`.
 */
export function renderTemplate(text: string, data: Record<string, unknown>, field: string): string {
  if (text.length > MAX_TEMPLATE_LENGTH) throw new TemplateError(field, `template is longer than ${MAX_TEMPLATE_LENGTH} characters`)
  let template = cache.get(text)
  try {
    if (!template) {
      template = hbs.compile(text, COMPILE_OPTIONS)
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
      cache.set(text, template)
    }
    return template(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false })
  } catch (err) {
    throw new TemplateError(field, cleanMessage((err as Error).message))
  }
}

/** Handlebars appends the context object and a location (`"x" not defined in [object Object] - 1:2`). */
export function cleanMessage(message: string): string {
  const lines = message.replace(/ in \[object Object\]/g, '').replace(/ - \d+:\d+$/, '').split('\n')
  // Parse errors span lines: "Parse error on line 1:", the text, a caret, "Expecting …".
  return (lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : lines[0]!).trim()
}
