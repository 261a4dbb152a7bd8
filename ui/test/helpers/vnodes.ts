/**
 * Walks a rendered vnode tree the way a user's click would reach it: find the element, call its
 * handler. Function components without hooks are expanded by calling them, as Preact would.
 */
import type { ComponentChildren, VNode } from 'preact'

type Props = Record<string, unknown> & { children?: ComponentChildren }

function isVNode(node: unknown): node is VNode<Props> {
  return typeof node === 'object' && node !== null && 'type' in node && 'props' in node
}

/** Every element vnode in the tree (depth first) for which `match` holds. */
export function findAll(node: ComponentChildren, match: (vnode: VNode<Props>) => boolean): VNode<Props>[] {
  if (Array.isArray(node)) return node.flatMap((child) => findAll(child as ComponentChildren, match))
  if (!isVNode(node)) return []
  if (typeof node.type === 'function') return findAll((node.type as (props: Props) => ComponentChildren)(node.props), match)
  return [...(match(node) ? [node] : []), ...findAll(node.props.children, match)]
}

/** The one element vnode `match` picks; throws with the count when there is not exactly one. */
export function findOne(node: ComponentChildren, match: (vnode: VNode<Props>) => boolean): VNode<Props> {
  const found = findAll(node, match)
  if (found.length !== 1) throw new Error(`expected one matching element, found ${found.length}`)
  return found[0]
}
