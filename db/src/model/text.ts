/**
 * What text Confab stores, shared by the validator, the writers, the projection and the API.
 * Postgres cannot hold U+0000 in `text`, other control characters only garble what people see,
 * and a lone UTF-16 surrogate is no character at all (UTF-8 encoders turn it into U+FFFD, so
 * the stored text would differ from the doc's). Tab, line feed and carriage return stay: people
 * write multi-line messages and paste CRLF text.
 */

/** C0 and C1 control characters (U+0000-001F, U+007F-009F) other than \t \n \r. */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;
const CONTROLS = /(?![\t\n\r])\p{Cc}/gu;
/** With the `u` flag a surrogate pair is one code point, so `\p{Cs}` matches lone halves only. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;
/** Any control character, \t \n \r included: names and titles are one line. */
const ANY_CONTROL = /\p{Cc}/u;

/** Why `text` is refused, or null when it may be stored as it is. */
export function textProblem(text: string): string | null {
  if (CONTROL.test(text)) return 'holds a control character (NUL, escape, …)';
  if (LONE_SURROGATE.test(text)) return 'holds a lone UTF-16 surrogate';
  return null;
}

export const isCleanText = (text: string) => textProblem(text) === null;

/**
 * The closest text that `textProblem` accepts: control characters (but \t \n \r) dropped, lone
 * surrogates replaced by U+FFFD. Clean text comes back unchanged.
 */
export function normalizeText(text: string): string {
  if (isCleanText(text)) return text;
  return text.replace(CONTROLS, '').replace(LONE_SURROGATES, '\uFFFD');
}

/** Clean text on one line (a name, a title): no tab or line break either. */
export const isCleanLine = (text: string) => !ANY_CONTROL.test(text) && isCleanText(text);
