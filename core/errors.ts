/**
 * The few typed errors the product raises. The API maps them to problem+json in one place
 * (api/problem.ts); the CLI prints them on one line. Their messages are written for the user
 * who will read them: no SQL, no stack.
 */
export class HubError extends Error {
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** A request or an input that cannot be served as given (HTTP 400). */
export class InvalidInputError extends HubError {
  constructor(message: string, readonly parameter?: string) {
    super(message)
  }
}

/** The thing asked for does not exist, or is outside the caller's scope (HTTP 404). */
export class NotFoundError extends HubError {}

/** The request contradicts what exists (HTTP 409): an id or a network identity already taken. */
export class ConflictError extends HubError {}

/** The caller may not do this (HTTP 401 without valid credentials, 403 when the action is disabled). */
export class AuthError extends HubError {
  constructor(
    message: string,
    readonly status: 401 | 403,
  ) {
    super(message)
  }
}

/** The caller sent too many requests, or too many failed credentials (HTTP 429 with Retry-After). */
export class RateLimitError extends HubError {
  constructor(
    message: string,
    /** Whole seconds until a request would be accepted again. */
    readonly retryAfterSeconds: number,
  ) {
    super(message)
  }
}

/** The hub cannot start or run as configured: printed on one line, exit status non-zero. */
export class StartupError extends HubError {}
