// Handlebars text of playbooks: strict, Markdown-safe helpers, errors that name their field.
import { expect } from 'chai'
import { checkTemplate, renderTemplate, TemplateError, type ExprScope } from '../../../playbooks/dsl/index.ts'

const data = {
  run: { title: 'DB *down*', startedAt: '2026-01-01T10:00:00Z', url: 'https://chat.example.com/r/1' },
  props: { severity: 'SEV1' },
  roles: { commander: { username: 'alice' }, scribe: null },
  trigger: { source: 'pagerduty', url: null },
  metrics: { time_to_resolve: 3_720_000 },
  steps: { approve: { outputs: { by: ['rm1', 'qa1'], count: 2 } } },
  inputs: { version: '2.4.0' },
}
const render = (text: string) => renderTemplate(text, data, 'steps[2].message.text')
const renderError = (text: string) => {
  try {
    render(text)
  } catch (err) {
    if (err instanceof TemplateError) return err.message
    throw err
  }
  throw new Error('expected a TemplateError')
}

describe('playbook templates', () => {
  describe('rendering', () => {
    it('renders the spec helpers', () => {
      expect(render('{{md run.title}} {{mention "commander"}} {{slug "DB Down!"}} {{duration metrics.time_to_resolve}} {{link run.url "run"}}')).to.equal(
        'DB \\*down\\* @alice db-down 1h 2m [run](https://chat.example.com/r/1)',
      )
    })

    it('formats dates in a time zone', () => {
      expect(render('{{date run.startedAt "datetime" "Europe/Berlin"}} / {{date run.startedAt}}')).to.equal('1 Jan 2026, 11:00 Europe/Berlin / 2026-01-01T10:00:00.000Z')
    })

    it('compares with eq/ne/gt/lt and falls back with default', () => {
      expect(render('{{#if (eq props.severity "SEV1")}}page{{/if}}{{#if (gt steps.approve.outputs.count 1)}} quorum{{/if}} {{default trigger.url "no link"}}')).to.equal('page quorum no link')
    })

    it('does not HTML-escape (the output is Markdown)', () => {
      expect(renderTemplate('{{x}}', { x: '<b>&</b>' }, 'f')).to.equal('<b>&</b>')
    })

    it('loops with each and reads a role without a holder as (no role)', () => {
      expect(render('{{#each steps.approve.outputs.by}}{{this}} {{/each}}{{mention "scribe"}}')).to.equal('rm1 qa1 (no scribe)')
    })

    it('names the field and the missing variable (strict mode)', () => {
      expect(renderError('Hi {{foo}}')).to.equal('steps[2].message.text: "foo" not defined')
      expect(renderError('{{run.nope}}')).to.equal('steps[2].message.text: "nope" not defined')
    })

    it('refuses an unknown helper', () => {
      expect(renderError('{{shout run.title}}')).to.equal('steps[2].message.text: You specified knownHelpersOnly, but used the unknown helper shout')
    })

    it('reads no prototype properties', () => {
      expect(render('[{{run.constructor}}]')).to.equal('[]')
    })

    it('names an unknown role in mention', () => {
      expect(renderError('{{mention "captain"}}')).to.equal('steps[2].message.text: role "captain" not defined')
    })
  })

  describe('static check', () => {
    const scope: ExprScope = {
      inputs: new Set(['version']), props: new Set(['severity']), vars: new Set(), roles: new Set(['commander']),
      steps: new Set(['approve']), condition: false, secrets: false,
    }
    const problems = (text: string) => checkTemplate(text, scope)

    it('accepts known contexts, helpers and loop variables', () => {
      expect(problems('{{inputs.version}} {{mention "commander"}} {{#each steps.approve.outputs.by}}{{this}} {{@index}} {{name}}{{/each}} {{duration metrics.x}}')).to.deep.equal([])
    })

    it('reports unknown inputs and roles with their offsets', () => {
      expect(problems('Hi {{inputs.nope}} {{mention "captain"}}')).to.deep.equal([
        { message: 'unknown input "nope"', offset: 12 },
        { message: 'unknown role "captain"', offset: 29 },
      ])
    })

    it('reports ${{ }} inside a Handlebars field', () => {
      expect(problems('a ${{ run.id }}')).to.deep.equal([{ message: '${{ }} is not allowed in a Handlebars field; write {{ }} with the same context names', offset: 2 }])
    })

    it('reports secrets rendered into text', () => {
      expect(problems('token {{secrets.pd}}')).to.deep.equal([{ message: 'secrets are never rendered into text', offset: 8 }])
    })

    it('reports an unknown variable and an unknown helper', () => {
      expect(problems('{{titel}} {{shout run.title}}').map((p) => p.message)).to.deep.equal([
        'unknown variable "titel" (expected one of trigger, inputs, run, props, roles, steps, vars, hook, timeline, metrics)',
        'unknown helper "shout" (known: md, slug, date, duration, link, mention, default, eq, ne, gt, lt, if, unless, each, with, lookup)',
      ])
    })

    it('reports a template that does not parse', () => {
      expect(problems('{{#if run.id}}open')[0]!.message).to.match(/^template does not parse: /)
    })
  })
})
