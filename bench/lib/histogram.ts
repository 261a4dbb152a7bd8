/**
 * Log-bucketed latency histogram (about 1% relative precision from 1 µs to 100 s), like HdrHistogram
 * in spirit: recording is O(1), percentiles come from the bucket counts, histograms merge by adding.
 */

const GROWTH = 1.01
const LOG_GROWTH = Math.log(GROWTH)
const BUCKETS = Math.ceil(Math.log(100e6) / LOG_GROWTH) + 2

export interface HistogramData {
  counts: number[]
  total: number
  minUs: number
  maxUs: number
}

export class Histogram {
  private counts = new Float64Array(BUCKETS)
  total = 0
  minUs = Infinity
  maxUs = 0

  /** Records one value in microseconds (values below 1 µs count as 1 µs). */
  record(us: number): void {
    const v = us < 1 ? 1 : us
    const idx = Math.min(BUCKETS - 1, Math.floor(Math.log(v) / LOG_GROWTH))
    this.counts[idx]! += 1
    this.total++
    if (v < this.minUs) this.minUs = v
    if (v > this.maxUs) this.maxUs = v
  }

  /** The value at percentile `p` (0–100), in microseconds: the upper edge of its bucket, capped at the max. */
  percentile(p: number): number {
    if (this.total === 0) return NaN
    const rank = Math.max(1, Math.ceil((p / 100) * this.total))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.min(this.maxUs, Math.max(this.minUs, GROWTH ** (i + 1)))
    }
    return this.maxUs
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!
    this.total += other.total
    this.minUs = Math.min(this.minUs, other.minUs)
    this.maxUs = Math.max(this.maxUs, other.maxUs)
  }

  toJSON(): HistogramData {
    // Sparse: [index, count, index, count, …] keeps IPC messages small.
    const counts: number[] = []
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) counts.push(i, this.counts[i]!)
    return { counts, total: this.total, minUs: this.minUs, maxUs: this.maxUs }
  }

  static fromJSON(data: HistogramData): Histogram {
    const h = new Histogram()
    for (let i = 0; i + 1 < data.counts.length; i += 2) h.counts[data.counts[i]!] = data.counts[i + 1]!
    h.total = data.total
    h.minUs = data.minUs
    h.maxUs = data.maxUs
    return h
  }
}
