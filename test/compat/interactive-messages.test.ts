/**
 * Interactive messages and dialogs end to end (Mattermost api4/integration_action.go,
 * app/integration_action.go): a real HTTP server started here plays the integration behind the
 * buttons and the dialogs; its answers reach users over the WebSocket.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { makeChannelWith, makePost, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../helpers/factories.ts'
import { connectWs, type WsEvent, type WsSession } from '../helpers/ws-client.ts'
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../helpers/http-receiver.ts'

const postOf = (event: WsEvent): Post => JSON.parse(event.data.post as string) as Post
const jsonOf = (request: ReceivedRequest): Record<string, any> => JSON.parse(request.body) as Record<string, any>
const actionsOf = (post: Post): Record<string, any>[] => ((post.props as Record<string, any>).attachments?.[0]?.actions ?? []) as Record<string, any>[]

forEachBackend((backend) => {
  let receiver: HttpReceiver
  let aliceWs: WsSession
  let bobWs: WsSession
  // Registered before the server's own `after`, so sockets close before the server stops.
  after(async () => {
    aliceWs?.close()
    bobWs?.close()
    await receiver?.close()
  })
  const ctx = useTestServer(backend, { allowedUntrustedInternalConnections: '127.0.0.1', outgoingIntegrationRequestsTimeoutSeconds: 2 })
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  let channel: Channel

  before(async () => {
    receiver = await startHttpReceiver()
    world = await makeTeamWithMembers(ctx.server, 2)
    ;[alice, bob] = world.members as [UserSession, UserSession]
    channel = await makeChannelWith(world, [alice, bob])
    aliceWs = await connectWs(ctx.server.url, alice.token)
    bobWs = await connectWs(ctx.server.url, bob.token)
  })

  /** A post by the team owner in `channelId` with one button and one menu whose integration is `path` on the receiver. */
  async function postWithActions(path: string, channelId = channel.id): Promise<Post> {
    return world.owner.client.createPost({
      channel_id: channelId,
      message: `deploy ${uniqueName('d')}?`,
      props: {
        attachments: [{
          text: 'Ship it?',
          actions: [
            { name: 'Approve', type: 'button', integration: { url: `${receiver.url}${path}`, context: { release: 'v1.2', step: 3 } } },
            { id: 'chooser', name: 'Environment', type: 'select', options: [{ text: 'Staging', value: 'staging' }, { text: 'Production', value: 'prod' }], integration: { url: `${receiver.url}${path}`, context: { release: 'v1.2' } } },
          ],
        }],
      },
    } as unknown as Post)
  }

  describe('actions in a new post', () => {
    it('get an id each, and an id the sender chose is kept', async () => {
      const post = await postWithActions('/ids')
      const [button, menu] = actionsOf(post)
      expect(button!.id).to.match(/^[a-z0-9]{26}$/)
      expect(menu!.id).to.equal('chooser')
      const stored = await alice.client.getPost(post.id)
      expect(actionsOf(stored)[0]!.id).to.equal(button!.id)
    })
  })

  describe('POST /api/v4/posts/{post_id}/actions/{action_id}', () => {
    it("sends the click to the integration with Mattermost's fields and the action's context", async () => {
      const path = `/${uniqueName('click')}`
      const post = await postWithActions(path)
      const response = await alice.client.doPostAction(post.id, actionsOf(post)[0]!.id) as unknown as Record<string, string>
      expect(response).to.include({ status: 'OK', goto_location: '' })
      expect(response.trigger_id).to.match(/^[a-z0-9]{26}$/)
      const request = await receiver.next(path)
      expect(request.method).to.equal('POST')
      expect(request.headers['content-type']).to.equal('application/json')
      const body = jsonOf(request)
      expect(body).to.include({
        user_id: alice.user.id, user_name: alice.user.username, channel_id: channel.id, channel_name: channel.name,
        team_id: world.team.id, team_domain: world.team.name, post_id: post.id, type: 'button', data_source: '',
      })
      expect(body.trigger_id).to.be.a('string').and.not.equal('')
      expect(body.context).to.deep.equal({ release: 'v1.2', step: 3 })
    })

    it('adds the option chosen in a menu to the context as selected_option', async () => {
      const path = `/${uniqueName('menu')}`
      const post = await postWithActions(path)
      await alice.client.doPostAction(post.id, 'chooser', 'prod')
      const body = jsonOf(await receiver.next(path))
      expect(body.type).to.equal('select')
      expect(body.context).to.deep.equal({ release: 'v1.2', selected_option: 'prod' })
    })

    it("edits the post with the integration's update, which every member receives over the WebSocket", async () => {
      const path = `/${uniqueName('update')}`
      const message = `Approved ${uniqueName('a')}`
      receiver.answer(path, { body: { update: { message, props: { attachments: [{ text: 'Approved by alice' }], from_webhook: 'true' } } } })
      const post = await postWithActions(path)
      await alice.client.doPostAction(post.id, actionsOf(post)[0]!.id)
      const edited = postOf(await bobWs.waitFor('post_edited', (e) => postOf(e).id === post.id))
      expect(edited.message).to.equal(message)
      expect((edited.props as Record<string, any>).attachments[0].text).to.equal('Approved by alice')
      expect(actionsOf(edited)).to.deep.equal([])
      // The integration cannot make a user's post look like a webhook's (Mattermost retains these props).
      expect(edited.props).not.to.have.property('from_webhook')
      const stored = await bob.client.getPost(post.id)
      expect(stored.message).to.equal(message)
      expect(stored.user_id).to.equal(world.owner.user.id)
    })

    it('sends ephemeral_text to the clicker only, and stores nothing', async () => {
      const path = `/${uniqueName('ephemeral')}`
      const text = `Thanks, alice ${uniqueName('t')}`
      receiver.answer(path, { body: { ephemeral_text: text } })
      const post = await postWithActions(path)
      await alice.client.doPostAction(post.id, actionsOf(post)[0]!.id)
      const event = await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === text)
      expect(event.broadcast).to.include({ user_id: alice.user.id, channel_id: channel.id })
      expect(postOf(event)).to.include({ type: 'system_ephemeral', channel_id: channel.id })
      // A marker post bob sees afterwards proves the ephemeral would have reached him first.
      const marker = await makePost(alice.client, channel.id, `marker ${uniqueName('m')}`)
      await bobWs.waitFor('posted', (e) => postOf(e).id === marker.id)
      expect(bobWs.received('ephemeral_message', (e) => postOf(e).message === text)).to.have.length(0)
      const stored = await alice.client.getPost(post.id)
      expect(stored.message).to.equal(post.message)
    })

    it("returns the integration's goto_location", async () => {
      const path = `/${uniqueName('goto')}`
      receiver.answer(path, { body: { goto_location: 'https://ci.example.com/run/7' } })
      const post = await postWithActions(path)
      const response = await alice.client.doPostAction(post.id, actionsOf(post)[0]!.id)
      expect(response).to.include({ status: 'OK', goto_location: 'https://ci.example.com/run/7' })
    })

    it('refuses a user who cannot read the channel with 403, without calling the integration', async () => {
      const path = `/${uniqueName('private')}`
      const secret = await makeChannelWith(world, [alice], 'P')
      const post = await postWithActions(path, secret.id)
      await expectStatus(bob.client.doPostAction(post.id, actionsOf(post)[0]!.id), 403)
      await alice.client.doPostAction(post.id, actionsOf(post)[0]!.id)
      const requests = receiver.received.filter((r) => r.url === path)
      expect(requests.map((r) => jsonOf(r).user_id)).to.deep.equal([alice.user.id])
    })

    it('answers 404 for an action the post does not have', async () => {
      const post = await postWithActions(`/${uniqueName('none')}`)
      await expectStatus(alice.client.doPostAction(post.id, 'nosuchaction'), 404, 'api.post.do_action.action_id.app_error')
    })

    it('answers 400 when the integration fails', async () => {
      const path = `/${uniqueName('broken')}`
      receiver.answer(path, { status: 500, body: { error: 'boom' } })
      const post = await postWithActions(path)
      await expectStatus(alice.client.doPostAction(post.id, actionsOf(post)[0]!.id), 400, 'api.post.do_action.action_integration.app_error')
    })
  })

  describe('actions on an ephemeral post (cookies)', () => {
    /**
     * Runs a custom command as alice whose integration answers with an ephemeral message holding
     * one button on `path`; returns that message as alice's client received it.
     */
    async function ephemeralWithButton(path: string, channelId = channel.id): Promise<Post> {
      const commandPath = `/${uniqueName('cmdbutton')}`
      const marker = uniqueName('pick')
      receiver.answer(commandPath, {
        body: {
          response_type: 'ephemeral', text: marker,
          attachments: [{ text: 'Pick one', actions: [{ id: 'pickme', name: 'Pick', integration: { url: `${receiver.url}${path}`, context: { secret: 'only-for-the-integration' } } }] }],
        },
      })
      const command = await world.owner.client.addCommand({ team_id: world.team.id, trigger: uniqueName('eph'), method: 'P', url: `${receiver.url}${commandPath}` } as never)
      await alice.client.executeCommand(`/${(command as { trigger: string }).trigger}`, { channel_id: channelId, team_id: world.team.id } as never)
      return postOf(await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === marker))
    }

    it('carry a sealed cookie instead of the integration, which clients never see', async () => {
      const post = await ephemeralWithButton(`/${uniqueName('sealed')}`)
      const [action] = actionsOf(post)
      expect(action).to.include({ id: 'pickme', name: 'Pick' })
      expect(action).not.to.have.property('integration')
      expect(action!.cookie).to.be.a('string')
      expect(Buffer.from(action!.cookie as string, 'base64').toString('latin1')).not.to.contain('only-for-the-integration')
    })

    it("send the click with the cookie to the integration, with the action's context", async () => {
      const path = `/${uniqueName('cookieclick')}`
      const text = `You picked it ${uniqueName('t')}`
      receiver.answer(path, { body: { ephemeral_text: text } })
      const post = await ephemeralWithButton(path)
      const [action] = actionsOf(post)
      const response = await alice.client.doPostActionWithCookie(post.id, action!.id, action!.cookie as string)
      expect(response).to.include({ status: 'OK' })
      const body = jsonOf(await receiver.next(path))
      expect(body).to.include({ user_id: alice.user.id, channel_id: channel.id, post_id: post.id, team_id: world.team.id })
      expect(body.context).to.deep.equal({ secret: 'only-for-the-integration' })
      await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === text)
    })

    it('replace the ephemeral post for the clicker when the integration answers with an update', async () => {
      const path = `/${uniqueName('cookieupdate')}`
      const message = `Picked ${uniqueName('p')}`
      receiver.answer(path, { body: { update: { message, props: { attachments: [{ text: 'Done' }] } } } })
      const post = await ephemeralWithButton(path)
      const [action] = actionsOf(post)
      await alice.client.doPostActionWithCookie(post.id, action!.id, action!.cookie as string)
      const edited = postOf(await aliceWs.waitFor('post_edited', (e) => postOf(e).id === post.id))
      expect(edited).to.include({ message, type: 'system_ephemeral', channel_id: channel.id })
      expect((edited.props as Record<string, any>).attachments[0].text).to.equal('Done')
    })

    it('refuse an altered cookie with 400 and call nothing', async () => {
      const path = `/${uniqueName('altered')}`
      const post = await ephemeralWithButton(path)
      const cookie = Buffer.from(actionsOf(post)[0]!.cookie as string, 'base64')
      cookie[cookie.length - 20] = cookie[cookie.length - 20]! ^ 1
      await expectStatus(alice.client.doPostActionWithCookie(post.id, 'pickme', cookie.toString('base64')), 400, 'api.post.do_action.action_integration.app_error')
      expect(receiver.received.filter((r) => r.url === path)).to.have.length(0)
    })

    it('refuse a cookie presented for another post id with 400', async () => {
      const path = `/${uniqueName('misused')}`
      const post = await ephemeralWithButton(path)
      const cookie = actionsOf(post)[0]!.cookie as string
      await expectStatus(alice.client.doPostActionWithCookie('a'.repeat(26), 'pickme', cookie), 400, 'api.post.do_action.action_integration.app_error')
      expect(receiver.received.filter((r) => r.url === path)).to.have.length(0)
    })

    it('refuse a cookie from a channel the caller cannot read with 403', async () => {
      const path = `/${uniqueName('private')}`
      const secret = await makeChannelWith(world, [alice], 'P')
      const post = await ephemeralWithButton(path, secret.id)
      await expectStatus(bob.client.doPostActionWithCookie(post.id, 'pickme', actionsOf(post)[0]!.cookie as string), 403)
      expect(receiver.received.filter((r) => r.url === path)).to.have.length(0)
    })
  })

  describe('dialogs', () => {
    const dialog = {
      callback_id: 'release-form', title: 'Release', submit_label: 'Ship', state: 'v1.2',
      elements: [{ display_name: 'Name', name: 'name', type: 'text' }, { display_name: 'Notes', name: 'notes', type: 'textarea', optional: true }],
    }

    /** Clicks a button as alice: the trigger id the integration received, and the client's twin that alice got. */
    async function clickTriggerIds(): Promise<{ signed: string; client: string }> {
      const path = `/${uniqueName('opener')}`
      const post = await postWithActions(path)
      const response = await alice.client.doPostAction(post.id, actionsOf(post)[0]!.id) as unknown as { trigger_id: string }
      return { signed: jsonOf(await receiver.next(path)).trigger_id as string, client: response.trigger_id }
    }
    const triggerIdFromClick = async () => (await clickTriggerIds()).signed

    it("opens the dialog on the clicking user's clients under the client trigger id of the click (open_dialog)", async () => {
      const { signed, client } = await clickTriggerIds()
      expect(client).not.to.equal(signed)
      const url = `${receiver.url}/${uniqueName('dialog')}`
      const res = await rawRequest(ctx.server.url, '/api/v4/actions/dialogs/open', { token: world.owner.token, body: { trigger_id: signed, url, dialog } })
      expect(res.status, res.text).to.equal(200)
      const event = await aliceWs.waitFor('open_dialog', (e) => JSON.parse(e.data.dialog as string).url === url)
      expect(event.broadcast.user_id).to.equal(alice.user.id)
      // The web app shows a dialog only when its trigger id is the one the click answered with.
      expect(JSON.parse(event.data.dialog as string)).to.deep.include({ trigger_id: client, url, dialog })
      expect(bobWs.received('open_dialog', (e) => JSON.parse(e.data.dialog as string).url === url)).to.have.length(0)
    })

    it('refuses a trigger id the server did not issue with 400', async () => {
      const forged = Buffer.from(`abc:${alice.user.id}:${Date.now()}:c2lnbmF0dXJl`).toString('base64')
      const res = await rawRequest(ctx.server.url, '/api/v4/actions/dialogs/open', { token: world.owner.token, body: { trigger_id: forged, url: `${receiver.url}/x`, dialog } })
      expectAppError(res, 400, 'interactive_message.decode_trigger_id.verify_signature_failed')
    })

    it('refuses a dialog whose element has no name with 400 naming the element', async () => {
      const triggerId = await triggerIdFromClick()
      const res = await rawRequest(ctx.server.url, '/api/v4/actions/dialogs/open', {
        token: world.owner.token,
        body: { trigger_id: triggerId, url: `${receiver.url}/x`, dialog: { ...dialog, elements: [{ display_name: 'Name', type: 'text' }] } },
      })
      expectAppError(res, 400, 'interactive_message.dialog.invalid.app_error')
      expect(res.text).to.contain('dialog.elements[0].name')
    })

    it("submits to the dialog's URL as the user and returns the integration's field errors", async () => {
      const path = `/${uniqueName('submit')}`
      receiver.answer(path, { body: { errors: { name: 'Name must be at least 3 characters.' } } })
      const answer = await alice.client.submitInteractiveDialog({
        url: `${receiver.url}${path}`, callback_id: 'release-form', state: 'v1.2', channel_id: channel.id, team_id: world.team.id,
        submission: { name: 'x', notes: '' }, cancelled: false,
      } as never)
      expect(answer).to.deep.equal({ errors: { name: 'Name must be at least 3 characters.' } })
      const body = jsonOf(await receiver.next(path))
      expect(body).to.deep.include({
        type: 'dialog_submission', callback_id: 'release-form', state: 'v1.2', user_id: alice.user.id, channel_id: channel.id,
        team_id: world.team.id, submission: { name: 'x', notes: '' }, cancelled: false, url: '',
      })
    })

    it('looks up the options of a dynamic select at the integration (dialog_lookup)', async () => {
      const path = `/${uniqueName('lookup')}`
      receiver.answer(path, { body: { items: [{ text: 'api-gateway', value: 'svc-1' }, { text: 'api-billing', value: 'svc-2' }] } })
      const res = await rawRequest(ctx.server.url, '/api/v4/actions/dialogs/lookup', {
        token: alice.token,
        body: { url: `${receiver.url}${path}`, callback_id: 'release-form', state: 'v1.2', channel_id: channel.id, team_id: 'ignored', submission: { query: 'api', selected_field: 'service' } },
      })
      expect(res.status, res.text).to.equal(200)
      expect(JSON.parse(res.text)).to.deep.equal({ items: [{ text: 'api-gateway', value: 'svc-1' }, { text: 'api-billing', value: 'svc-2' }] })
      const body = jsonOf(await receiver.next(path))
      // The team comes from the channel, never from what the client claims.
      expect(body).to.deep.include({ type: 'dialog_lookup', user_id: alice.user.id, channel_id: channel.id, team_id: world.team.id, submission: { query: 'api', selected_field: 'service' } })
    })

    it('refuses a lookup URL that is not http(s) with 400, and a malformed answer with 400 naming the item', async () => {
      const refused = await rawRequest(ctx.server.url, '/api/v4/actions/dialogs/lookup', { token: alice.token, body: { url: 'file:///etc/passwd', channel_id: channel.id, submission: {} } })
      expectAppError(refused, 400, 'api.context.invalid_param.app_error')
      const path = `/${uniqueName('badlookup')}`
      receiver.answer(path, { body: { items: [{ text: 'ok', value: 'v' }, { text: 3 }] } })
      const bad = await rawRequest(ctx.server.url, '/api/v4/actions/dialogs/lookup', { token: alice.token, body: { url: `${receiver.url}${path}`, channel_id: channel.id, submission: {} } })
      expectAppError(bad, 400, 'api.post.do_action.action_integration.app_error')
      expect(bad.text).to.contain('response.items[1]')
    })

    it('answers OK when the integration accepts the submission', async () => {
      const path = `/${uniqueName('accepted')}`
      receiver.answer(path, { body: {} })
      const answer = await alice.client.submitInteractiveDialog({
        url: `${receiver.url}${path}`, callback_id: 'release-form', state: '', channel_id: channel.id, team_id: world.team.id, submission: { name: 'Ada' }, cancelled: false,
      } as never)
      expect(answer).to.deep.equal({})
    })

    it('refuses a submission for a channel the user cannot read with 403', async () => {
      const secret = await makeChannelWith(world, [alice], 'P')
      await expectStatus(bob.client.submitInteractiveDialog({
        url: `${receiver.url}/never`, callback_id: '', state: '', channel_id: secret.id, team_id: world.team.id, submission: {}, cancelled: false,
      } as never), 403)
      expect(receiver.received.filter((r) => r.url === '/never')).to.have.length(0)
    })
  })
})
