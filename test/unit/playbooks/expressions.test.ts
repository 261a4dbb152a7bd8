// The ${{ }} expression language: GitHub Actions' subset, evaluated without JavaScript, bounded.
import { expect } from 'chai'
import {
  checkExpression, evaluateCondition, evaluateInterpolated, ExprError, parseCondition, parseExpression, parseInterpolated,
  type ExprScope,
} from '../../../playbooks/dsl/index.ts'

const values = {
  inputs: { title: 'DB down!', sev: 2 },
  run: { id: 'r1', number: 7, status: 'active' },
  props: { severity: 'SEV1', customer_impact: false },
  trigger: { source: 'pagerduty', data: { urgency: 'high', ids: ['a', 'b'] } },
  steps: { page: { status: 'succeeded', outputs: { id: 'PD1' } } },
  roles: {}, vars: {}, secrets: {},
}
const now = () => new Date('2026-01-02T03:04:05Z')
const field = (text: string) => evaluateInterpolated(parseInterpolated(text), { values, now })
const cond = (text: string) => evaluateCondition(parseCondition(text), { values, now })
const failsAt = (fn: () => unknown): { message: string; offset: number } => {
  try {
    fn()
  } catch (err) {
    if (err instanceof ExprError) return { message: err.message, offset: err.offset }
    throw err
  }
  throw new Error('expected an ExprError')
}

