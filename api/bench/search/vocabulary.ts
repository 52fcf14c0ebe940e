/**
 * The benchmark's vocabulary: words ranked by frequency, drawn with a Zipf law (the k-th word has
 * weight 1/k^s), as in natural text. The top ranks are real English stop words and chat words, so
 * the common-word cases read like real queries; the long tail is made of pronounceable made-up
 * words, with a few accented ones in the middle ranks.
 */

/** The most frequent words of chat text; `to_tsvector` drops them (stop words). */
const STOP_WORDS = (
  'the to i and a is it for on we you that this in of be with have can are not just so at ' +
  'will do if but my me'
).split(' ');

/** Words a team writes every day, ranked right after the stop words. */
const CHAT_WORDS = (
  'meeting deploy review release report customer staging build test fix bug issue code ' +
  'today tomorrow please thanks update branch merge design server client error ticket sprint demo ' +
  'call draft budget launch question team database migration feature roadmap weekly notes ' +
  'invoice contract schedule incident outage latency metrics dashboard alert rollback ' +
  'hotfix version config pipeline docker cluster backup upload download password account ' +
  'payment pricing feedback survey interview onboarding holiday vacation lunch coffee ' +
  'office remote standup retro planning estimate deadline priority blocker approval sign ' +
  'legal privacy security audit compliance vendor partner marketing campaign newsletter ' +
  'website mobile android iphone browser cache memory disk network proxy certificate domain ' +
  'email calendar slides spreadsheet diagram prototype mockup wireframe figma spec ' +
  'benchmark profile trace logs query index'
).split(' ');

/** Accented words, placed in the middle ranks: `cafe` must find `café` (unaccent). */
const ACCENTED_WORDS = (
  'café résumé naïve jalapeño façade señor crème brûlée zürich méthode déjà piñata ' +
  'smörgåsbord fiancée coöperate über açaí entrée soirée tête'
).split(' ');

/** Sentences without spaces between words, matched by substring through the trigram index. */
export const CJK_SENTENCES = [
  '東京タワーの会議は明日です',
  'デプロイが完了しました',
  '我们明天开会讨论发布计划',
  '请查看最新的报告',
  '서버 점검은 내일 오전입니다',
  'タワーの写真を共有します',
];

const ONSETS = 'b br c ch d dr f g gr k l m n p pl r s sh st t tr v w z kl sp th j h'.split(' ');
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ei', 'oa'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 'k', 'm', 'x', 'nd', 'rt'];

export interface Vocabulary {
  /** By rank: `words[0]` is the most frequent. */
  words: string[];
  /** Draws a word index with probability proportional to 1/(index+1)^s. */
  sample(random: () => number): number;
}

/** `size` words with Zipf exponent `s`; deterministic for a given `random`. */
export function buildVocabulary(size: number, s: number, random: () => number): Vocabulary {
  const words: string[] = [...STOP_WORDS, ...CHAT_WORDS];
  const taken = new Set(words);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const accentedEvery = Math.max(1, Math.floor(size / 2 / ACCENTED_WORDS.length));
  let accented = 0;
  while (words.length < size) {
    // Accented words spread over the upper half of the ranks (ranks ~1,000 to ~25,000 at 50k).
    if (
      words.length >= 1000 &&
      words.length % accentedEvery === 0 &&
      accented < ACCENTED_WORDS.length
    ) {
      words.push(ACCENTED_WORDS[accented++] as string);
      continue;
    }
    const syllables = 2 + Math.floor(random() * 3);
    let word = '';
    for (let index = 0; index < syllables; index++) word += pick(ONSETS) + pick(VOWELS);
    word += pick(CODAS);
    if (taken.has(word)) continue;
    taken.add(word);
    words.push(word);
  }
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let rank = 0; rank < size; rank++) {
    total += 1 / (rank + 1) ** s;
    cumulative[rank] = total;
  }
  return {
    words,
    sample(draw) {
      const target = draw() * total;
      let low = 0;
      let high = size - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((cumulative[middle] as number) < target) low = middle + 1;
        else high = middle;
      }
      return low;
    },
  };
}
