/** `/playbook list|problems` in a running server: what its playbook library holds. */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld } from '../../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 0)
  })

  const run = async (command: string): Promise<string> => {
    const channel = await world.owner.client.getChannelByName(world.team.id, 'town-square')
    const res = (await world.owner.client.executeCommand(command, { channel_id: channel.id, team_id: world.team.id } as never)) as { text?: string }
    return res.text ?? ''
  }

  describe('/playbook', () => {
    it('lists the built-in playbooks with their versions and triggers', async () => {
      const text = await run('/playbook list')
      expect(text).to.match(/\(`incident-response`\) \| \d+ \|/)
      expect(text).to.contain('(`release`)')
      expect(text).to.contain('`/incident`')
    })

    it('says every file lints clean when there are no problems', async () => {
      expect(await run('/playbook problems')).to.equal('Every playbook file lints clean.')
    })

    it('answers an unknown subcommand with its usage', async () => {
      expect(await run('/playbook frobnicate')).to.contain('Usage: /playbook list | problems | run <playbook>')
    })
  })
})
