import { expect } from 'chai'
import { render } from 'preact-render-to-string'
import { MessageAttachments, attachmentColor, fieldRows, readAttachments, type AttachmentContext } from '../src/attachments/index.ts'
import { findAll, findOne } from './helpers/vnodes.ts'

const html = (attachments: unknown[], ctx: AttachmentContext = {}) => render(<MessageAttachments postId="p1" props={{ attachments }} ctx={ctx} />)

describe('message attachments', () => {
  it('renders pretext, author, title link, text, image, thumbnail and footer as Mattermost lays them out', () => {
    const out = html([
      {
        color: '#36a64f',
        pretext: 'Deploy **started**',
        author_name: 'CI',
        author_link: 'https://ci.example.com',
        author_icon: 'https://ci.example.com/icon.png',
        title: 'Build #42',
        title_link: 'https://ci.example.com/42',
        text: 'All *green*',
        image_url: 'https://ci.example.com/graph.png',
        thumb_url: 'https://ci.example.com/thumb.png',
        footer: 'ci-bot',
        footer_icon: 'https://ci.example.com/f.png',
        ts: 1700000000,
      },
    ])
    expect(out).to.include('<div class="attachment__pretext"><p>Deploy <strong>started</strong></p></div>')
    expect(out).to.include('style="border-left-color:#36a64f;"')
    expect(out).to.include(
      '<a class="attachment__author-link" href="https://ci.example.com" rel="noopener noreferrer" target="_blank">' +
        '<img class="attachment__author-icon" src="https://ci.example.com/icon.png" alt width="14" height="14" loading="lazy" referrerpolicy="no-referrer"/>' +
        '<span class="attachment__author-name">CI</span></a>',
    )
    expect(out).to.include('<h1 class="attachment__title"><a class="attachment__title-link" href="https://ci.example.com/42" rel="noopener noreferrer" target="_blank">Build #42</a></h1>')
    expect(out).to.include('<div class="attachment__text"><p>All <em>green</em></p></div>')
    expect(out).to.include('<img class="attachment__image" src="https://ci.example.com/graph.png"')
    expect(out).to.include('<div class="attachment__thumb-container"><img class="attachment__thumb" src="https://ci.example.com/thumb.png"')
    expect(out).to.include('<img class="attachment__footer-icon" src="https://ci.example.com/f.png"')
    expect(out).to.include('<span class="attachment__footer-text">ci-bot</span>')
    expect(out).to.include('datetime="2023-11-14T22:13:20.000Z"')
  })

  it("takes Slack's named colours and refuses anything that is not a colour", () => {
    expect(attachmentColor('good')).to.equal('#2eb886')
    expect(attachmentColor('DANGER')).to.equal('#a30200')
    expect(attachmentColor('#abc')).to.equal('#abc')
    expect(attachmentColor('red;background:url(x)')).to.equal(undefined)
    expect(attachmentColor('constructor')).to.equal(undefined)
  })

  it('puts two short fields side by side and a long field on its own row', () => {
    const f = (title: string, short: boolean) => ({ title, value: '', short })
    const rows = fieldRows([f('a', true), f('b', true), f('c', true), f('long', false), f('d', true), f('e', true)])
    expect(rows.map((row) => row.map((field) => field.title))).to.deep.equal([['a', 'b'], ['c'], ['long'], ['d', 'e']])
    const out = html([{ fields: [{ title: 'Status', value: '**up**', short: true }, { title: 'Count', value: 3, short: true }] }])
    expect(out).to.include(
      '<div class="attachment-fields__row"><div class="attachment-field attachment-field--short"><div class="attachment-field__caption">Status</div>' +
        '<div class="attachment-field__value"><p><strong>up</strong></p></div></div>' +
        '<div class="attachment-field attachment-field--short"><div class="attachment-field__caption">Count</div><div class="attachment-field__value"><p>3</p></div></div></div>',
    )
  })

  it('cuts a long footer as Mattermost does', () => {
    const out = html([{ footer: 'x'.repeat(400) }])
    expect(out).to.include(`<span class="attachment__footer-text">${'x'.repeat(299)}…</span>`)
  })

  it('skips attachments and fields of the wrong shape instead of failing', () => {
    expect(readAttachments({ attachments: 'nope' })).to.deep.equal([])
    expect(readAttachments({ attachments: [null, 3, { title: 7, text: 'ok', fields: [null, { title: 'a', value: { x: 1 } }] }] })).to.deep.equal([
      { fallback: undefined, color: undefined, pretext: undefined, author_name: undefined, author_link: undefined, author_icon: undefined, title: undefined, title_link: undefined, text: 'ok', fields: [{ title: 'a', value: '', short: false }], image_url: undefined, thumb_url: undefined, footer: undefined, footer_icon: undefined, ts: undefined, actions: [] },
    ])
  })

  describe('interactive actions', () => {
    const calls: unknown[][] = []
    const ctx: AttachmentContext = {
      onAction: (...args) => calls.push(args),
      actionOptions: (source) => (source === 'users' ? [{ text: 'anna', value: 'u1' }] : [{ text: 'Town Square', value: 'c1' }]),
    }
    const attachments = [
      {
        text: 'Approve the deploy?',
        actions: [
          { id: 'approve', name: 'Approve', type: 'button', style: 'primary', cookie: 'ck1' },
          { id: 'reject', name: 'Reject', style: 'danger', disabled: true },
          { id: 'custom', name: 'Custom', style: '#ff0000' },
          { id: 'env', name: 'Environment', type: 'select', options: [{ text: 'Staging', value: 'stg' }, { text: 'Production', value: 'prod' }], default_option: 'stg' },
          { id: 'who', name: 'Assign', type: 'select', data_source: 'users' },
          { id: 'where', name: 'Channel', type: 'select', data_source: 'channels' },
          { name: 'No id' },
          { id: 'noname' },
        ],
      },
    ]
    beforeEach(() => (calls.length = 0))

    it('renders buttons with their styles and menus with their options', () => {
      const out = html(attachments, ctx)
      expect(out).to.include('<button type="button" class="attachment-action btn btn-sm attachment-action--primary" data-action-id="approve">Approve</button>')
      expect(out).to.include('<button type="button" class="attachment-action btn btn-sm attachment-action--danger" disabled data-action-id="reject">Reject</button>')
      expect(out).to.include('style="color:#ff0000;border-color:#ff0000;"')
      expect(out).to.include('<option selected value="stg">Staging</option><option value="prod">Production</option>')
      expect(out).to.include('<option value="u1">anna</option>')
      expect(out).to.include('<option value="c1">Town Square</option>')
      expect(out).to.include('aria-label="Environment"')
      expect(out).to.not.include('No id')
      expect(out).to.not.include('noname')
    })

    it('calls onAction with the post id, action id and cookie when a button is clicked', () => {
      const tree = <MessageAttachments postId="p1" props={{ attachments }} ctx={ctx} />
      ;(findOne(tree, (v) => v.props['data-action-id'] === 'approve').props.onClick as () => void)()
      expect(calls).to.deep.equal([['p1', 'approve', undefined, 'ck1']])
    })

    it('calls onAction with the chosen option when a menu item is picked', () => {
      const tree = <MessageAttachments postId="p1" props={{ attachments }} ctx={ctx} />
      const menus = findAll(tree, (v) => v.type === 'select')
      expect(menus.map((m) => m.props['data-action-id'])).to.deep.equal(['env', 'who', 'where'])
      ;(menus[0].props.onChange as (e: unknown) => void)({ currentTarget: { value: 'prod' } })
      ;(menus[1].props.onChange as (e: unknown) => void)({ currentTarget: { value: 'u1' } })
      expect(calls).to.deep.equal([
        ['p1', 'env', 'prod', undefined],
        ['p1', 'who', 'u1', undefined],
      ])
    })
  })
})
