/**
 * Errors as RFC 9457 problem details (`application/problem+json`), mapped in this one place.
 * Typed errors become 4xx with their message; anything else is logged and answered with a
 * plain 500 that carries no SQL, stack or internal detail.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express'
import { AuthError, ConflictError, HubError, InvalidInputError, NotFoundError, RateLimitError, errorMessage, type Logger } from '../core/index.ts'

export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail?: string
  readonly instance?: string
  readonly [extension: string]: unknown
}

/** Problem types: stable identifiers clients may switch on. */
export const PROBLEM_TYPES = {
  invalidParameter: 'urn:territoire:problem:invalid-parameter',
  notFound: 'urn:territoire:problem:not-found',
  internal: 'urn:territoire:problem:internal-error',
  unavailable: 'urn:territoire:problem:unavailable',
  methodNotAllowed: 'urn:territoire:problem:method-not-allowed',
  conflict: 'urn:territoire:problem:conflict',
  unauthorized: 'urn:territoire:problem:unauthorized',
  forbidden: 'urn:territoire:problem:forbidden',
  payloadTooLarge: 'urn:territoire:problem:payload-too-large',
  tooManyRequests: 'urn:territoire:problem:too-many-requests',
  headersTooLarge: 'urn:territoire:problem:headers-too-large',
} as const

/**
 * Requests Node refuses before Express sees them — headers (the URL included) past Node's 16 KiB,
 * or bytes that are not HTTP — get problem+json too, instead of Node's bare status line.
 */
export function answerClientErrors(server: import('node:http').Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: import('node:stream').Duplex) => {
    if (!socket.writable || (socket as import('node:net').Socket & { _httpMessage?: unknown })._httpMessage) return socket.destroy()
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW'
    const body = JSON.stringify(tooLarge
      ? { type: PROBLEM_TYPES.headersTooLarge, title: 'En-têtes trop volumineux', status: 431, detail: 'the request line and headers are larger than 16 KiB: shorten the URL (fewer parameters)' }
      : { type: PROBLEM_TYPES.invalidParameter, title: 'Requête invalide', status: 400, detail: 'the request is not well-formed HTTP' })
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`)
  })
}

export function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem))
}

export function problemFor(error: unknown, req: Request): Problem {
  if (error instanceof InvalidInputError) {
    return {
      type: PROBLEM_TYPES.invalidParameter,
      title: 'Paramètre invalide',
      status: 400,
      detail: error.message,
      instance: req.originalUrl,
      ...(error.parameter ? { parameter: error.parameter } : {}),
    }
  }
  if (error instanceof NotFoundError) {
    return { type: PROBLEM_TYPES.notFound, title: 'Ressource introuvable', status: 404, detail: error.message, instance: req.originalUrl }
  }
  if (error instanceof ConflictError) {
    return { type: PROBLEM_TYPES.conflict, title: 'Conflit', status: 409, detail: error.message, instance: req.originalUrl }
  }
  if (error instanceof AuthError) {
    return error.status === 401
      ? { type: PROBLEM_TYPES.unauthorized, title: 'Authentification requise', status: 401, detail: error.message, instance: req.originalUrl }
      : { type: PROBLEM_TYPES.forbidden, title: 'Action non autorisée', status: 403, detail: error.message, instance: req.originalUrl }
  }
  if (error instanceof RateLimitError) {
    return { type: PROBLEM_TYPES.tooManyRequests, title: 'Trop de requêtes', status: 429, detail: error.message, instance: req.originalUrl }
  }
  // Body-parser and friends flag client errors with a 4xx status; their messages are safe.
  const status = (error as { status?: unknown }).status
  if (status === 413) {
    return { type: PROBLEM_TYPES.payloadTooLarge, title: 'Requête trop volumineuse', status, detail: tooLargeDetail(error), instance: req.originalUrl }
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { type: PROBLEM_TYPES.invalidParameter, title: 'Requête invalide', status, detail: errorMessage(error), instance: req.originalUrl }
  }
  return { type: PROBLEM_TYPES.internal, title: 'Erreur interne', status: 500, detail: 'The request could not be completed; the incident was logged.', instance: req.originalUrl }
}

export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error)
    const problem = problemFor(error, req)
    if (error instanceof RateLimitError) res.set('Retry-After', String(error.retryAfterSeconds))
    if (problem.status === 401) res.set('WWW-Authenticate', 'Bearer realm="territoire"') // RFC 9110 § 11.6.1
    if (problem.status >= 500) {
      log.error('request failed', { method: req.method, path: req.originalUrl, error: errorMessage(error) })
    }
    sendProblem(res, problem)
  }
}

/** Ours say what to do instead; body-parser's ("request entity too large") gets its limit said. */
function tooLargeDetail(error: unknown): string {
  if (error instanceof HubError) return error.message
  const limit = (error as { limit?: unknown }).limit
  return typeof limit === 'number' ? `the request body is larger than this endpoint accepts (${limit} bytes)` : 'the request body is larger than this endpoint accepts'
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, {
    type: PROBLEM_TYPES.notFound,
    title: 'Ressource introuvable',
    status: 404,
    detail: `No resource at ${req.path}`,
    instance: req.originalUrl,
  })
}
