/** Reading /poll's arguments as Matterpoll does. */
import { expect } from 'chai'
import { parsePoll } from '../../core/poll/parse.ts'

describe('parsePoll', () => {
  it('reads a quoted question, quoted options and settings after the last quote', () => {
    expect(parsePoll('"Lunch?" "Pizza" "Sushi" --anonymous --progress')).to.deep.equal({
      question: 'Lunch?', options: ['Pizza', 'Sushi'], settings: { anonymous: true, progress: true, multi: false },
    })
  })

  it('makes a Yes / No poll of a question alone', () => {
    expect(parsePoll('"Ship it?"')).to.deep.include({ question: 'Ship it?', options: ['Yes', 'No'] })
  })

  it('keeps an escaped quote inside a text', () => {
    expect(parsePoll('"Best \\"classic\\" film?" "Alien" "Heat"')).to.deep.include({ question: 'Best "classic" film?', options: ['Alien', 'Heat'] })
  })

  it('accepts typographic quotes, as phones type them', () => {
    expect(parsePoll('\u201CLunch?\u201D \u201CPizza\u201D \u201CSushi\u201D --multi')).to.deep.include({ question: 'Lunch?', options: ['Pizza', 'Sushi'], settings: { anonymous: false, progress: false, multi: true } })
  })

  it('refuses an unknown setting, an empty or a repeated option, and a missing question', () => {
    expect(parsePoll('"Q" "A" "B" --loud')).to.deep.equal({ error: 'Unrecognized poll setting: loud' })
    expect(parsePoll('"Q" "A" ""')).to.deep.equal({ error: 'Empty option not allowed' })
    expect(parsePoll('"Q" "A" "A"')).to.deep.equal({ error: 'Duplicate option: A' })
    expect(parsePoll('')).to.have.property('error')
  })
})
