/** Channel-name-safe slugs, shared by the `slug()` expression function and the `{{slug}}` helper. */

/** Lower case ASCII letters, digits and single dashes, at most 50 characters (`"DB down!"` → `db-down`). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '')
}