describe('playbook expressions', () => {
  describe('evaluation', () => {
    it('interpolates several expressions into text', () => {
      expect(field('inc-${{ run.number }}-${{ slug(inputs.title) }}')).to.equal('inc-7-db-down')
    })

    it('keeps the type of a field that is one whole expression', () => {
      expect(field('${{ inputs.sev }}')).to.equal(2)
    })

    it('returns operands from && and || as GitHub Actions does (the ternary idiom)', () => {
      expect(field("${{ props.severity == 'SEV1' && '15m' || '30m' }}")).to.equal('15m')
      expect(field("${{ props.severity == 'SEV3' && '15m' || '30m' }}")).to.equal('30m')
    })

    it('reads a missing property as null, never as an error', () => {
      expect(field('${{ trigger.data.nope.deeper }}')).to.equal(null)
      expect(cond('!trigger.data.nope')).to.equal(true)
    })

    it('reads no inherited properties (constructor, __proto__)', () => {
      expect(field('${{ inputs.title.constructor }}')).to.equal(null)
      expect(field("${{ run['__proto__'] }}")).to.equal(null)
    })

    it('indexes arrays and compares mixed types as numbers', () => {
      expect(field('${{ trigger.data.ids[1] }}')).to.equal('b')
      expect(cond("inputs.sev == '2'")).to.equal(true)
      expect(cond('inputs.sev >= 2 && inputs.sev < 3')).to.equal(true)
    })

    it('takes a condition with or without ${{ }}, and booleans as they are', () => {
      expect(cond("${{ trigger.data.urgency == 'high' }}")).to.equal(true)
      expect(cond("trigger.data.urgency != 'high'")).to.equal(false)
      expect(evaluateCondition(parseCondition(false), { values })).to.equal(false)
    })

    it('runs the spec functions', () => {
      expect(field("${{ format('SEV{0} {1}', inputs.sev, 'x') }}")).to.equal('SEV2 x')
      expect(field("${{ join(trigger.data.ids, '+') }}")).to.equal('a+b')
      expect(field("${{ contains(trigger.data.ids, 'a') && startsWith(inputs.title, 'db') && endsWith(inputs.title, '!') }}")).to.equal(true)
      expect(field("${{ fromJSON('{\"a\":[1]}').a[0] }}")).to.equal(1)
      expect(field('${{ toJSON(trigger.data.ids) }}')).to.equal('[\n  "a",\n  "b"\n]')
      expect(field("${{ default(steps.page.outputs.missing, 'fallback') }}")).to.equal('fallback')
      expect(field("${{ duration('1h30m') }}")).to.equal(5_400_000)
      expect(field('${{ upper(lower(inputs.title)) }}')).to.equal('DB DOWN!')
      expect(field('${{ now() }}')).to.equal('2026-01-02T03:04:05.000Z')
    })

    it('answers status functions from the run state', () => {
      const failed = { values, status: { failed: true, cancelled: false } }
      expect(evaluateCondition(parseCondition('failure()'), failed)).to.equal(true)
      expect(evaluateCondition(parseCondition('success()'), failed)).to.equal(false)
      expect(evaluateCondition(parseCondition('always()'), failed)).to.equal(true)
    })
  })

  describe('errors', () => {
    it('gives the offset of a syntax error within the field', () => {
      expect(failsAt(() => parseInterpolated('x ${{ inputs.title + 1 }}'))).to.deep.equal({ message: 'unexpected character "+"', offset: 19 })
    })

    it('reports an unclosed ${{ at its start', () => {
      expect(failsAt(() => parseInterpolated('a ${{ run.id'))).to.deep.equal({ message: '"${{" without a closing "}}"', offset: 2 })
    })

    it('does not end an expression at }} inside a string', () => {
      expect(field("${{ 'a}}b' }}")).to.equal('a}}b')
    })

    it('rejects a condition mixed with text', () => {
      expect(failsAt(() => parseCondition('${{ a }} && b')).message).to.match(/^a condition is one expression/)
    })

    it('reports an unknown function and a wrong arity at run time with the field offset', () => {
      expect(failsAt(() => field('x ${{ foo(1) }}'))).to.deep.equal({ message: 'unknown function "foo"', offset: 6 })
      expect(failsAt(() => field('x ${{ contains(1) }}'))).to.deep.equal({ message: 'contains() takes 2 arguments, got 1', offset: 6 })
    })

    it('bounds nesting depth and length', () => {
      expect(failsAt(() => parseExpression('('.repeat(40) + '1' + ')'.repeat(40))).message).to.equal('expression nests deeper than 32 levels')
      expect(failsAt(() => parseExpression("'" + 'x'.repeat(5000) + "'")).message).to.equal('expression is longer than 4096 characters')
    })

    it('bounds the length of built strings', () => {
      expect(failsAt(() => field("${{ format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', format('{0}{0}', 'xx'))))))))))))))))) }}")).message).to.match(/^result is longer than 100000 characters/)
    })
  })

  describe('static check', () => {
    const scope: ExprScope = {
      inputs: new Set(['title']), props: new Set(['severity']), vars: new Set(['pd']), roles: new Set(['commander']),
      steps: new Set(['page']), condition: false, secrets: false,
    }
    const problems = (src: string, where: Partial<ExprScope> = {}) => checkExpression(parseExpression(src), { ...scope, ...where })

    it('accepts references to declared names', () => {
      expect(problems("inputs.title == props.severity && vars.pd && roles.commander.email && steps.page.outputs.id && run.id && trigger.data.x")).to.deep.equal([])
    })

    it('names unknown contexts, inputs, properties, vars, roles, steps and their fields', () => {
      expect(problems('input.title || inputs.titel || props.sev || vars.x || roles.cmdr || steps.pag.status || steps.page.output || roles.commander.mail || run.titel').map((p) => p.message)).to.deep.equal([
        'unknown context "input" (expected one of trigger, inputs, run, props, roles, steps, vars, secrets, hook)',
        'unknown input "titel"',
        'unknown property "sev"',
        'unknown var "x"',
        'unknown role "cmdr"',
        'unknown step "pag"',
        'unknown step field "output" (expected one of status, outputs, attempts, startedAt, finishedAt)',
        'unknown role field "mail" (expected one of id, username, email, displayName)',
        'unknown run field "titel" (expected one of id, number, title, status, mode, channel, url, startedAt, playbook, owner)',
      ])
    })

    it('gives each problem the offset of the offending name', () => {
      expect(problems("run.id == 'x' && inputs.nope")).to.deep.equal([{ message: 'unknown input "nope"', offset: 24 }])
    })

    it('checks function names and arity', () => {
      expect(problems('lower() || bogus(1)').map((p) => p.message)).to.deep.equal(['lower() takes 1 argument, got 0', 'unknown function "bogus"'])
    })

    it('allows status functions only in conditions', () => {
      expect(problems('failure()').map((p) => p.message)).to.deep.equal(['failure() is only allowed in if:'])
      expect(problems('failure()', { condition: true })).to.deep.equal([])
    })

    it('reports a comparison with a value the field never takes (statuses, sources, choices)', () => {
      const withChoices = { choices: new Map([['props.severity', ['SEV1', 'SEV2']]]) }
      expect(problems("run.status == 'resolvd' || 'succeded' != steps.page.status || props.severity == 'SEV4' || trigger.source == 'pagerduty'", withChoices)).to.deep.equal([
        { message: '"resolvd" is never a value of run.status (active, mitigated, resolved, finished, canceled)', offset: 14 },
        { message: '"succeded" is never a value of steps.page.status (pending, running, waiting, succeeded, failed, skipped, cancelled, timed_out)', offset: 27 },
        { message: '"SEV4" is never a value of props.severity (SEV1, SEV2)', offset: 80 },
      ])
    })

    it('allows secrets only where the scope says so (with:)', () => {
      expect(problems('secrets.token').map((p) => p.message)).to.deep.equal(['secrets may only be used in with: of an action, never rendered into text'])
      expect(problems('secrets.token', { secrets: true })).to.deep.equal([])
    })
  })
})
