// The post search syntax parser (core/search/parse-terms.ts), case by case.
import { expect } from 'chai'
import { dayBounds, isEmptySearch, parseSearchTerms, searchDateRange, splitSearchWords } from '../../core/search/parse-terms.ts'

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

  it('collects -ext: values as excluded extensions', () => {
    const parsed = parseSearchTerms('report -ext:.PNG -ext:jpg')
    expect(parsed.excludedExtensions).to.deep.equal(['png', 'jpg'])
    expect(parsed.extensions).to.deep.equal([])
  })

  it('reads -before:, -after: and -on: as date exclusions, apart from before:, after: and on:', () => {
    const parsed = parseSearchTerms('-before:2024-01-01 -after:2024-03-01 -on:2024-02-14 on:2024-02-15')
    expect([parsed.excludedBefore, parsed.excludedAfter, parsed.excludedOn]).to.deep.equal(['2024-01-01', '2024-03-01', '2024-02-14'])
    expect([parsed.before, parsed.after, parsed.on]).to.deep.equal([undefined, undefined, '2024-02-15'])
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

  it('is true for ext: alone, which post search ignores as Mattermost does', () => {
    expect(isEmptySearch(parseSearchTerms('ext:pdf'))).to.equal(true)
  })
})

describe('searchDateRange', () => {
  const range = (terms: string, offset = 0) => searchDateRange(parseSearchTerms(terms), offset)
  const day = (d: number) => Date.UTC(2024, 0, d)

  it('bounds on: to that day, exclusive on both sides', () => {
    expect(range('on:2024-01-15')).to.deep.equal({ createdAfter: day(15) - 1, createdBefore: day(16), matchesNothing: false })
  })

  it('starts after: the next day and ends before: at the start of the day', () => {
    expect(range('after:2024-01-10 before:2024-01-20')).to.deep.equal({ createdAfter: day(11) - 1, createdBefore: day(20), matchesNothing: false })
  })

  it('shifts the days by the time zone offset', () => {
    expect(range('before:2024-01-20', 3600).createdBefore).to.equal(day(20) - 3_600_000)
  })

  it('keeps -after:X up to the end of X and -before:X from the start of X', () => {
    expect(range('-after:2024-01-20 -before:2024-01-10')).to.deep.equal({ createdAfter: day(10) - 1, createdBefore: day(21), matchesNothing: false })
  })

  it('gives -on: as a day to leave out', () => {
    expect(range('-on:2024-01-15').excludedDay).to.deep.equal([day(15), day(16) - 1])
  })

  it('intersects the bounds when several flags are given', () => {
    expect(range('after:2024-01-10 -after:2024-01-05')).to.include({ createdAfter: day(11) - 1, createdBefore: day(6) })
  })

  it('matches nothing for an unparsable on:, before: or after:', () => {
    for (const terms of ['on:yesterday', 'before:2024-13-45', 'after:2024-02-30', 'after:2024-01-01 on:soon']) {
      expect(range(terms).matchesNothing, terms).to.equal(true)
    }
  })

  it('ignores an unparsable -on:, -before: or -after:, which excludes nothing in Mattermost', () => {
    expect(range('-on:yesterday -before:x -after:2024-13-01')).to.deep.equal({ matchesNothing: false })
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
