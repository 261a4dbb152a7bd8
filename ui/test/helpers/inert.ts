/**
 * What in a rendered HTML string could run script: script-capable elements, `on…` handler
 * attributes, and URL attributes with a `javascript:`, `vbscript:` or `data:` scheme. Text is
 * escaped by the renderer (`<` becomes `&lt;`), so every `<` left in the string opens a real
 * element and only those are inspected: a payload shown as text is fine.
 */
const DANGEROUS_ELEMENTS = /^(script|iframe|object|embed|svg|math|style|link|meta|base|form|frame|frameset)$/i
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster', 'background', 'data'])

const decode = (value: string) =>
  value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

export function activeMarkup(html: string): string[] {
  const problems: string[] = []
  // A quoted attribute value may hold `>`; it does not end the tag.
  for (const tag of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g)) {
    const [, element, attributes] = tag
    if (DANGEROUS_ELEMENTS.test(element)) problems.push(`<${element}> element`)
    for (const attribute of attributes.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      const name = attribute[1].toLowerCase()
      const value = decode(attribute[2] ?? attribute[3] ?? attribute[4] ?? '')
      if (name.startsWith('on')) problems.push(`${name}= on <${element}>`)
      const scheme = value.replace(/[\u0000-\u0020]/g, '').toLowerCase()
      if (URL_ATTRIBUTES.has(name) && /^(javascript|vbscript|data):/.test(scheme)) problems.push(`${name}="${value}" on <${element}>`)
      if (name === 'style' && /url\(|expression\(/i.test(value)) problems.push(`style="${value}" on <${element}>`)
    }
  }
  return problems
}
