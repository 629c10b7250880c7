/** Longest the cycle's own work in the main thread runs before it lets the API in, ms. */
export const SLICE_MS = 5;

/**
 * Time slices for a loop over many services in the main thread: `pass()` yields to the event
 * loop (API requests, probes, I/O) once SLICE_MS has gone by since the last yield, so that no
 * loop over 1,000 services holds it for long, and costs nothing otherwise.
 */
export class Slices {
  private at = performance.now();

  async pass(): Promise<void> {
    if (performance.now() - this.at < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.at = performance.now();
  }
}
