import { QUEUE_KEYS, queueCommand } from './keymap';

describe('queueCommand: the review queue keyboard map', () => {
  it.each([
    ['j', 'next'],
    ['k', 'previous'],
    ['p', 'publish'],
    ['r', 'reject'],
    ['e', 'edit'],
    ['m', 'merge'],
    ['x', 'toggle'],
    ['?', 'help'],
    ['Escape', 'close'],
  ])('%s → %s', (key, command) => {
    expect(queueCommand({ key, targetTag: 'BODY' })).toBe(command);
  });

  it('ignores keys it does not know, and capitals (Shift+P is not p)', () => {
    expect(queueCommand({ key: 'q' })).toBeNull();
    expect(queueCommand({ key: 'P' })).toBeNull();
  });

  it('leaves letters typed into a field alone, but Escape still closes', () => {
    for (const targetTag of ['INPUT', 'textarea', 'SELECT']) expect(queueCommand({ key: 'p', targetTag })).toBeNull();
    expect(queueCommand({ key: 'r', targetTag: 'DIV', targetEditable: true })).toBeNull();
    expect(queueCommand({ key: 'Escape', targetTag: 'INPUT' })).toBe('close');
  });

  it('still works after a click on a checkbox or a radio button, which take no text', () => {
    expect(queueCommand({ key: 'j', targetTag: 'INPUT', targetType: 'checkbox' })).toBe('next');
    expect(queueCommand({ key: 'p', targetTag: 'INPUT', targetType: 'radio' })).toBe('publish');
    expect(queueCommand({ key: 'p', targetTag: 'INPUT', targetType: 'search' })).toBeNull();
    expect(queueCommand({ key: 'p', targetTag: 'INPUT' })).toBeNull();
  });

  it("leaves the browser's shortcuts to the browser", () => {
    expect(queueCommand({ key: 'r', ctrlKey: true })).toBeNull();
    expect(queueCommand({ key: 'p', metaKey: true })).toBeNull();
    expect(queueCommand({ key: 'j', altKey: true })).toBeNull();
  });

  it('documents every key once', () => {
    expect(new Set(QUEUE_KEYS.map((k) => k.key)).size).toBe(QUEUE_KEYS.length);
  });
});
