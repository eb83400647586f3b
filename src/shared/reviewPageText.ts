/**
 * Every text the review panel's page shows, in English, with `{0}`, `{1}` placeholders. The page
 * has no access to vscode.l10n: the host translates each message (vscode.l10n.t, through
 * `translatePageMessages`) and sends them in a 'strings' message before the first state; the page
 * validates them (parseMessageFromHost) and fills the placeholders itself. Until then, and in tests,
 * it shows the English. scripts/l10n.mjs collects this list into l10n/bundle.l10n.json.
 */
export const REVIEW_PAGE_MESSAGES = [
  // The HTML shell (rendered by the host before the script runs).
  'Review AI changes',
  // Header, live regions and undo.
  'Loading AI blocks to review…',
  'No AI code waits for review.',
  '{0} AI block in {1} file waits for review.',
  '{0} AI blocks in {1} file wait for review.',
  '{0} AI blocks in {1} files wait for review.',
  'Reviews are recorded as {0} <{1}>.',
  'Git has no user.name and user.email for this repository; set them to record reviews.',
  'Your reviews will be signed with {0}.',
  'Reviews will not be signed: {0}',
  'Ctrl+Enter accepts the block you are in. Alt+Down and Alt+Up (or J and K) move between blocks.',
  'Refresh',
  'Working…',
  'Accepting {0}…',
  'Rejecting {0}…',
  '{0} blocks',
  'Undoing the accept…',
  'Undo accept',
  'Undo: {0}',
  // Group review and files.
  'Review {0} selected block together',
  'Review {0} selected blocks together',
  'Clear selection',
  'the {0} selected blocks',
  'Accept all in this file…',
  'Review all {0} AI blocks of {1} together, with one intent',
  'AI blocks in {0}',
  '{0} ({1} block)',
  '{0} ({1} blocks)',
  // A block.
  'Line {0}',
  'Lines {0}–{1}',
  'line {0}',
  'lines {0}–{1}',
  '{0} of {1}',
  'Select for group review',
  'About this block',
  'From {0}',
  'unknown origin',
  'just now',
  '{0} minute ago',
  '{0} minutes ago',
  '{0} hour ago',
  '{0} hours ago',
  '{0} day ago',
  '{0} days ago',
  'written {0}',
  'written {0} to {1}',
  'unchanged by a person',
  'under 1% changed by a person',
  '{0}% changed by a person',
  'No risk hints found.',
  'Rejected before, but the text is back',
  'Accepted before, but the text changed since',
  'Risk hints',
  'Line {0}: {1}',
  'AI code, {0}',
  'AI code, {0}, replacing {1} line of the last commit',
  'AI code, {0}, replacing {1} lines of the last commit',
  'Open',
  'Open {0} in the editor',
  'Reject whole lines',
  'Reject and remove {0} whole, with the text a person typed on them',
  // The decision form.
  'Intent: what is this code for? (required to accept; Ctrl+Enter accepts)',
  'Intent: what is this code for? (Ctrl+Enter accepts)',
  'Scope: what this code may touch',
  'Scope:',
  'Files',
  'Network',
  'Secrets',
  'Processes',
  'Data',
  'None',
  'files',
  'network',
  'secrets',
  'processes',
  'data',
  'none',
  '{0} (suggested by risk hints)',
  'Scope details (optional)',
  'details (optional)',
  'The risk hints suggest this code touches: {0}.',
  'Accept',
  'Accept {0}',
  'Reject',
  'Reject and remove the AI text of {0}',
  'Write the intent: what is this code for?',
  'The intent is too long (at most {0} characters).',
  'The scope note is too long (at most {0} characters).',
  '"None" cannot be combined with other scope choices.',
  'Choose what this code may touch (or "none") before accepting.',
] as const;

export type ReviewPageMessage = (typeof REVIEW_PAGE_MESSAGES)[number];

/** Each page message in the user's language (the English message is the key). */
export type ReviewPageStrings = Readonly<Record<ReviewPageMessage, string>>;

/** The page's messages through a translator: the host passes vscode.l10n.t (placeholders stay for the page to fill). */
export function translatePageMessages(translate: (message: string) => string): ReviewPageStrings {
  return Object.fromEntries(REVIEW_PAGE_MESSAGES.map((message) => [message, translate(message)])) as Record<ReviewPageMessage, string>;
}

/** The `{n}` placeholders of a message, sorted and unique: a translation may use only its English's. */
export function placeholdersOf(message: string): number[] {
  return [...new Set([...message.matchAll(/\{(\d+)\}/g)].map((match) => Number(match[1])))].sort((a, b) => a - b);
}
