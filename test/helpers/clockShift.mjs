// Preloaded into a child server by tests (node --import): moves its Date.now forward by
// MOBFLOW_TEST_CLOCK_SHIFT_MS, so a restarted server finds a turn already due without anyone
// waiting for it in real time. Never used outside tests.
const shift = Number(process.env.MOBFLOW_TEST_CLOCK_SHIFT_MS ?? 0);
if (shift) {
  const real = Date.now;
  Date.now = () => real() + shift;
}
