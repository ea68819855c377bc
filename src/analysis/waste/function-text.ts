/**
 * The text of the function whose parameter list or name starts at (line, column) of `source` (0-based, where V8
 * puts a function's start), through its closing brace; null when the source is cut short before the function
 * ends or the body cannot be delimited (an arrow function without braces). Strings, template literals and
 * comments are skipped when matching braces; regular expression literals are not recognised (a brace inside
 * one can make the function read longer, never shorter than it is, or null).
 */
export function functionText(source: string, line: number, column: number): string | null {
  let at = 0;
  for (let l = 0; l < line; l++) {
    at = source.indexOf('\n', at);
    if (at < 0) return null;
    at++;
  }
  const start = at + column;
  if (start >= source.length) return null;
  // the body: the first `{` at depth 0 after the parameters (an arrow's `=>` then something else: no braces)
  let depth = 0;
  let i = start;
  for (; i < source.length; i++) {
    const c = source[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '{' && depth === 0) break;
    else if (c === '=' && source[i + 1] === '>' && depth === 0) {
      let k = i + 2;
      while (k < source.length && /\s/.test(source[k])) k++;
      if (source[k] !== '{') return null;
      i = k;
      break;
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipQuoted(source, i);
      if (i < 0) return null;
    }
  }
  if (i >= source.length) return null;
  const end = matchBrace(source, i);
  return end < 0 ? null : source.slice(start, end + 1);
}

/** Whether `name` appears in the text as a whole identifier (not as part of a longer one). */
export function mentions(text: string, name: string): boolean {
  const word = /[\p{ID_Continue}$]/u;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = at > 0 ? text[at - 1] : '';
    const after = text[at + name.length] ?? '';
    if (!word.test(before) && !word.test(after)) return true;
  }
  return false;
}

/** Index of the `}` closing the `{` at `open`, or -1 when the text ends first. */
function matchBrace(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '{') depth++;
    else if (c === '}') {
      if (--depth === 0) return i;
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipQuoted(source, i);
      if (i < 0) return -1;
    } else if (c === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i);
      if (i < 0) return -1;
    } else if (c === '/' && source[i + 1] === '*') {
      i = source.indexOf('*/', i + 2);
      if (i < 0) return -1;
      i++;
    }
  }
  return -1;
}

/** Index of the quote closing the string or template literal opened at `at`, or -1 (`${…}` is read as text). */
function skipQuoted(source: string, at: number): number {
  const quote = source[at];
  for (let i = at + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i;
  }
  return -1;
}
