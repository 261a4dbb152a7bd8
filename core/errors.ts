/**
 * The one error type of the API, shaped as Mattermost's `model.AppError`. Only
 * `core/http/middleware/error.ts` turns it into a response body.
 */

export interface AppErrorOptions {
  /** Developer detail: logged, shown only in developer mode. */
  detailed?: string
  /** Structured context for the log line (ids, field names); never secrets. */
  context?: Record<string, unknown>
  cause?: unknown
}

export class AppError extends Error {
  readonly id: string
  readonly statusCode: number
  readonly detailed: string
  readonly context: Record<string, unknown>

  constructor(id: string, message: string, statusCode: number, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.id = id
    this.statusCode = statusCode
    this.detailed = options.detailed ?? ''
    this.context = options.context ?? {}
  }
}

/** 400 for a request field that is missing or has the wrong value. */
export function invalidParam(name: string, detailed = ''): AppError {
  return new AppError('api.context.invalid_param.app_error', `Invalid ${name} parameter.`, 400, {
    detailed,
    context: { param: name },
  })
}

/** 400 for a URL path or query parameter that is malformed. */
export function invalidUrlParam(name: string): AppError {
  return new AppError('api.context.invalid_url_param.app_error', `Invalid or missing ${name} parameter in request URL.`, 400, {
    context: { param: name },
  })
}

/** 400 for a body that is not valid JSON or whose field has the wrong type. */
export function invalidBodyParam(name: string, reason = ''): AppError {
  const message = `Invalid or missing ${name} in request body${reason ? `: ${reason}` : '.'}`
  return new AppError('api.context.invalid_body_param.app_error', message, 400, {
    detailed: reason,
    context: { param: name },
  })
}

/** 404 for an unknown resource; `id` is Mattermost's i18n key for that resource. */
export function notFound(resource: string, resourceId: string, id = 'app.' + resource + '.get.app_error'): AppError {
  return new AppError(id, `Unable to find the ${resource}.`, 404, { context: { resource, resourceId } })
}

export function forbidden(detailed = ''): AppError {
  return new AppError('api.context.permissions.app_error', 'You do not have the appropriate permissions.', 403, {
    detailed,
  })
}

export function sessionExpired(detailed = ''): AppError {
  return new AppError('api.context.session_expired.app_error', 'Invalid or expired session, please login again.', 401, {
    detailed,
  })
}

export function bodyTooLarge(limitBytes: number): AppError {
  return new AppError(
    'api.context.request_body_too_large.app_error',
    `The request body is too large: the limit is ${limitBytes} bytes.`,
    413,
    { context: { limitBytes } },
  )
}

export function featureDisabled(id: string, message: string): AppError {
  return new AppError(id, message, 501)
}

/** A store-level failure to find a row; services map it to an AppError. */
export class NotFoundError extends Error {
  constructor(readonly resource: string, readonly resourceId: string) {
    super(`${resource} ${resourceId} not found`)
    this.name = 'NotFoundError'
  }
}

/**
 * `err` naming the input of a batch call it is about (`inputs[3]: …`, context `index`), so a caller of a bulk method
 * knows which of its items was refused; anything that is not an AppError passes through unchanged.
 */
export function forInput(index: number, err: unknown): unknown {
  if (!(err instanceof AppError)) return err
  return new AppError(err.id, `inputs[${index}]: ${err.message}`, err.statusCode, { detailed: err.detailed, context: { ...err.context, index }, cause: err })
}
