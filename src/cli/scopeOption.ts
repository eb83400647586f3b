/** The tags of a `--scope` value ("network, Files"): trimmed, in lower case, empty ones left out; not yet checked against SCOPE_TAGS. */
export function scopeOptionTags(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((tag) => tag.trim().toLowerCase())
    .filter((tag) => tag.length > 0);
}
