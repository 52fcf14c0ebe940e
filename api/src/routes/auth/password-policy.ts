import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { ApiError } from '../../errors';

/**
 * The lowest zxcvbn score accepted (0..4): 3 is "safely unguessable" (about 10^10 guesses), the
 * level the estimator's authors suggest for accounts that guard other people's messages too.
 */
export const MIN_PASSWORD_SCORE = 3;

/**
 * Built on first use: ranking the dictionaries (common passwords from breaches, English words,
 * names, Wikipedia) takes a moment and some memory that a process that never signs anyone up
 * does not need to pay.
 */
let estimator: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return estimator;
}

export interface PasswordStrength {
  score: number;
  /** Why it is weak, for people (empty when the estimator has nothing to say). */
  warning: string;
  suggestions: string[];
}

/** How guessable `password` is; `related` (the email, the name) counts as known to an attacker. */
export function passwordStrength(password: string, related: string[] = []): PasswordStrength {
  const result = zxcvbn().check(password, related);
  return {
    score: result.score,
    warning: result.feedback.warning ?? '',
    suggestions: result.feedback.suggestions,
  };
}

/**
 * Refuses a guessable password with `weak_password` (400) and the estimator's advice. The client
 * runs the same check for its meter; this one is the authority.
 */
export function assertStrongPassword(password: string, related: string[] = []): void {
  const strength = passwordStrength(password, related);
  if (strength.score >= MIN_PASSWORD_SCORE) return;
  const advice = [strength.warning, ...strength.suggestions].filter(Boolean).join(' ');
  throw new ApiError(
    400,
    'weak_password',
    `This password is too easy to guess${advice ? `: ${advice}` : '; add more uncommon words'}`,
  );
}

/** What of an account an attacker would try first: its email, the email's name part and words. */
export function accountWords(email: string, name = ''): string[] {
  const local = email.split('@')[0] ?? '';
  const words = [email, local, ...`${local} ${name}`.split(/[^\p{L}\p{N}]+/u)];
  return [...new Set(words.filter((word) => word.length > 1))];
}
