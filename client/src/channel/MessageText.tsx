import { useState } from 'react';
import { type MarkupContext, renderMarkup } from './markup';

/** Past either, a message shows its first lines and "Show more": one paste cannot fill a screen. */
const LONG_CHARACTERS = 1_200;
const LONG_LINES = 12;

export const isLongText = (text: string) =>
  text.length > LONG_CHARACTERS || text.split('\n', LONG_LINES + 1).length > LONG_LINES;

/**
 * A message's text with its markup rendered, a very long one collapsed behind "Show more"
 * (decided from the text, not measured, so a row's height is known at its first render).
 */
export function MessageText({ text, context }: { text: string; context: MarkupContext }) {
  const [expanded, setExpanded] = useState(false);
  const long = isLongText(text);
  return (
    <>
      <span className={long && !expanded ? 'text collapsed' : 'text'}>
        {renderMarkup(text, context)}
      </span>
      {long && (
        <button
          type="button"
          className="show-more"
          aria-expanded={expanded}
          onClick={() => setExpanded(!expanded)}
        >
          {expanded ? 'Show less' : 'Show more'}
        </button>
      )}
    </>
  );
}
