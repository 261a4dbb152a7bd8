// The post search syntax parser (core/search/parse-terms.ts), case by case.
import { expect } from 'chai'
import { dayBounds, isEmptySearch, parseSearchTerms, splitSearchWords } from '../../core/search/parse-terms.ts'

const word = (text: string, prefix = false) => ({ text, prefix, phrase: false })
const phrase = (text: string) => ({ text, prefix: false, phrase: true })

describe('parseSearchTerms', () => {
  it('reads plain words as terms, in order', () => {
    expect(parseSearchTerms('deploy  release').terms).to.deep.equal([word('deploy'), word('release')])
  })

  it('keeps a quoted phrase as one phrase term', () => {
    expect(parseSearchTerms('"release notes" deploy').terms).to.deep.equal([phrase('release notes'), word('deploy')])
  })

  it('treats an unbalanced quote as plain words', () => {
    expect(parseSearchTerms('"release notes').terms).to.deep.equal([word('release'), word('notes')])
  })

  it('marks a trailing * as a prefix search', () => {
    expect(parseSearchTerms('deploy*').terms).to.deep.equal([word('deploy', true)])
  })

  it('puts -word and -"phrase" in the exclusions', () => {
    const parsed = parseSearchTerms('deploy -staging -"dry run"')
    expect(parsed.terms).to.deep.equal([word('deploy')])
    expect(parsed.excludedTerms).to.deep.equal([word('staging'), phrase('dry run')])
  })

  it('reads from:, in:, channel: and their exclusions, lower-casing names and dropping @ and ~', () => {
    const parsed = parseSearchTerms('from:Alice from:@bob -from:carol in:~Dev channel:ops -in:random in:@dave')
    expect(parsed.fromUsers).to.deep.equal(['alice', 'bob'])
    expect(parsed.excludedUsers).to.deep.equal(['carol'])
    expect(parsed.inChannels).to.deep.equal(['dev', 'ops', '@dave'])
    expect(parsed.excludedChannels).to.deep.equal(['random'])
    expect(parsed.terms).to.deep.equal([])
  })

  it('takes the next word when a flag has an empty value', () => {
    const parsed = parseSearchTerms('from: alice in: dev deploy')
    expect(parsed.fromUsers).to.deep.equal(['alice'])
    expect(parsed.inChannels).to.deep.equal(['dev'])
    expect(parsed.terms).to.deep.equal([word('deploy')])
  })

  it('reads before:, after: and on: dates as typed', () => {
    const parsed = parseSearchTerms('before:2024-02-01 after:2024-01-01 on:2024-01-15')
    expect([parsed.before, parsed.after, parsed.on]).to.deep.equal(['2024-02-01', '2024-01-01', '2024-01-15'])
  })

  it('reads #hashtags apart from terms, lower-cased, and -#tag as an exclusion', () => {
    const parsed = parseSearchTerms('#Release deploy -#wip')
    expect(parsed.hashtags).to.deep.equal(['#release'])
    expect(parsed.excludedHashtags).to.deep.equal(['#wip'])
    expect(parsed.terms).to.deep.equal([word('deploy')])
  })

  it('strips punctuation around words but keeps @ mentions as words', () => {
    expect(parseSearchTerms('(deploy), @alice!').terms).to.deep.equal([word('deploy'), word('alice')])
  })

  it('drops words that are only punctuation or longer than a word can be', () => {
    expect(parseSearchTerms('!!! & | ( ) \'').terms).to.deep.equal([])
    expect(parseSearchTerms('x'.repeat(5000)).terms).to.deep.equal([])
  })

  it('keeps non-Latin words', () => {
    expect(parseSearchTerms('привет 日本語').terms).to.deep.equal([word('привет'), word('日本語')])
  })

  it('treats an unknown flag as a plain word', () => {
    expect(parseSearchTerms('http://example.com').terms).to.deep.equal([word('http://example.com')])
  })

  it('collects ext: values', () => {
    expect(parseSearchTerms('ext:.PDF').extensions).to.deep.equal(['pdf'])
  })
})

describe('splitSearchWords', () => {
  it('keeps -"phrase" together and ignores empty quotes', () => {
    expect(splitSearchWords('a -"b c" "" d')).to.deep.equal(['a', '-"b c"', 'd'])
  })
})

describe('isEmptySearch', () => {
  it('is true for nothing usable and false for a filter alone', () => {
    expect(isEmptySearch(parseSearchTerms('  !!! '))).to.equal(true)
    expect(isEmptySearch(parseSearchTerms('from:alice'))).to.equal(false)
  })
})

describe('dayBounds', () => {
  it('gives the UTC day for offset 0', () => {
    expect(dayBounds('2024-01-15', 0)).to.deep.equal([Date.UTC(2024, 0, 15), Date.UTC(2024, 0, 16) - 1])
  })

  it('shifts the day by the time zone offset in seconds (UTC+1 starts an hour earlier)', () => {
    expect(dayBounds('2024-01-15', 3600)).to.deep.equal([Date.UTC(2024, 0, 14, 23), Date.UTC(2024, 0, 15, 23) - 1])
  })

  it('rejects text that is not a real date', () => {
    expect(dayBounds('2024-02-30', 0)).to.equal(null)
    expect(dayBounds('yesterday', 0)).to.equal(null)
  })
})
