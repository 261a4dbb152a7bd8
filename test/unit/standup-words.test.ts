/** How /standup reads its arguments: quoted words, simple schedules, deadlines, local days. */
import { expect } from 'chai'
import { describeDuration, localDay, parseDeadline, simpleScheduleToCron } from '../../core/standup/schedule.ts'
import { splitWords } from '../../core/standup/command.ts'

describe('/standup words', () => {
  describe('splitWords', () => {
    it('keeps a quoted question, with straight or curly quotes, as one word', () => {
      expect(splitWords('config questions "What did you do?" “Blockers?” next')).to.deep.equal(['config', 'questions', 'What did you do?', 'Blockers?', 'next'])
    })
  })

  describe('simpleScheduleToCron', () => {
    it('reads weekdays, daily and lists of days with a time', () => {
      expect(simpleScheduleToCron('weekdays 09:30')).to.equal('30 9 * * 1-5')
      expect(simpleScheduleToCron('daily 9:05')).to.equal('5 9 * * *')
      expect(simpleScheduleToCron('mon,wed,fri 17:00')).to.equal('0 17 * * 1,3,5')
    })

    it('answers null for anything else, so the text is read as cron', () => {
      expect(simpleScheduleToCron('30 9 * * 1-5')).to.equal(null)
      expect(simpleScheduleToCron('someday 09:30')).to.equal(null)
      expect(simpleScheduleToCron('daily 24:00')).to.equal(null)
    })
  })

  describe('parseDeadline', () => {
    it('reads bare numbers as minutes and s/m/h units', () => {
      expect(parseDeadline('60')).to.equal(3_600_000)
      expect(parseDeadline('90m')).to.equal(5_400_000)
      expect(parseDeadline('2h')).to.equal(7_200_000)
      expect(parseDeadline('30s')).to.equal(30_000)
    })

    it('refuses zero, more than a day and other words', () => {
      expect(parseDeadline('0')).to.equal(null)
      expect(parseDeadline('25h')).to.equal(null)
      expect(parseDeadline('soon')).to.equal(null)
    })
  })

  it('describes a duration in hours, minutes and seconds', () => {
    expect(describeDuration(5_400_000)).to.equal('1 h 30 min')
    expect(describeDuration(45_000)).to.equal('45 s')
  })

  it('gives the local date of an instant in a time zone', () => {
    const instant = Date.UTC(2026, 10, 25, 23, 30)
    expect(localDay(instant, 'UTC')).to.equal('2026-11-25')
    expect(localDay(instant, 'Europe/Berlin')).to.equal('2026-11-26')
  })
})
