/**
 * Remembers a pure string function's answers, forgetting them all once `max` are held: for
 * costly work on values that repeat a lot but have few distinct forms per store (gateway names,
 * landing pages). Bounded so a stream of unique values cannot grow it without end.
 */
export function boundedMemo<R>(fn: (key: string) => R, max = 2000): (key: string) => R {
  const seen = new Map<string, R>();
  return (key) => {
    if (seen.has(key)) return seen.get(key) as R;
    if (seen.size >= max) seen.clear();
    const value = fn(key);
    seen.set(key, value);
    return value;
  };
}
