import { expect } from 'chai'
import { render } from 'preact-render-to-string'
import { EmojiPicker, moveInGrid, pickerItems, sectionStarts } from '../src/emoji/EmojiPicker.tsx'
import { COMMON_EMOJI } from '../src/emoji/common.generated.ts'
import { allEmoji, emojiFor, isFullEmojiLoaded, loadFullEmoji, recentEmojiNames, rememberEmoji, searchEmoji } from '../src/emoji/index.ts'
import { renderMarkdown } from '../src/markdown/index.ts'

const names = (list: { name: string }[]) => list.map((e) => e.name)

describe('emoji', () => {
  describe('before the full table loads', () => {
    it('knows the names Mattermost users react with most', () => {
      expect(isFullEmojiLoaded()).to.equal(false)
      const expected: Record<string, string> = { '+1': '👍', thumbsup: '👍', '-1': '👎', smile: '😄', white_check_mark: '✅', tada: '🎉', eyes: '👀', fire: '🔥', rocket: '🚀', heart: '❤️', '100': '💯' }
      for (const [name, char] of Object.entries(expected)) expect(emojiFor(name), name).to.equal(char)
    })

    it('has no name for something that is not an emoji, including object keys', () => {
      for (const name of ['nope', 'constructor', '__proto__', 'toString']) expect(emojiFor(name), name).to.equal(undefined)
    })

    it('keeps the initial table small', () => {
      expect(Object.keys(COMMON_EMOJI).length).to.be.within(100, 300)
    })
  })

  describe('the full table', () => {
    before(() => loadFullEmoji())

    it('loads once and then knows every emoji-datasource name', () => {
      expect(isFullEmojiLoaded()).to.equal(true)
      expect(allEmoji().length).to.be.greaterThan(1800)
      expect(emojiFor('dragon')).to.equal('🐉')
      expect(emojiFor('flag-de')).to.equal('🇩🇪')
      expect(emojiFor('thumbsup')).to.equal('👍')
    })

    it('lets Markdown render a rare emoji once loaded', () => {
      expect(render(<p>{renderMarkdown(':dragon:')}</p>)).to.include('🐉')
    })

    it('searches by name prefix, exact match first, then by a later word of the name', () => {
      const found = names(searchEmoji('fire', 10))
      expect(found[0]).to.equal('fire')
      expect(found).to.include('fire_engine')
      expect(names(searchEmoji('check', 50))).to.include.members(['white_check_mark', 'heavy_check_mark'])
      expect(names(searchEmoji(':thumbs', 5))).to.include('+1')
      expect(searchEmoji('zzzz-nothing', 5)).to.deep.equal([])
      expect(searchEmoji('s', 7)).to.have.length(7)
    })
  })

  describe('picker', () => {
    before(() => loadFullEmoji())

    it('lists recent emoji first, then the rest without repeating them', () => {
      const items = pickerItems('', ['tada', 'thumbsup', 'not_real'])
      expect(items.slice(0, 2)).to.deep.equal([
        { name: 'tada', char: '🎉', recent: true, category: 'Recent' },
        { name: 'thumbsup', char: '👍', recent: true, category: 'Recent' },
      ])
      expect(items.filter((item) => item.char === '👍')).to.have.length(1)
      expect(items.some((item) => item.name === 'skin-tone-2')).to.equal(false)
    })

    it('offers a jump to each category, recent first', () => {
      const starts = sectionStarts(pickerItems('', ['tada']))
      expect(starts.map((s) => s.category)).to.deep.equal(['Recent', 'Smileys & Emotion', 'People & Body', 'Animals & Nature', 'Food & Drink', 'Travel & Places', 'Activities', 'Objects', 'Symbols', 'Flags'])
      expect(starts.slice(0, 2).map((s) => s.index)).to.deep.equal([0, 1])
      const html = render(<EmojiPicker onPick={() => {}} onClose={() => {}} recent={['tada']} />)
      expect(html).to.include('aria-label="Emoji categories"')
      expect(html).to.include('aria-label="Food &amp; Drink"')
    })

    it('lists search matches when there is a query', () => {
      expect(names(pickerItems('rock', [])).slice(0, 1)).to.deep.equal(['rock'])
    })

    it('labels every button with its emoji name and puts one in the tab order', () => {
      const html = render(<EmojiPicker onPick={() => {}} onClose={() => {}} recent={['rocket']} />)
      expect(html).to.include('aria-label="Search emoji"')
      expect(html).to.include('<button type="button" class="emoji-picker__item emoji-picker__item--active" data-index="0" tabindex="0" aria-label="rocket (recent)" title=":rocket:">🚀</button>')
      const buttons = html.match(/<button type="button" class="emoji-picker__item/g) ?? []
      const unlabelled = html.match(/<button (?![^>]*aria-label="[^"]+")/g) ?? []
      expect(buttons.length).to.be.greaterThan(1800)
      expect(unlabelled).to.deep.equal([])
      expect(html.match(/tabindex="0"/g)).to.have.length(1)
    })

    it('moves through the grid with the arrow keys, staying inside it', () => {
      expect(moveInGrid('ArrowRight', 0, 20, 8)).to.equal(1)
      expect(moveInGrid('ArrowLeft', 0, 20, 8)).to.equal(0)
      expect(moveInGrid('ArrowDown', 3, 20, 8)).to.equal(11)
      expect(moveInGrid('ArrowDown', 15, 20, 8)).to.equal(19)
      expect(moveInGrid('ArrowUp', 11, 20, 8)).to.equal(3)
      expect(moveInGrid('End', 0, 20, 8)).to.equal(19)
      expect(moveInGrid('a', 0, 20, 8)).to.equal(undefined)
    })

    it('remembers picked emoji, newest first, without duplicates', () => {
      rememberEmoji('fire')
      rememberEmoji('tada')
      rememberEmoji('fire')
      expect(recentEmojiNames().slice(0, 2)).to.deep.equal(['fire', 'tada'])
      expect(recentEmojiNames().filter((name) => name === 'fire')).to.have.length(1)
    })
  })
})
