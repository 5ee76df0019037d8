/** Stable error codes of the API (CONTRACTS.md "Errors"); clients switch on these, so never rename one. */
export const errorStatus = {
  validation_failed: 400,
  bad_request: 400,
  authentication_required: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  duplicate: 409,
  rule_violation: 422,
  rate_limited: 429,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

/** Thrown by services; the one HTTP error handler maps `code` to a status and the error shape. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return errorStatus[this.code];
  }
}

/** 404 for both "does not exist" and "not yours", so a caller cannot probe for records out of scope. */
export function notFound(entity: string): DomainError {
  return new DomainError('not_found', `${entity}不存在或无权访问`);
}

export function forbidden(message = '无权执行此操作'): DomainError {
  return new DomainError('forbidden', message);
}
