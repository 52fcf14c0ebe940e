/**
 * Keyword matching for notifications: whole words, ignoring case and accents, on what a reader
 * sees as words. Mentions (`<@id>`, `<!channel>`) and links are removed first, so a keyword that
 * happens to be part of a user id, a domain or a path never fires.
 */

const MENTION = /<[@!][^<>\s]{0,64}>/g;
/** Links as the client renders them (http and https), up to the next space or `<`. */
const LINK = /https?:\/\/[^\s<>]*/gi;
/** `_italic_` markers at word edges; an underscore inside a word (snake_case) stays part of it. */
const EDGE_UNDERSCORE = /(?<![\p{L}\p{N}\p{M}])_|_(?![\p{L}\p{N}\p{M}])/gu;
/** A word: letters, digits and inner underscores, after folding (which drops the marks). */
const WORD = /[\p{L}\p{N}_]+/gu;
/** Scripts written without spaces between words: a keyword in them matches as a substring. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** Lower case without accents: "Déjà" and "DEJA" fold alike; compatibility forms too (ﬁ -> fi). */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The folded words of a text, one space between them and one at each end: " a b c ". */
function wordLine(text: string): string {
  const words = fold(text).replace(EDGE_UNDERSCORE, ' ').match(WORD);
  return words ? ` ${words.join(' ')} ` : ' ';
}

/** The message text without markup that is not prose: mentions and links. */
function proseOf(text: string): string {
  return text.replace(MENTION, ' ').replace(LINK, ' ');
}

/**
 * A matcher for one message's text, built once and asked for each recipient's keywords. A keyword
 * of several words matches them in order, adjacent ("release train"); one with no word in it
 * (only punctuation or spaces) never matches.
 */
export function keywordMatcher(text: string): (keyword: string) => boolean {
  const line = wordLine(proseOf(text));
  let folded: string | null = null;
  return (keyword) => {
    const wanted = wordLine(keyword);
    if (wanted === ' ') return false;
    if (!UNSPACED.test(keyword)) return line.includes(wanted);
    folded ??= line.replaceAll(' ', '');
    return folded.includes(wanted.replaceAll(' ', ''));
  };
}
