// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api } from '../api/api';
import { rememberSearch } from './recent';
import { SearchBox } from './SearchBox';

afterEach(cleanup);
beforeEach(() => localStorage.clear());

const user = { id: 'u1', email: 'bob@example.com', name: 'Bob' };

/** An API whose suggest route answers what `answer` gives for the prefix, when it resolves. */
function fakeApi(answer: (prefix: string) => Promise<string[]>) {
  const api = new Api();
  const asked: string[] = [];
  api.request = (async (_route: string, args: { query: { prefix: string } }) => {
    asked.push(args.query.prefix);
    const labels = await answer(args.query.prefix);
    return {
      suggestions: labels.map((label) => ({
        kind: 'channel',
        id: `id-${label}`,
        value: `#${label}`,
        label: `# ${label}`,
      })),
    };
  }) as unknown as Api['request'];
  return { api, asked };
}

function renderBox(api: Api, onSearch = vi.fn(), onClose = vi.fn()) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <SearchBox
        api={api}
        user={user}
        workspaceId="w1"
        onSearch={onSearch}
        onClose={onClose}
        recentVersion={0}
      />
    </QueryClientProvider>,
  );
  const box = screen.getByRole('combobox', { name: 'Search' }) as HTMLInputElement;
  const type = (text: string) =>
    fireEvent.change(box, { target: { value: text, selectionStart: text.length } });
  const key = (name: string) => fireEvent.keyDown(box, { key: name });
  return { box, type, key, onSearch, onClose };
}

const optionTexts = () => screen.queryAllByRole('option').map((option) => option.textContent);

describe('SearchBox', () => {
  it('suggests operators, moves with the arrows and completes with Enter', () => {
    const { box, type, key } = renderBox(fakeApi(async () => []).api);
    fireEvent.focus(box);
    type('report h');
    expect(optionTexts()).toEqual([
      'has:file with a file',
      'has:link with a link',
      'has:reaction with a reaction',
    ]);
    expect(box.getAttribute('aria-expanded')).toBe('true');
    // Nothing is chosen until one moves: Enter would search.
    expect(box.getAttribute('aria-activedescendant')).toBeNull();
    key('ArrowDown');
    key('ArrowDown');
    expect(box.getAttribute('aria-activedescendant')).toBe('search-options-1');
    key('Enter');
    expect(box.value).toBe('report has:link ');
  });

  it('searches with Enter, and Esc closes the list first and then the search', () => {
    const { box, type, key, onSearch, onClose } = renderBox(fakeApi(async () => []).api);
    fireEvent.focus(box);
    type('i');
    key('Escape');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(onClose).not.toHaveBeenCalled();
    key('Escape');
    expect(onClose).toHaveBeenCalledOnce();
    type('  quarterly report  ');
    key('Enter');
    expect(onSearch).toHaveBeenCalledWith('quarterly report');
  });

  it('asks for channels after in:# once typing pauses, and drops a slower answer for an older prefix', async () => {
    let releaseG: (labels: string[]) => void = () => {};
    const { api, asked } = fakeApi((prefix) =>
      prefix === 'g'
        ? new Promise((resolve) => {
            releaseG = resolve;
          })
        : Promise.resolve(['general', 'gecko']),
    );
    const { box, type, key } = renderBox(api);
    fireEvent.focus(box);
    type('in:#g');
    await waitFor(() => expect(asked).toEqual(['g']));
    type('in:#ge');
    await waitFor(() => expect(optionTexts()).toEqual(['# general #general', '# gecko #gecko']));
    await act(async () => releaseG(['games']));
    expect(optionTexts()).toEqual(['# general #general', '# gecko #gecko']);
    // The first name is taken with Tab without moving to it.
    key('Tab');
    expect(box.value).toBe('in:#general ');
  });

  it('lists recent searches while empty, runs one when chosen, and clears them', () => {
    rememberSearch(user.id, 'budget');
    rememberSearch(user.id, 'report from:@ada');
    const { box, onSearch } = renderBox(fakeApi(async () => []).api);
    fireEvent.focus(box);
    expect(optionTexts()).toEqual(['report from:@ada recent', 'budget recent']);
    fireEvent.mouseDown(screen.getAllByRole('option')[1] as HTMLElement);
    expect(onSearch).toHaveBeenCalledWith('budget');
    fireEvent.change(box, { target: { value: '', selectionStart: 0 } });
    fireEvent.mouseDown(screen.getByRole('button', { name: 'Clear recent searches' }));
    expect(screen.queryAllByRole('option')).toEqual([]);
    expect(localStorage.length).toBe(0);
  });

  it('is focused by / outside a text field and by Ctrl+F, not by / while typing elsewhere', () => {
    const { box } = renderBox(fakeApi(async () => []).api);
    const other = document.createElement('textarea');
    document.body.append(other);
    other.focus();
    fireEvent.keyDown(other, { key: '/' });
    expect(document.activeElement).toBe(other);
    fireEvent.keyDown(other, { key: 'f', ctrlKey: true });
    expect(document.activeElement).toBe(box);
    box.blur();
    fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(box);
    other.remove();
  });
});
