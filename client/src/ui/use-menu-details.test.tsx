// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useMenuDetails } from './use-menu-details';

function Menu() {
  const menu = useMenuDetails();
  return (
    <>
      <details ref={menu} open>
        <summary>Menu</summary>
        <button type="button">Inside</button>
      </details>
      <button type="button">Outside</button>
    </>
  );
}

describe('a details menu', () => {
  afterEach(cleanup);
  const details = () => screen.getByText('Menu').closest('details') as HTMLDetailsElement;

  it('stays open on a press inside and closes on a press outside', () => {
    render(<Menu />);
    fireEvent.pointerDown(screen.getByText('Inside'));
    expect(details().open).toBe(true);
    fireEvent.pointerDown(screen.getByText('Outside'));
    expect(details().open).toBe(false);
  });

  it('closes on Escape and gives the focus back to its summary', () => {
    render(<Menu />);
    fireEvent.keyDown(document, { key: 'Enter' });
    expect(details().open).toBe(true);
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(details().open).toBe(false);
    expect(document.activeElement?.textContent).toBe('Menu');
  });
});
