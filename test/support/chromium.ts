// How the console's browser tests and bench:console start Chromium: Debian's package, driven by
// playwright-core (nothing can download a browser here). No test harness here, so the bench can
// import it.

/** The Chromium binary: CHROMIUM_PATH, or Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  // Chromium's sandbox refuses to start as root, as in CI containers.
  '--no-sandbox',
  // Headless, with no GPU to use: software rendering without probing for one.
  '--disable-gpu',
  // Plain HTTP to the local API: no QUIC attempts.
  '--disable-quic',
  // No first-run dialogs or imports.
  '--no-first-run',
  // No background traffic (safe browsing, variations, updates, sync), which this machine's
  // closed network refuses and which would only add noise to the errors and timings.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
