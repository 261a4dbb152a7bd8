/** System routes: ping, client config and license in the "old" flat format Client4 reads. */
import type { Router } from 'express'
import { AppError } from '../../errors.ts'
import { getContext } from '../context.ts'
import { sendJson } from '../respond.ts'
import { queryBool, queryString } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

export function systemRoutes(router: Router, deps: ApiDeps): void {
  router.get('/system/ping', async (req, res) => {
    const body: Record<string, unknown> = {
      status: 'OK', ActiveSearchBackend: 'database', AndroidLatestVersion: '', AndroidMinVersion: '', IosLatestVersion: '', IosMinVersion: '',
    }
    if (queryBool(req, 'get_server_status')) {
      const healthy = await deps.health()
      body.database_status = healthy ? 'OK' : 'UNHEALTHY'
      body.filestore_status = 'OK'
      if (!healthy) {
        body.status = 'UNHEALTHY'
        return sendJson(res, queryBool(req, 'use_rest_semantics') ? 200 : 500, body)
      }
    }
    sendJson(res, 200, body)
  })

  router.get('/config/client', async (req, res) => {
    const format = queryString(req, 'format')
    if (format === undefined) throw new AppError('api.config.client.old_format.app_error', 'New format for the client configuration is not supported yet. Please specify format=old in the query string.', 501)
    if (format !== 'old') throw new AppError('api.context.invalid_param.app_error', 'Invalid format parameter: only format=old is supported.', 400)
    sendJson(res, 200, await deps.clientConfig(getContext(req).session !== undefined))
  })

  router.get('/license/client', (req, res) => {
    if (queryString(req, 'format') !== 'old') throw new AppError('api.license.client.old_format.app_error', 'New format for the client license is not supported yet. Please specify format=old in the query string.', 501)
    sendJson(res, 200, { IsLicensed: 'false' })
  })
}
