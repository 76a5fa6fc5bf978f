/** What a key does in a list that is triaged from the keyboard, as in a mail client. */
export type QueueCommand = 'next' | 'previous' | 'publish' | 'reject' | 'edit' | 'merge' | 'toggle' | 'help' | 'close';

export const QUEUE_KEYS: readonly { key: string; command: QueueCommand; label: string }[] = [
  { key: 'j', command: 'next', label: 'next proposal' },
  { key: 'k', command: 'previous', label: 'previous proposal' },
  { key: 'p', command: 'publish', label: 'publish (the selected ones, when some are selected)' },
  { key: 'r', command: 'reject', label: 'reject, with a reason' },
  { key: 'e', command: 'edit', label: 'edit, then publish' },
  { key: 'm', command: 'merge', label: 'merge into an existing action' },
  { key: 'x', command: 'toggle', label: 'select or unselect' },
  { key: '?', command: 'help', label: 'show these keys' },
  { key: 'Escape', command: 'close', label: 'close a dialog or this help' },
];

/** The parts of a KeyboardEvent that decide (so the map is testable without a DOM). */
export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The focused element's tag ('INPUT', 'TEXTAREA', 'SELECT', …), an input's type, and whether it is editable text. */
  targetTag?: string;
  targetType?: string;
  targetEditable?: boolean;
}

/** Inputs that take no typed text: a shortcut still works after a click on a checkbox. */
const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'image', 'range', 'color', 'file']);

function typingInto(press: KeyPress): boolean {
  const tag = press.targetTag?.toUpperCase();
  if (press.targetEditable || tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !NOT_TEXT.has((press.targetType ?? 'text').toLowerCase());
}

/**
 * The command of a key press, or null. Letters typed into a field are text, not commands, and
 * a press with Ctrl, Cmd or Alt belongs to the browser (Ctrl+R must still reload); Escape works
 * everywhere, so a dialog can always be left.
 */
export function queueCommand(press: KeyPress): QueueCommand | null {
  if (press.key === 'Escape') return 'close';
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  if (typingInto(press)) return null;
  return QUEUE_KEYS.find((k) => k.key === press.key)?.command ?? null;
}
