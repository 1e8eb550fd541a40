// What a grep pattern matches, decided in JavaScript so that every text store answers the same: the
// SQLite store's FTS5 query (a phrase of unicode61 tokens, the last one a prefix after `*`) and its
// substring check (SQLite's lower() folds ASCII only), restated here for stores that can only
// pre-filter (PostgreSQL's trigram index finds lines containing the substring; this decides).
import { parsePattern } from './text-index.js';

// unicode61 (remove_diacritics 0) token characters, as measured against SQLite's FTS5: ASCII letters
// and digits; beyond ASCII, letters, numbers, non-spacing marks and private-use characters (the
// last are token characters but dropped from the token). Everything else separates tokens.
const ASCII_TOKEN = /[A-Za-z0-9]/;
const WIDE_TOKEN = /[\p{L}\p{N}\p{Mn}\p{Co}]/u;
const PRIVATE_USE = /\p{Co}/u;

/** A character as unicode61 folds it: one code point to its lower case when that is one code point. */
function fold(ch: string): string {
  if (ch.length === 1 && ch.charCodeAt(0) < 0x80) return ch.toLowerCase();
  if (PRIVATE_USE.test(ch)) return '';
  const lower = ch.toLowerCase();
  return [...lower].length === 1 ? lower : ch;
}

/** The tokens FTS5's unicode61 tokenizer makes of `text`. */
export function unicode61Tokens(text: string): string[] {
  const tokens: string[] = [];
  let token: string | null = null;
  for (const ch of text) {
    const isToken = ch.length === 1 && ch.charCodeAt(0) < 0x80 ? ASCII_TOKEN.test(ch) : WIDE_TOKEN.test(ch);
    if (isToken) {
      token = (token ?? '') + fold(ch);
    } else if (token !== null) {
      tokens.push(token);
      token = null;
    }
  }
  if (token !== null) tokens.push(token);
  return tokens;
}

/** SQLite's lower(): ASCII letters only. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

export interface LineMatcher {
  /** Lower-case text every matching line contains (a store's pre-filter). */
  substring: string;
  matches(line: string): boolean;
}

/** The matcher of a grep pattern (BAD_PARAMETER when it has no words). */
export function lineMatcher(pattern: string): LineMatcher {
  const { match, substring } = parsePattern(pattern);
  const prefix = match.endsWith('*');
  // The FTS5 phrase is the pattern's words, tokenized again by unicode61 inside the quotes.
  const phrase = unicode61Tokens(match.slice(1, prefix ? -2 : -1).replace(/""/g, '"'));
  const hasPhrase = (line: string): boolean => {
    const tokens = unicode61Tokens(line);
    const n = phrase.length;
    for (let i = 0; i + n <= tokens.length; i++) {
      let j = 0;
      while (j < n - 1 && tokens[i + j] === phrase[j]) j++;
      if (j === n - 1 && (prefix ? tokens[i + j]!.startsWith(phrase[j]!) : tokens[i + j] === phrase[j])) return true;
    }
    return false;
  };
  return {
    substring,
    matches: (line) => asciiLower(line).includes(substring) && phrase.length > 0 && hasPhrase(line),
  };
}
