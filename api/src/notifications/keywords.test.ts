import { describe, expect, it } from 'vitest';
import { keywordMatcher } from './keywords';
import { audienceOf, decideNotification } from './rules';

const BOB = '00000000-0000-4000-8000-00000000000b';

describe('keywordMatcher', () => {
  it.each([
    ['deploy is done', 'deploy', true],
    ['DEPLOY is done', 'deploy', true],
    ['deploy is done', 'DePloY', true],
    ['Le déploiement est fini', 'deploiement', true],
    ['Le deploiement est fini', 'déploiement', true],
    ['Le de\u0301ploiement est fini', 'déploiement', true],
    ['ＤＥＰＬＯＹ now', 'deploy', true],
    ['deploy, then test.', 'deploy', true],
    ['(deploy)', 'deploy', true],
    ['"deploy"!', 'deploy', true],
    ['*deploy* now', 'deploy', true],
    ['_deploy_ now', 'deploy', true],
    ['~deploy~ now', 'deploy', true],
    ['`deploy` now', 'deploy', true],
    ['deploy\nnow', 'deploy', true],
    ['deployment tomorrow', 'deploy', false],
    ['redeploy tomorrow', 'deploy', false],
    ['deploy_script failed', 'deploy', false],
    ['deploy_script failed', 'deploy_script', true],
    ['deploy-script failed', 'deploy', true],
    ['the release train leaves', 'release train', true],
    ['the release   Train leaves', 'release train', true],
    ['the train release leaves', 'release train', false],
    ['see https://example.com/deploy for details', 'deploy', false],
    ['see https://deploy.example.com for details', 'deploy', false],
    ['see HTTP://example.com/deploy?x=1 and more', 'deploy', false],
    ['see https://example.com/x then deploy', 'deploy', true],
    ['<@00000000-0000-4000-8000-00000000000b> hi', '00000000', false],
    ['<@00000000-0000-4000-8000-00000000000b> hi', '4000', false],
    ['<!channel> hi', 'channel', false],
    ['<!here> hi', 'here', false],
    ['we are here', 'here', true],
    ['明日の会議は10時', '会議', true],
    ['明日の会議は10時', '会', true],
    ['anything', '', false],
    ['anything', '   ', false],
    ['a .*+? b', '.*+?', false],
    ['a (b) c', '(b)', true],
  ])('%j, keyword %j -> %s', (text, keyword, matches) => {
    expect(keywordMatcher(text)(keyword)).toBe(matches);
  });
});

describe('keywords against hostile text', () => {
  it('finds a keyword at the end of 10 KB of text, and none in 10 KB without it', () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(400);
    expect(filler.length).toBeGreaterThan(10_000);
    expect(keywordMatcher(`${filler} deploy`)('deploy')).toBe(true);
    expect(keywordMatcher(filler)('deploy')).toBe(false);
  });

  it('treats NUL and other control characters as separators', () => {
    expect(keywordMatcher('x\u0000deploy\u0000y')('deploy')).toBe(true);
    expect(keywordMatcher('deploy')('dep\u0000loy')).toBe(false);
    expect(keywordMatcher('dep\u0000loy')('deploy')).toBe(false);
  });

  it('survives 10 KB of one character, unbalanced markup and lone surrogates', () => {
    for (const text of [
      'a'.repeat(10_240),
      '<'.repeat(10_240),
      `<@${'a'.repeat(10_000)}`,
      '\ud800deploy\udc00',
      'https://'.repeat(1_300),
    ]) {
      const matches = keywordMatcher(text);
      expect(matches('deploy')).toBe(text === '\ud800deploy\udc00');
    }
  });

  it('a keyword in a mention does not notify, the same word in prose does', () => {
    const decide = (text: string) =>
      decideNotification(
        audienceOf({ authorId: 'x', text, channelKind: 'public', isReply: false, urgent: false }),
        {
          userId: BOB,
          preference: 'mentions',
          channelMuted: false,
          active: true,
          doNotDisturb: false,
          thread: 'none',
          keywords: ['here'],
        },
      );
    expect(decide('<!here> lunch').reason).toBe('here_mention');
    expect(decide('lunch is here').reason).toBe('keyword');
  });
});
