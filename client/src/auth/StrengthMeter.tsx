import type { Strength } from './password-strength';

/** The lowest score the server accepts (api password-policy.ts MIN_PASSWORD_SCORE). */
export const MIN_SCORE = 3;
const WORDS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];

/** A bar and a word for a password's strength, with the estimator's advice while it is weak. */
export function StrengthMeter({ strength }: { strength: Strength | null }) {
  if (!strength) return null;
  const weak = strength.score < MIN_SCORE;
  return (
    <div className={`strength ${weak ? 'weak' : 'ok'}`}>
      <meter
        aria-label="Strength"
        min={0}
        max={4}
        low={2}
        high={3}
        optimum={4}
        value={strength.score}
      />
      <span aria-live="polite">
        {WORDS[strength.score]}
        {weak && `: ${strength.advice || 'add more uncommon words.'}`}
      </span>
    </div>
  );
}
