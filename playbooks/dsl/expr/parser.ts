/**
 * Recursive-descent parser for the expression subset of GitHub Actions: literals, property access
 * (`a.b`, `a['b']`), function calls, `!`, comparisons, `&&`, `||` and parentheses.
 */
import { ExprError, MAX_EXPRESSION_DEPTH, type BinaryOp, type Expr } from './ast.ts'
import { tokenize, type Token } from './tokenizer.ts'

/** @throws ExprError with the offset of the first problem. */
export function parseExpression(src: string): Expr {
  const tokens = tokenize(src)
  let pos = 0
  let depth = 0
  const peek = () => tokens[pos]!
  const next = () => tokens[pos++]!
  const isPunct = (value: string) => peek().type === 'punct' && peek().value === value
  const expect = (value: string): Token => {
    const t = peek()
    if (t.type !== 'punct' || t.value !== value) throw new ExprError(`expected "${value}" but found ${describe(t)}`, t.start)
    return next()
  }
  const nest = <T>(at: number, fn: () => T): T => {
    if (++depth > MAX_EXPRESSION_DEPTH) throw new ExprError(`expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, at)
    try {
      return fn()
    } finally {
      depth--
    }
  }

  const binary = (ops: BinaryOp[], operand: () => Expr) => (): Expr => {
    let left = operand()
    while (peek().type === 'punct' && (ops as string[]).includes(String(peek().value))) {
      const op = next().value as BinaryOp
      const right = operand()
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end }
    }
    return left
  }

  const primary = (): Expr => {
    const t = next()
    switch (t.type) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: t.value, start: t.start, end: t.end }
      case 'ident':
        if (t.value === 'true' || t.value === 'false') return { kind: 'literal', value: t.value === 'true', start: t.start, end: t.end }
        if (t.value === 'null') return { kind: 'literal', value: null, start: t.start, end: t.end }
        if (isPunct('(')) {
          next()
          const args: Expr[] = []
          if (!isPunct(')')) {
            do args.push(nest(peek().start, or))
            while (isPunct(',') && next())
          }
          const close = expect(')')
          return { kind: 'call', name: t.value, args, start: t.start, end: close.end }
        }
        return { kind: 'ident', name: t.value, start: t.start, end: t.end }
      case 'punct':
        if (t.value === '(') {
          const inner = nest(t.start, or)
          expect(')')
          return inner
        }
        throw new ExprError(`unexpected ${describe(t)}`, t.start)
      case 'eof':
        throw new ExprError('unexpected end of expression', t.start)
    }
  }

  const postfix = (): Expr => {
    let e = primary()
    for (;;) {
      if (isPunct('.')) {
        next()
        const name = next()
        if (name.type !== 'ident') throw new ExprError(`expected a property name after "." but found ${describe(name)}`, name.start)
        e = { kind: 'member', object: e, property: { kind: 'literal', value: name.value, start: name.start, end: name.end }, computed: false, start: e.start, end: name.end }
      } else if (isPunct('[')) {
        next()
        const property = nest(peek().start, or)
        const close = expect(']')
        e = { kind: 'member', object: e, property, computed: true, start: e.start, end: close.end }
      } else return e
    }
  }

  const unary = (): Expr => {
    if (isPunct('!')) {
      const bang = next()
      const operand = nest(bang.start, unary)
      return { kind: 'unary', op: '!', operand, start: bang.start, end: operand.end }
    }
    return postfix()
  }

  const comparison = binary(['<', '<=', '>', '>='], unary)
  const equality = binary(['==', '!='], comparison)
  const and = binary(['&&'], equality)
  const or: () => Expr = binary(['||'], and)

  const root = or()
  if (peek().type !== 'eof') throw new ExprError(`unexpected ${describe(peek())}`, peek().start)
  return root
}

function describe(t: Token): string {
  if (t.type === 'eof') return 'end of expression'
  if (t.type === 'string') return `string '${t.value}'`
  return `"${String(t.value)}"`
}
