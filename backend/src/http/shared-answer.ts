// Answers that anyone may read (the public figures) are shared for a few seconds: a thousand visitors
// then cost one read per fund per period, and concurrent misses wait for the same read instead of each
// starting one. A failed read is not kept, so the next visitor tries again.

export interface SharedAnswers<T> {
  get(key: string, read: () => Promise<T>): Promise<T>;
}

export function sharedAnswers<T>(ttlMs: number, clock: () => Date): SharedAnswers<T> {
  const entries = new Map<string, { until: number; answer: Promise<T> }>();
  return {
    get(key, read) {
      const now = clock().getTime();
      const entry = entries.get(key);
      if (entry && entry.until > now) return entry.answer;
      for (const [k, e] of entries) if (e.until <= now) entries.delete(k); // bounded by the number of funds
      const answer = read();
      entries.set(key, { until: now + ttlMs, answer });
      answer.catch(() => {
        if (entries.get(key)?.answer === answer) entries.delete(key);
      });
      return answer;
    },
  };
}
