/**
 * Launches Debian's Chromium (/usr/bin/chromium, from scripts/ensure-chromium.sh) headless with
 * playwright-core, which never downloads a browser. Shared by the browser tests and bench/ui.ts.
 */
import fs from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM_PATH = '/usr/bin/chromium'

export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: run "sh scripts/ensure-chromium.sh" (apt-get install chromium) first`)
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}
