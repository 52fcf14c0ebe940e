import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/**
 * The same estimator and dictionaries as the server's policy (api password-policy.ts), loaded
 * only through a dynamic import when a new-password field gets focus: the dictionaries are
 * several hundred KB and the sign-in screen must stay within the initial JS budget.
 */
const estimator = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
});

export interface Strength {
  /** 0 (guessable in a few tries) .. 4 (very unguessable); the server refuses below 3. */
  score: number;
  advice: string;
}

export function strengthOf(password: string, related: string[]): Strength {
  const result = estimator.check(password, related);
  return {
    score: result.score,
    advice: [result.feedback.warning ?? '', ...result.feedback.suggestions]
      .filter(Boolean)
      .join(' '),
  };
}
