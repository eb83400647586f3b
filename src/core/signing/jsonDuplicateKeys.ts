/**
 * Duplicate object keys in a JSON text. JSON.parse keeps the last of two equal keys, so two
 * readers of one signed text could see different values; a text with a duplicate key is refused
 * before any signature over it is checked.
 */

// One token per match: a whole string (unrolled loop, linear time) or a structural character.
// Numbers, literals and whitespace are skipped by the engine between matches.
const TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|[{}[\],:]/g;

/**
 * The first key that occurs twice in one object of `text` (compared after unescaping), or
 * undefined. Meant for texts JSON.parse accepts; for other texts the answer means nothing.
 */
export function findDuplicateJsonKey(text: string): string | undefined {
  // Per open container: the keys seen so far, or null for an array.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    const token = match[0];
    switch (token) {
      case '{':
        stack.push(new Set());
        expectKey = true;
        break;
      case '[':
        stack.push(null);
        expectKey = false;
        break;
      case '}':
      case ']':
        stack.pop();
        expectKey = false;
        break;
      case ',':
        expectKey = stack.length > 0 && stack[stack.length - 1] !== null;
        break;
      case ':':
        expectKey = false;
        break;
      default: {
        if (!expectKey) break;
        const keys = stack[stack.length - 1];
        const key = token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1);
        if (keys?.has(key)) return key;
        keys?.add(key);
        expectKey = false;
      }
    }
  }
  return undefined;
}
