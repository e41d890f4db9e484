import { OrchestrationError, type Router } from '@baton/core';

/**
 * Gives a router the name a `GraphSpec` records and `graphFromSpec` looks it up by. A router
 * declared as a named function (`function byLabel(...)`, `const byLabel = (...) => ...`) already
 * has one; an inline arrow function has none, and `toSpec` fails for it. Throws for a name that
 * is not a non-empty string or a router that is not a function (a programming error).
 *
 * @example
 * builder.route('classify', namedRouter('by-label', (label: string) => label), ['spam', 'ham']);
 */
export function namedRouter<T>(name: string, route: Router<T>): Router<T> {
  if (typeof name !== 'string' || name.trim() === '' || typeof route !== 'function') {
    throw new OrchestrationError(
      'invalid_config',
      'namedRouter(name, route): name must be a non-empty string and route a function',
      { op: 'namedRouter' },
    );
  }
  const named: Router<T> = (output) => route(output);
  Object.defineProperty(named, 'name', { value: name });
  return named;
}
