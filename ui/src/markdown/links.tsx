import type { ComponentChildren } from 'preact'
import type { SafeUrl } from './urls.ts'

/**
 * An anchor to an already-checked URL. Off-site links open in a new tab with `noopener
 * noreferrer`, so the other site gets no handle on this page and no Referer naming the channel.
 */
export function anchor(url: SafeUrl, cls: string, children: ComponentChildren, title?: string): ComponentChildren {
  if (!url.external) {
    return (
      <a class={cls} href={url.href} title={title}>
        {children}
      </a>
    )
  }
  return (
    <a class={cls} href={url.href} title={title} rel="noopener noreferrer" target="_blank">
      {children}
    </a>
  )
}
