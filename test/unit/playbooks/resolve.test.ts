// Resolving a step's with: at run time: expressions, nested values, template files, errors by field.
import { expect } from 'chai'
import { FieldError, resolveValue, TemplateError } from '../../../playbooks/dsl/index.ts'

const values = { run: { id: 'r1', title: 'DB down' }, props: { severity: 'SEV2' }, inputs: {}, steps: {}, trigger: {}, roles: {}, vars: { project: 'OPS' }, secrets: { token: 's3cr3t' } }
const templates: Record<string, string> = { 'templates/t.hbs': 'Incident {{run.title}} ({{props.severity}})', 'templates/bad.hbs': '{{nope}}' }
const options = { values, readTemplate: (p: string) => templates[p] }
const failure = (fn: () => unknown): FieldError => {
  try {
    fn()
  } catch (err) {
    if (err instanceof FieldError) return err
    throw err
  }
  throw new Error('expected a FieldError')
}

describe('playbook with: resolution', () => {
  it('evaluates expressions inside nested lists and maps, keeping whole-expression types', () => {
    const withValue = { project: '${{ vars.project }}', labels: ['incident', "${{ lower(props.severity) }}"], n: '${{ 1 }}', plain: 'as is', flag: true }
    expect(resolveValue(withValue, 'steps[3].with', options)).to.deep.equal({ project: 'OPS', labels: ['incident', 'sev2'], n: 1, plain: 'as is', flag: true })
  })

  it('renders {template: path} with Handlebars', () => {
    expect(resolveValue({ description: { template: 'templates/t.hbs' } }, 'steps[3].with', options)).to.deep.equal({ description: 'Incident DB down (SEV2)' })
  })

  it('passes secrets through to the action', () => {
    expect(resolveValue({ key: '${{ secrets.token }}' }, 'steps[1].with', options)).to.deep.equal({ key: 's3cr3t' })
  })

  it('names the field and the character of an expression error', () => {
    expect(failure(() => resolveValue({ labels: ['a', '${{ lowr(props.severity) }}'] }, 'steps[3].with', options)).message).to.equal(
      'steps[3].with.labels[1]: unknown function "lowr" (character 5)',
    )
  })

  it('names the field and the file of a template error, and a missing file', () => {
    const err = failure(() => resolveValue({ description: { template: 'templates/bad.hbs' } }, 'steps[3].with', options))
    expect(err).to.be.instanceOf(TemplateError)
    expect(err.message).to.equal('steps[3].with.description (templates/bad.hbs): "nope" not defined')
    expect(failure(() => resolveValue({ template: 'templates/none.hbs' }, 'steps[3].with.body', options)).message).to.equal('steps[3].with.body: template file "templates/none.hbs" not found')
  })
})
