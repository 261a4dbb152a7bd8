/** The syntax tree of a `${{ }}` expression and the error every stage throws. */

export type Literal = string | number | boolean | null

export type Expr =
  | { kind: 'literal'; value: Literal; start: number; end: number }
  | { kind: 'ident'; name: string; start: number; end: number }
  | { kind: 'member'; object: Expr; property: Expr; computed: boolean; start: number; end: number }
  | { kind: 'call'; name: string; args: Expr[]; start: number; end: number }
  | { kind: 'unary'; op: '!'; operand: Expr; start: number; end: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; start: number; end: number }

export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||'

/** A problem in an expression; `offset` counts from the start of the expression text. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
    this.name = 'ExprError'
  }
}

/** Longest expression source accepted, and deepest nesting: expressions are conditions, not programs. */
export const MAX_EXPRESSION_LENGTH = 4096
export const MAX_EXPRESSION_DEPTH = 32
