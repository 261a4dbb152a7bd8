// Text extraction for file search (core/files/extract-text.ts): which files give text, and how much.
import { expect } from 'chai'
import { extractText, MAX_CONTENT_LENGTH } from '../../core/files/extract-text.ts'
import { makePdf } from '../helpers/pdf.ts'

const failures: unknown[] = []
const extract = (data: Buffer, mimeType: string, extension: string) => extractText(data, mimeType, extension, (err) => failures.push(err))

describe('extractText', () => {
  beforeEach(() => {
    failures.length = 0
  })

  it('reads a text/* file as UTF-8', async () => {
    expect(await extract(Buffer.from('déjà vu\n'), 'text/plain', 'txt')).to.equal('déjà vu')
  })

  it('reads a code file by its extension when its bytes are UTF-8', async () => {
    expect(await extract(Buffer.from('fn main() {}'), 'application/octet-stream', 'rs')).to.equal('fn main() {}')
  })

  it('gives nothing for bytes with a NUL or that are not UTF-8, whatever the name', async () => {
    expect(await extract(Buffer.from([0x61, 0x00, 0x62]), 'text/plain', 'txt')).to.equal(null)
    expect(await extract(Buffer.from([0x61, 0xff, 0xfe]), 'application/octet-stream', 'ts')).to.equal(null)
  })

  it('gives nothing for a file that is neither text nor PDF', async () => {
    expect(await extract(Buffer.from('looks like text'), 'application/octet-stream', 'bin')).to.equal(null)
  })

  it('keeps at most MAX_CONTENT_LENGTH characters, never cutting a character in two', async () => {
    const text = await extract(Buffer.from('é'.repeat(MAX_CONTENT_LENGTH)), 'text/plain', 'txt')
    expect(text).to.equal('é'.repeat(MAX_CONTENT_LENGTH / 2))
  })

  it('reads the text of a PDF', async () => {
    expect(await extract(makePdf(['Quarterly report', 'Revenue (net) up']), 'application/pdf', 'pdf')).to.equal('Quarterly report\nRevenue (net) up')
    expect(failures).to.deep.equal([])
  })

  it('stops a PDF extraction that takes longer than its time limit, and reports it', async () => {
    const started = Date.now()
    expect(await extractText(makePdf(['slow']), 'application/pdf', 'pdf', (err) => failures.push(err), { pdfTimeoutMs: 1 })).to.equal(null)
    expect(Date.now() - started).to.be.below(1000)
    expect((failures[0] as Error).message).to.equal('PDF text extraction timed out after 1 ms')
  })

  it('gives nothing for a corrupt PDF and reports why', async () => {
    expect(await extract(Buffer.from('%PDF-1.4\nnot really'), 'application/pdf', 'pdf')).to.equal(null)
    expect(failures).to.have.length(1)
    expect((failures[0] as Error).message).to.match(/^PDF unreadable/)
  })
})
