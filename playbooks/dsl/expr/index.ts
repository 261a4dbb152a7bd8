/** The `${{ }}` expression language: parse, check, evaluate. */
export { ExprError, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, type Expr } from './ast.ts'
export { parseExpression } from './parser.ts'
export { evaluate, type EvalContext } from './evaluate.ts'
export { FUNCTIONS, MAX_RESULT_LENGTH, type CallContext } from './functions.ts'
export { callsStatusFunction, checkExpression, checkReference, constantValue, type ChainPart, CONTEXT_ROOTS, type ExprProblem, type ExprScope } from './check.ts'
export { evaluateCondition, evaluateInterpolated, hasExpression, parseCondition, parseInterpolated, type Embedded, type Interpolated } from './interpolate.ts'
export { isTruthy, toText } from './values.ts'
