/**
 * Interactive message actions: buttons and menus under an attachment (Mattermost webapp
 * action_button / action_menu). A click hands the post id, the action id, the chosen option and
 * the action's cookie to the app, which makes the API call.
 */
import type { ComponentChildren } from 'preact'
import type { AttachmentContext, PostAction, PostActionOption } from './types.ts'

// Mattermost's named button styles; anything else must be a hex colour to be used at all.
const NAMED_STYLES = new Set(['default', 'primary', 'success', 'good', 'warning', 'danger'])
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i

function buttonLook(style: string | undefined): { class: string; style?: Record<string, string> } {
  const base = 'attachment-action btn btn-sm'
  if (style && NAMED_STYLES.has(style.toLowerCase())) return { class: `${base} attachment-action--${style.toLowerCase()}` }
  if (style && HEX_COLOR.test(style)) return { class: base, style: { color: style, borderColor: style } }
  return { class: `${base} attachment-action--default` }
}

function ActionButton(props: { postId: string; action: PostAction; ctx: AttachmentContext }): ComponentChildren {
  const { postId, action, ctx } = props
  const look = buttonLook(action.style)
  return (
    <button
      type="button"
      class={look.class}
      style={look.style}
      disabled={action.disabled}
      data-action-id={action.id}
      onClick={() => ctx.onAction?.(postId, action.id, undefined, action.cookie)}
    >
      {action.name}
    </button>
  )
}

function menuOptions(action: PostAction, ctx: AttachmentContext): PostActionOption[] {
  if (action.data_source === 'users' || action.data_source === 'channels') return ctx.actionOptions?.(action.data_source) ?? []
  return action.options
}

function ActionMenu(props: { postId: string; action: PostAction; ctx: AttachmentContext }): ComponentChildren {
  const { postId, action, ctx } = props
  const options = menuOptions(action, ctx)
  const selected = options.some((o) => o.value === action.default_option) ? action.default_option : ''
  return (
    <select
      class="attachment-action attachment-action--select"
      aria-label={action.name}
      disabled={action.disabled}
      data-action-id={action.id}
      value={selected}
      onChange={(event) => {
        const value = (event.currentTarget as HTMLSelectElement).value
        if (value !== '') ctx.onAction?.(postId, action.id, value, action.cookie)
      }}
    >
      <option value="" disabled>
        {action.name}
      </option>
      {options.map((option) => (
        <option value={option.value}>{option.text}</option>
      ))}
    </select>
  )
}

export function AttachmentActions(props: { postId: string; actions: PostAction[]; ctx: AttachmentContext }): ComponentChildren {
  const { postId, actions, ctx } = props
  if (actions.length === 0) return null
  return (
    <div class="attachment-actions">
      {actions.map((action) =>
        action.type === 'select' ? <ActionMenu postId={postId} action={action} ctx={ctx} /> : <ActionButton postId={postId} action={action} ctx={ctx} />,
      )}
    </div>
  )
}
