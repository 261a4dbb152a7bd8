/** The only place that writes error bodies: Mattermost's AppError JSON, logged with context. */
import type { ErrorRequestHandler, RequestHandler } from 'express'
import { AppError, bodyTooLarge, invalidBodyParam } from '../../errors.ts'
import { getContext } from '../context.ts'
import { sendJson } from '../respond.ts'

interface BodyParserError {
  type?: string
  status?: number
  limit?: number
  message?: string
}

/** Turns body-parser failures into the AppErrors a person understands. */
function fromBodyParser(err: BodyParserError): AppError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return bodyTooLarge(err.limit ?? 0)
    case 'entity.parse.failed':
      return new AppError('api.context.invalid_body_param.app_error', `The request body is not valid JSON: ${err.message ?? 'parse error'}.`, 400, {
        detailed: err.message ?? '',
      })
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return invalidBodyParam('body', err.message ?? 'unsupported encoding')
    case 'request.aborted':
      return new AppError('api.context.request_aborted.app_error', 'The request was aborted.', 400)
    default:
      // The router's own failures, e.g. a path segment with bad percent-encoding (URIError, 400).
      if (err instanceof URIError || (err.status !== undefined && err.status >= 400 && err.status < 500)) {
        return new AppError('api.context.invalid_url_param.app_error', 'The request URL is malformed (bad percent-encoding or parameter).', err.status ?? 400, {
          detailed: err.message ?? '',
        })
      }
      return undefined
  }
}

export function errorHandler(options: { developerMode: boolean }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const ctx = getContext(req)
    const appError =
      err instanceof AppError ? err : fromBodyParser(err as BodyParserError) ?? undefined
    if (res.headersSent) {
      ctx.log.error({ err }, 'error after response started')
      res.destroy()
      return
    }
    if (!appError) {
      ctx.log.error({ err, method: req.method, path: req.path }, 'unexpected error')
      sendJson(res, 500, {
        id: 'api.context.internal_error.app_error',
        message: 'An internal error occurred. It has been logged.',
        detailed_error: options.developerMode && err instanceof Error ? err.message : '',
        request_id: ctx.requestId,
        status_code: 500,
      })
      return
    }
    const level = appError.statusCode >= 500 ? 'error' : 'debug'
    ctx.log[level]({ errorId: appError.id, status: appError.statusCode, ...appError.context, method: req.method, path: req.path, err: appError.cause }, 'request failed')
    // Mattermost puts the human explanation of validation failures in detailed_error; we keep it
    // visible for 4xx because it names the field, and hide it for 5xx unless in developer mode.
    const showDetail = appError.statusCode < 500 || options.developerMode
    sendJson(res, appError.statusCode, {
      id: appError.id,
      message: appError.message,
      detailed_error: showDetail ? appError.detailed : '',
      request_id: ctx.requestId,
      status_code: appError.statusCode,
    })
  }
}

/** Unknown routes under /api/v4. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new AppError('api.context.404.app_error', 'Sorry, we could not find the page.', 404))
}
