import { describe, expect, it } from 'vitest';
import { redactUrl, scrubSecrets, secretsOf } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['redis://user:secret@host:6379/0', 'redis://user:***@host:6379/0'],
    ['redis://:secret@host:6379', 'redis://:***@host:6379'],
    ['rediss://host:6380', 'rediss://host:6380'],
    ['redis://u:se%40cret@host', 'redis://u:***@host'],
    ['not a url://u:secret@', 'not a url://u:***@'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('finds the password as written and decoded, and scrubs both', () => {
    const secrets = secretsOf('redis://u:se%40cret@host');
    expect(secrets).toEqual(['se%40cret', 'se@cret']);
    expect(scrubSecrets('auth se@cret failed for se%40cret', secrets)).toBe(
      'auth *** failed for ***',
    );
    expect(secretsOf('redis://host')).toEqual([]);
  });
});
