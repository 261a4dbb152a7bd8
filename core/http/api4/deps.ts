/** What route modules may call: the services built by the composition root. */
import type { Config } from '../../config/index.ts'
import type { SessionService } from '../../auth/session-service.ts'
import type { UserService } from '../../users/service.ts'
import type { TeamService } from '../../teams/service.ts'
import type { ChannelService } from '../../channels/service.ts'
import type { PostService } from '../../posts/service.ts'
import type { ReactionService } from '../../reactions/service.ts'
import type { ThreadService } from '../../threads/service.ts'
import type { PreferenceService } from '../../preferences/service.ts'
import type { StatusService } from '../../status/service.ts'
import type { BotService } from '../../bots/service.ts'
import type { FileService } from '../../files/service.ts'
import type { PublicLinkService } from '../../files/public-links.ts'
import type { SearchService } from '../../search/service.ts'
import type { JobService } from '../../jobs/index.ts'
import type { UserStore } from '../../users/store.ts'
import type { ChannelStore } from '../../channels/store.ts'
import type { Logger } from '../../log.ts'

export interface ApiDeps {
  config: Config
  log: Logger
  sessions: SessionService
  users: UserService
  userStore: UserStore
  teams: TeamService
  channels: ChannelService
  channelStore: ChannelStore
  posts: PostService
  reactions: ReactionService
  threads: ThreadService
  preferences: PreferenceService
  statuses: StatusService
  bots: BotService
  files: FileService
  publicLinks: PublicLinkService
  search: SearchService
  jobs: JobService
  health(): Promise<boolean>
  clientConfig(authenticated: boolean): Promise<Record<string, string>>
}
