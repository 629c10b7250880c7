/**
 * The built CLI (dist/) with a planning clock that runs faster than real time, for end-to-end
 * tests that need hours of load to pass: PRESCALE_TEST_CLOCK="START,RATE" starts the clock at
 * START (unix seconds) and runs it RATE times faster. Only the planning clock is fast; timers,
 * the schedule, the leader lock and the engine run in real time.
 *   node --import tsx test/support/fast-clock-cli.ts serve --apply ...
 */
import type { main as Main } from '../../src/cli/main.js';

const [start, rate] = (process.env.PRESCALE_TEST_CLOCK ?? '').split(',').map(Number);
if (!Number.isFinite(start) || !(rate > 0)) throw new Error('PRESCALE_TEST_CLOCK must be "START,RATE"');
const t0 = Date.now() / 1000;
const clock = { now: () => start + (Date.now() / 1000 - t0) * rate };

const built = new URL('../../dist/cli/main.js', import.meta.url).href;
const { main } = (await import(built)) as { main: typeof Main };
process.exitCode = await main(process.argv, { clock });
