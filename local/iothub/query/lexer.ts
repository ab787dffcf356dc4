// Splits IoT Hub query text into tokens. Strings use single (or double)
// quotes with the quote doubled to escape it, like IoT Hub's SQL dialect.
import { QuerySyntaxError } from './ast';

export type Token =
  | { readonly type: 'ident'; readonly text: string; readonly pos: number }
  | { readonly type: 'bracketed'; readonly text: string; readonly pos: number } // [[configuration id]]
  | { readonly type: 'string'; readonly text: string; readonly pos: number }
  | { readonly type: 'number'; readonly value: number; readonly pos: number }
  | { readonly type: 'punct'; readonly text: string; readonly pos: number }
  | { readonly type: 'end'; readonly pos: number };

const PUNCT = ['<=', '>=', '!=', '<>', '=', '<', '>', '(', ')', '[', ']', ',', '.', '*'];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      const start = i++;
      let value = '';
      for (;;) {
        if (i >= text.length) throw new QuerySyntaxError('Unterminated string', start);
        if (text[i] === c) {
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ type: 'string', text: value, pos: start });
    } else if (text.startsWith('[[', i)) {
      const end = text.indexOf(']]', i + 2);
      if (end < 0) throw new QuerySyntaxError("Missing ']]'", i);
      tokens.push({ type: 'bracketed', text: text.slice(i + 2, end), pos: i });
      i = end + 2;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ type: 'number', value: Number(match[0]), pos: i });
      i += match[0].length;
    } else if (/[A-Za-z_$@#]/.test(c)) {
      const match = /^[A-Za-z_$@#][A-Za-z0-9_$@#-]*/.exec(text.slice(i))!;
      tokens.push({ type: 'ident', text: match[0], pos: i });
      i += match[0].length;
    } else {
      const p = PUNCT.find((candidate) => text.startsWith(candidate, i));
      if (!p) throw new QuerySyntaxError(`Unexpected character '${c}'`, i);
      tokens.push({ type: 'punct', text: p === '<>' ? '!=' : p, pos: i });
      i += p.length;
    }
  }
  tokens.push({ type: 'end', pos: text.length });
  return tokens;
}
