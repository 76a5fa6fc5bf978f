import { changedFields, formatValue, rebase, wordDiff } from './diff';

const FIELDS = ['title', 'summary', 'occurredOn', 'tags', 'sources'];

const base = {
  title: 'Chicago sues over grant conditions',
  summary: 'The city filed suit.',
  occurredOn: { date: '2017-08-07', precision: 'day' },
  tags: ['sanctuary'],
  sources: [{ url: 'https://example.org/a', publisher: 'City of Chicago' }],
};

describe('changedFields', () => {
  it('names the fields that differ, deep, in the order asked', () => {
    const after = { ...base, tags: ['sanctuary', 'byrne-jag'], occurredOn: { date: '2017-08-07', precision: 'day' }, title: 'Chicago sues the DOJ' };
    expect(changedFields(base, after, FIELDS)).toEqual([
      { field: 'title', before: base.title, after: 'Chicago sues the DOJ' },
      { field: 'tags', before: ['sanctuary'], after: ['sanctuary', 'byrne-jag'] },
    ]);
  });

  it('takes a missing field and null as the same', () => {
    expect(changedFields({ title: 'a' }, { title: 'a', summary: null }, FIELDS)).toEqual([]);
  });
});

describe('formatValue', () => {
  it('reads a partial date, a list and an object as a curator would', () => {
    expect(formatValue({ date: '2017-08', precision: 'month' })).toBe('2017-08 (month)');
    expect(formatValue(['a', 'b'])).toBe('a\nb');
    expect(formatValue([{ url: 'https://x.org', publisher: 'X', title: '' }])).toBe('url: https://x.org · publisher: X');
    expect(formatValue(null)).toBe('');
    expect(formatValue(3)).toBe('3');
  });
});

describe('wordDiff', () => {
  it('marks the words removed and added, keeping the rest', () => {
    const parts = wordDiff('Chicago sues over grant conditions', 'Chicago sues the DOJ over grant conditions');
    expect(parts.filter((p) => p.change === 'added').map((p) => p.text.trim())).toEqual(['the DOJ']);
    expect(parts.filter((p) => p.change === 'removed')).toEqual([]);
    expect(parts.map((p) => p.text).join('')).toBe('Chicago sues the DOJ over grant conditions');
  });

  it('diffs non-text values through their reading form', () => {
    const parts = wordDiff({ date: '2017-08', precision: 'month' }, { date: '2017-08-07', precision: 'day' });
    expect(parts.filter((p) => p.change === 'removed').map((p) => p.text)).toContain('month');
    expect(parts.filter((p) => p.change === 'added').map((p) => p.text)).toEqual(expect.arrayContaining(['day']));
    expect(parts.filter((p) => p.change !== 'removed').map((p) => p.text).join('')).toBe('2017-08-07 (day)');
  });
});

describe('rebase: my edit on top of a version saved in between', () => {
  it('keeps their change to another field and applies mine', () => {
    const mine = { ...base, summary: 'The city of Chicago filed suit in federal court.' };
    const theirs = { ...base, title: 'Chicago v. Sessions filed' };
    const r = rebase(base, mine, theirs, FIELDS);
    expect(r.merged).toEqual({ ...base, title: 'Chicago v. Sessions filed', summary: mine.summary });
    expect(r.conflicts).toEqual([]);
  });

  it('names a field we both changed differently, and keeps mine in it', () => {
    const mine = { ...base, title: 'Chicago sues Sessions' };
    const theirs = { ...base, title: 'Chicago v. Sessions' };
    const r = rebase(base, mine, theirs, FIELDS);
    expect(r.conflicts).toEqual(['title']);
    expect(r.merged.title).toBe('Chicago sues Sessions');
  });

  it('is no conflict when we both made the same change', () => {
    const same = { ...base, tags: ['sanctuary', 'jag'] };
    expect(rebase(base, same, same, FIELDS).conflicts).toEqual([]);
  });

  it('with no edit of mine, is their version', () => {
    const theirs = { ...base, summary: 'changed' };
    expect(rebase(base, base, theirs, FIELDS)).toEqual({ merged: theirs, conflicts: [] });
  });
});
