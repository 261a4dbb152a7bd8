/** A run-time problem with one field of a playbook; the message starts with the field's path. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`)
    this.name = 'FieldError'
  }
}
