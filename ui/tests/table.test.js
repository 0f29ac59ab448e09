import { test } from "node:test";
import assert from "node:assert/strict";
import { dom, settle } from "./dom.js";
import { VirtualTable, visibleRange, pagesFor, moveSelection, scrollScale, MAX_SCROLL_HEIGHT, ROW_HEIGHT } from "../table.js";

test("a million rows draw a constant handful wherever the scroll is", () => {
  const total = 1_000_000;
  const scale = scrollScale(total, 800);
  const bottom = MAX_SCROLL_HEIGHT - 800;
  for (const scrollTop of [0, 12_345, bottom / 2, bottom]) {
    const { first, last } = visibleRange(scrollTop, 800, total);
    assert.ok(last - first <= 100, `${last - first} rows drawn`);
    assert.ok(last <= total && first >= 0);
  }
  assert.equal(visibleRange(bottom, 800, total).last, total, "the last row can be reached");
  assert.ok(scale > 1, "a million rows are taller than a browser lets an element be");
  assert.equal(scrollScale(1000, 800), 1, "short tables scroll one to one");
  const middle = visibleRange(10_000 * ROW_HEIGHT, 800, 100_000);
  assert.ok(middle.first <= 10_000 && middle.last > 10_000, "the row at the top is drawn");
});

test("an empty table draws nothing", () => {
  assert.deepEqual(visibleRange(0, 800, 0), { first: 0, last: 0 });
});

test("the windows to fetch cover the rows drawn, a page of 100 each", () => {
  assert.deepEqual(pagesFor(0, 30), [0]);
  assert.deepEqual(pagesFor(95, 130), [0, 100]);
  assert.deepEqual(pagesFor(250, 251), [200]);
});

test("the keyboard moves the selection and stops at the ends", () => {
  assert.equal(moveSelection(-1, "ArrowDown", 10, 5), 1);
  assert.equal(moveSelection(9, "ArrowDown", 10, 5), 9);
  assert.equal(moveSelection(0, "ArrowUp", 10, 5), 0);
  assert.equal(moveSelection(2, "PageDown", 10, 5), 7);
  assert.equal(moveSelection(7, "End", 10, 5), 9);
  assert.equal(moveSelection(7, "Home", 10, 5), 0);
  assert.equal(moveSelection(3, "x", 10, 5), 3);
});

test("a row clicked while a new search reloads the rows opens the row that was clicked", async () => {
  const people = ["ada@a.example", "bob@a.example", "dennis@a.example"].map((email, i) => ({ id: `id-${i}`, email }));
  let answer = (rows) => Promise.resolve({ total: rows.length, rows });
  let search = null;
  const viewport = dom.window.document.createElement("div");
  dom.window.document.body.append(viewport);
  const opened = [];
  const table = new VirtualTable(viewport, {
    label: "People",
    columns: [{ key: "email", title: "E-mail", render: (row) => row.email }],
    fetchWindow: () => answer(search ? people.filter((p) => p.email.startsWith(search)) : people),
    onSelect: (row, open) => open && opened.push(row.email),
  });
  await table.reset();
  const dennis = [...viewport.querySelectorAll(".vt-row")].find((r) => r.textContent.includes("dennis"));
  // The search's answer is held back, so the old rows are still on screen when clicked.
  let release;
  answer = (rows) => new Promise((resolve) => (release = () => resolve({ total: rows.length, rows })));
  search = "dennis";
  const reloading = table.reset();
  dennis.click();
  release();
  await reloading;
  await settle();
  assert.deepEqual(opened, ["dennis@a.example"], "the row seen under the pointer is the one opened");
});
