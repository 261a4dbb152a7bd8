/** WebSocket clients a test opens, closed after each test, for the API suites in this folder. */
import type { UserSession } from '../../helpers/factories.ts'
import { connectWs, type WsSession } from '../../helpers/ws-client.ts'

/**
 * Registers an `afterEach` that closes every socket opened during the test, and returns the
 * function that opens one for a user (resolving after `hello`).
 */
export function useWebSockets(serverUrl: () => string): (session: UserSession) => Promise<WsSession> {
  const sockets: WsSession[] = []
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close()
  })
  return async (session) => {
    const socket = await connectWs(serverUrl(), session.token)
    sockets.push(socket)
    return socket
  }
}
