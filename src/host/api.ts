/** The object `activate()` returns: the public API other extensions use to report AI edits. */
export class VouchApi {
  readonly apiVersion = 1;
}
