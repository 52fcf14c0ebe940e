/**
 * Focuses the composer of the channel titled `title` once it is on screen (a channel opened a
 * moment ago renders its composer after its doc opens), giving up after `timeoutMs`. Found by
 * its accessible name, which the composer already has, so nothing in the composer changes.
 */
export function focusComposerOf(title: string, timeoutMs = 5_000): void {
  const deadline = performance.now() + timeoutMs;
  const attempt = () => {
    const composer = [...document.querySelectorAll<HTMLTextAreaElement>('.channel textarea')].find(
      (each) => each.getAttribute('aria-label') === `Message ${title}`,
    );
    if (composer && !composer.disabled) composer.focus();
    else if (performance.now() < deadline) requestAnimationFrame(attempt);
  };
  requestAnimationFrame(attempt);
}
