import { test } from "node:test";
import assert from "node:assert/strict";

// A zone far from UTC, so a date read in UTC instead of on the local clock shows.
process.env.TZ = "Asia/Tokyo";
const { day, clock, stamp, relative, ago } = await import("../view.js");

test("dates read on the local clock, year first", () => {
  assert.equal(stamp("2026-11-23T16:05:00Z"), "2026-11-24 01:05");
  assert.equal(day("2026-11-23T16:05:00Z"), "2026-11-24");
  assert.equal(clock("2026-11-23T03:07:00Z"), "12:07");
  assert.equal(stamp(null), "");
  assert.equal(day(undefined), "");
});

test("expiry and last-sync read relative to now", () => {
  const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();
  assert.equal(relative(inDays(3)), "in 3 d");
  assert.equal(relative(inDays(-2)), "2 d ago");
  assert.equal(relative(inDays(0)), "today");
  assert.equal(ago(new Date(Date.now() - 5 * 60_000).toISOString()), "5 min ago");
  assert.equal(ago(null), "never");
});

test("relative times follow the server's clock, not this computer's", async () => {
  const { serverToday } = await import("../view.js");
  const { store } = await import("../store.js");
  const day = 86_400_000;
  // This computer's clock is two days behind the server's.
  store.set({ status: { online: true, clockOffsetMs: 2 * day } });
  try {
    const serverIn = (n) => new Date(Date.now() + 2 * day + n * day).toISOString();
    assert.equal(relative(serverIn(3)), "in 3 d");
    assert.equal(relative(new Date(Date.now() + day).toISOString()), "1 d ago", "tomorrow here is yesterday there");
    assert.ok(Math.abs(serverToday().getTime() - (Date.now() + 2 * day)) < 1000);
  } finally {
    store.set({ status: { online: true } });
  }
});
