import type { ReactNode } from 'react';

/** A wide table's scroller: a named region, focusable, so a keyboard can scroll it on a narrow screen. */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
