/** `/github subscribe owner/repo [features]`, `/github unsubscribe owner/repo`, `/github subscriptions`: per channel, in the database. */
import { autocompleteDataFor, ephemeral, type SlashCommand } from '../../core/commands/registry.ts'
import { newId } from '../../core/ids.ts'
import type { IntegrationStore } from '../store.ts'
import { DEFAULT_FEATURES, GITHUB_FEATURES, type GitHubFeature } from './format.ts'

const HINT = 'subscribe owner/repo [issues,pulls,pushes,releases,workflows] | unsubscribe owner/repo | subscriptions'
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/

const HELP = [
  '`/github subscribe owner/repo [features]`: post the repository\'s events in this channel. Features, comma-separated: ' +
    `${GITHUB_FEATURES.join(', ')} (default ${DEFAULT_FEATURES.join(', ')}).`,
  '`/github unsubscribe owner/repo`: stop.',
  '`/github subscriptions`: what this channel follows.',
].join('\n')

export interface GitHubCommandDeps {
  store: IntegrationStore
  /** Whether the user may change the channel's subscriptions (a member, or a system admin). */
  canManage(channelId: string, userId: string, isSystemAdmin: boolean): Promise<boolean>
  now(): number
}

function parseFeatures(raw: string | undefined): GitHubFeature[] | string {
  if (raw === undefined) return [...DEFAULT_FEATURES]
  const names = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
  const unknown = names.filter((n) => !(GITHUB_FEATURES as readonly string[]).includes(n))
  if (unknown.length > 0) return `Unknown feature${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}: use ${GITHUB_FEATURES.join(', ')}.`
  if (names.length === 0) return `Name at least one feature: ${GITHUB_FEATURES.join(', ')}.`
  return [...new Set(names)] as GitHubFeature[]
}

export function gitHubCommand(deps: GitHubCommandDeps): SlashCommand {
  const { store } = deps
  return {
    id: 'github',
    source: 'integrations/github',
    displayName: 'GitHub',
    description: 'Follow GitHub repositories in this channel',
    hint: HINT,
    autoComplete: true,
    autocompleteData: autocompleteDataFor('github', HINT, 'Follow GitHub repositories in this channel'),
    async execute(args, message) {
      const [sub, repoArg, featureArg, ...rest] = message.trim().split(/\s+/).filter(Boolean)
      if (sub === 'subscriptions' && repoArg === undefined) {
        const subscriptions = await store.subscriptionsOfChannel(args.channelId)
        if (subscriptions.length === 0) return ephemeral('This channel is not subscribed to any repository.')
        return ephemeral(['This channel follows:', ...subscriptions.map((s) => `- ${s.repo}: ${s.features.join(', ')}`)].join('\n'))
      }
      if ((sub !== 'subscribe' && sub !== 'unsubscribe') || !repoArg || rest.length > 0 || (sub === 'unsubscribe' && featureArg !== undefined)) return ephemeral(HELP)
      if (!REPO.test(repoArg)) return ephemeral(`"${repoArg}" is not a repository: write owner/repo.`)
      if (!(await deps.canManage(args.channelId, args.userId, args.session.isSystemAdmin))) return ephemeral('Only members of this channel can change its subscriptions.')
      const repo = repoArg.toLowerCase()
      if (sub === 'unsubscribe') {
        return ephemeral((await store.deleteSubscription(args.channelId, repo)) ? `Unsubscribed this channel from ${repo}.` : `This channel is not subscribed to ${repo}.`)
      }
      const features = parseFeatures(featureArg)
      if (typeof features === 'string') return ephemeral(features)
      await store.upsertSubscription({ id: newId(), teamId: args.teamId, channelId: args.channelId, repo, features, creatorId: args.userId, createAt: deps.now() })
      const connected = (await store.connectionIdsOfTeam('github', args.teamId)).length > 0
      const hint = connected ? '' : '\nNo GitHub connection exists in this team yet: an admin creates one (POST /api/v4/integrations/github/connections) and adds its webhook to the repository.'
      return ephemeral(`Subscribed this channel to ${repo}: ${features.join(', ')}.${hint}`)
    },
  }
}
