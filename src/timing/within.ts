/**
 * `within(work, ms, fallback)`: the result of `work`, or `fallback` if it has not settled after
 * `ms`. The timer is always cleared, so nothing is kept alive after the race. A rejection of
 * `work` is passed on; callers that must not throw map it first (`.then(() => true, () => false)`).
 * Used wherever a wait on Redis or on pending sends must be bounded.
 */
export const within = async <T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<F>(resolve => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
};
