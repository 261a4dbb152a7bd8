/** Preference → Mattermost JSON (model/preference.go). */
import type { PreferenceRecord } from '../preferences/store.ts'

export function presentPreference(preference: PreferenceRecord): Record<string, unknown> {
  return {
    user_id: preference.userId,
    category: preference.category,
    name: preference.name,
    value: preference.value,
  }
}
