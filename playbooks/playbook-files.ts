/** Which files a command-line argument names: a folder stands for the .yaml/.yml files in it (not below it). */
import fs from 'node:fs'
import path from 'node:path'

export function expandPlaybookPaths(p: string): string[] {
  try {
    if (fs.statSync(p).isDirectory()) {
      return fs.readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(p, f))
    }
  } catch {
    // Missing: the caller reports it as unreadable.
  }
  return [p]
}
