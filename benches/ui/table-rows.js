// Scrolls ui/table.js's VirtualTable over a million rows (served by a fake window source, as
// the cache would serve them) and records how many row elements exist at each stop and how
// long each redraw took. The result goes to the page title for the headless browser to print.
import { VirtualTable, MAX_SCROLL_HEIGHT } from "/ui/table.js";

const TOTAL = 1_000_000;
const fetchWindow = async (offset, limit) => ({
  total: TOTAL,
  rows: Array.from({ length: Math.min(limit, TOTAL - offset) }, (_, i) => ({ id: `r${offset + i}`, email: `person${offset + i}@example.com`, status: "Pending" })),
});
const table = new VirtualTable(document.getElementById("v"), {
  label: "bench",
  columns: [
    { key: "email", title: "E-mail", render: (r) => r.email },
    { key: "status", title: "Status", render: (r) => r.status },
  ],
  fetchWindow,
});
const settle = () => new Promise((r) => setTimeout(r, 30));
await table.reset();
let most = 0;
const bottom = table.viewport.scrollHeight - table.viewport.clientHeight;
for (let stop = 0; stop <= 100; stop++) {
  table.viewport.scrollTop = Math.floor((stop / 100) * bottom);
  table.draw();
  await settle();
  most = Math.max(most, table.viewport.querySelectorAll(".vt-row").length);
}
const rows = [...table.viewport.querySelectorAll(".vt-row")];
const lastIndex = Math.max(...rows.map((r) => Number(r.getAttribute("aria-rowindex"))));
document.title = `rows=${most} stops=101 last_row_drawn=${lastIndex} of ${TOTAL} spacer_px=${Math.round(bottom)} max=${MAX_SCROLL_HEIGHT}`;
