/** What every picture the API draws shares: one colour per acting level, and XML-safe text. */
export const LEVEL_COLOURS: Record<string, string> = {
  federal: '#1f4e9c',
  state: '#2a8f5b',
  county: '#c47f17',
  municipal: '#b53a3a',
  territorial: '#6b4fa3',
  tribal: '#2b8c99',
};

export function escapeXml(text: string): string {
  // Control characters XML 1.0 forbids (a title may hold them) would make the picture unreadable.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
