import { describe, expect, it } from 'vitest';
import { basicProblems, MAX_LINKS, MAX_VARIABLE_VALUES, MAX_VARIABLES_BYTES } from '../../src/deployments/deployment.input.rules.js';
import { MAX_BUNDLES } from '../../src/deployments/deployment.plan.js';

type Input = Parameters<typeof basicProblems>[0];
const valid = (over: Partial<Input> = {}): Input => ({
  name: 'chat-app',
  description: 'An LLM chat app',
  links: [{ title: 'Docs', url: 'https://docs.example.com/chat' }],
  bundleIds: ['a', 'b'],
  variables: { model: 'mistral-7b' },
  ...over,
});
const problems = (over: Partial<Input>) => basicProblems(valid(over)).map((e) => [e.code, (e.field ?? []).join('.')]);

describe('basicProblems', () => {
  it('should accept a valid input, with or without the optional fields', () => {
    expect(basicProblems(valid())).toEqual([]);
    expect(basicProblems({ name: 'abc', bundleIds: ['x'] })).toEqual([]);
    expect(basicProblems(valid({ description: null, links: null, variables: null }))).toEqual([]);
    expect(basicProblems(valid({ name: 'a'.repeat(33), description: 'x'.repeat(2048), links: Array.from({ length: MAX_LINKS }, (_, i) => ({ title: `t${i}`, url: `http://h${i}.example.com` })) }))).toEqual([]);
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(34)],
    ['upper case', 'Chat-app'],
    ['starting with a digit', '1chat'],
    ['starting with a dash', '-chat'],
    ['ending with a dash', 'chat-'],
    ['with an underscore', 'chat_app'],
    ['with a dot', 'chat.app'],
    ['empty', ''],
  ])('should refuse a name %s', (_what, name) => {
    expect(problems({ name })).toEqual([['INVALID_NAME', 'name']]);
  });

  it.each([
    ['too long', 'x'.repeat(2049)],
    ['with a control character', 'bad\u0007bell'],
  ])('should refuse a description %s', (_what, description) => {
    expect(problems({ description })).toEqual([['INVALID_INPUT', 'description']]);
  });

  it('should refuse more than the maximum of links', () => {
    const links = Array.from({ length: MAX_LINKS + 1 }, (_, i) => ({ title: `t${i}`, url: 'https://example.com' }));
    expect(problems({ links })).toEqual([['INVALID_INPUT', 'links']]);
  });

  it.each([
    ['an empty title', { title: '', url: 'https://example.com' }, 'links.0.title'],
    ['a blank title', { title: '   ', url: 'https://example.com' }, 'links.0.title'],
    ['a title over 100 characters', { title: 't'.repeat(101), url: 'https://example.com' }, 'links.0.title'],
    ['a relative url', { title: 'Docs', url: '/docs' }, 'links.0.url'],
    ['an ftp url', { title: 'Docs', url: 'ftp://example.com/x' }, 'links.0.url'],
    ['a javascript url', { title: 'Docs', url: 'javascript:alert(1)' }, 'links.0.url'],
    ['a url over 2048 characters', { title: 'Docs', url: `https://example.com/${'p'.repeat(2048)}` }, 'links.0.url'],
    ['not a url', { title: 'Docs', url: 'not a url' }, 'links.0.url'],
  ])('should refuse a link with %s', (_what, link, field) => {
    expect(problems({ links: [link] })).toEqual([['INVALID_INPUT', field]]);
  });

  it('should point at the index of the bad link', () => {
    expect(problems({ links: [{ title: 'ok', url: 'https://ok.example.com' }, { title: 'bad', url: 'mailto:x@y' }] })).toEqual([['INVALID_INPUT', 'links.1.url']]);
  });

  it.each([
    ['no bundles', []],
    ['too many bundles', Array.from({ length: MAX_BUNDLES + 1 }, (_, i) => `b${i}`)],
    ['a bundle twice', ['a', 'b', 'a']],
  ])('should refuse %s', (_what, bundleIds) => {
    expect(problems({ bundleIds })).toEqual([['INVALID_INPUT', 'bundleIds']]);
  });

  it('should refuse too many variable values', () => {
    const variables = Object.fromEntries(Array.from({ length: MAX_VARIABLE_VALUES + 1 }, (_, i) => [`v${i}`, i]));
    expect(problems({ variables })).toEqual([['INVALID_INPUT', 'variables']]);
  });

  it('should refuse variable values over the size limit', () => {
    expect(problems({ variables: { big: 'x'.repeat(MAX_VARIABLES_BYTES) } })).toEqual([['INVALID_INPUT', 'variables']]);
    expect(problems({ variables: { big: 'x'.repeat(MAX_VARIABLES_BYTES - 20) } })).toEqual([]);
  });

  it('should report every problem at once', () => {
    const got = problems({ name: 'X', description: 'x'.repeat(3000), links: [{ title: '', url: 'nope' }], bundleIds: [] });
    expect(got).toEqual([
      ['INVALID_NAME', 'name'],
      ['INVALID_INPUT', 'description'],
      ['INVALID_INPUT', 'links.0.title'],
      ['INVALID_INPUT', 'links.0.url'],
      ['INVALID_INPUT', 'bundleIds'],
    ]);
  });
});
