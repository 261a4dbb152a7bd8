/**
 * Lint-time checks of a Handlebars field: it parses, uses only known helpers, refers to contexts
 * and names the playbook declares (outside `each`/`with`, where the context is data), never
 * renders secrets, mentions only declared roles, and holds no `${{ }}`. Offsets count from the
 * start of the template text.
 */
import type { ExprProblem, ExprScope, ChainPart } from '../expr/index.ts'
import { checkReference, CONTEXT_ROOTS } from '../expr/index.ts'
import { BUILTIN_HELPERS, HELPER_NAMES } from './helpers.ts'
import { cleanMessage, parseTemplate } from './render.ts'

/** Contexts templates see beyond those of expressions. */
const TEMPLATE_ROOTS = ['timeline', 'metrics'] as const
const HELPERS = new Set<string>([...HELPER_NAMES, ...BUILTIN_HELPERS])
/** Helpers whose block body runs with another context (`this` is an item, not the run). */
const CONTEXT_CHANGING = new Set(['each', 'with'])

type Node = { type: string; loc?: { start: { line: number; column: number } } } & Record<string, unknown>

/** Problems of template `text` in `scope`, in source order. */
export function checkTemplate(text: string, scope: ExprScope): ExprProblem[] {
  const problems: ExprProblem[] = []
  const embedded = text.indexOf('${{')
  if (embedded >= 0) problems.push({ message: '${{ }} is not allowed in a Handlebars field; write {{ }} with the same context names', offset: embedded })
  let program: Node
  try {
    program = parseTemplate(text) as unknown as Node
  } catch (err) {
    const m = /line (\d+)/.exec((err as Error).message)
    const offset = m ? offsetOf(text, Number(m[1]), 0) : 0
    problems.push({ message: `template does not parse: ${cleanMessage((err as Error).message)}`, offset })
    return problems
  }
  const lineStarts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1)
  const at = (n: Node) => (n.loc ? (lineStarts[n.loc.start.line - 1] ?? 0) + n.loc.start.column : 0)

  const checkPath = (p: Node, nested: number) => {
    if (p.type !== 'PathExpression') return
    const parts = p.parts as string[]
    const start = at(p)
    if (p.data) {
      // @root.x reads the run's contexts from anywhere; @index, @key, @first are loop data.
      if (parts[0] === 'root') checkParts(parts.slice(1), start + '@root.'.length)
      return
    }
    if (nested > 0 || (p.depth as number) > 0 || parts.length === 0 || p.original === 'this' || String(p.original).startsWith('this.')) return
    checkParts(parts, start)
  }
  const checkParts = (parts: string[], start: number) => {
    const [root] = parts
    if (!root) return
    if ((TEMPLATE_ROOTS as readonly string[]).includes(root)) return
    if (root === 'secrets') {
      problems.push({ message: 'secrets are never rendered into text', offset: start })
      return
    }
    if (!(CONTEXT_ROOTS as readonly string[]).includes(root)) {
      problems.push({ message: `unknown variable "${root}" (expected one of ${[...CONTEXT_ROOTS.filter((r) => r !== 'secrets'), ...TEMPLATE_ROOTS].join(', ')})`, offset: start })
      return
    }
    let offset = start
    const chain: ChainPart[] = parts.map((name) => {
      const part = { name, offset }
      offset += name.length + 1
      return part
    })
    checkReference(chain, { ...scope, secrets: false }, problems)
  }
  const checkCall = (n: Node, nested: number) => {
    const path = n.path as Node
    const params = (n.params as Node[]) ?? []
    const hashPairs = ((n.hash as Node | undefined)?.pairs as Node[] | undefined) ?? []
    const name = path.type === 'PathExpression' && !path.data && (path.parts as string[]).length === 1 ? (path.parts as string[])[0]! : undefined
    const isHelper = name !== undefined && HELPERS.has(name)
    if (!isHelper && (params.length > 0 || hashPairs.length > 0 || n.type === 'BlockStatement')) {
      problems.push({ message: `unknown helper "${String(path.original)}" (known: ${[...HELPERS].join(', ')})`, offset: at(path) })
    } else if (!isHelper) checkPath(path, nested)
    if (name === 'mention') {
      const role = params[0]
      if (role?.type === 'StringLiteral' && !scope.roles.has(String(role.value))) problems.push({ message: `unknown role "${String(role.value)}"`, offset: at(role) })
    }
    for (const p of [...params, ...hashPairs.map((h) => h.value as Node)]) visitExpression(p, nested)
  }
  const visitExpression = (e: Node, nested: number) => {
    if (e.type === 'SubExpression') checkCall(e, nested)
    else checkPath(e, nested)
  }
  const visitProgram = (prog: Node | undefined, nested: number) => {
    for (const s of ((prog?.body as Node[] | undefined) ?? [])) {
      switch (s.type) {
        case 'MustacheStatement':
          checkCall(s, nested)
          break
        case 'BlockStatement': {
          checkCall(s, nested)
          const name = ((s.path as Node).parts as string[])[0] ?? ''
          visitProgram(s.program as Node, nested + (CONTEXT_CHANGING.has(name) ? 1 : 0))
          visitProgram(s.inverse as Node | undefined, nested)
          break
        }
        case 'PartialStatement':
        case 'PartialBlockStatement':
        case 'DecoratorBlock':
        case 'Decorator':
          problems.push({ message: 'partials and decorators are not supported in playbook templates', offset: at(s) })
          break
      }
    }
  }
  visitProgram(program, 0)
  return problems.sort((a, b) => a.offset - b.offset)
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset)
    if (nl < 0) break
    offset = nl + 1
  }
  return offset + column
}
