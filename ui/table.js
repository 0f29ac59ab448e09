// A virtualised table: only the rows in view (plus a few either side) exist in the DOM, so a
// million cached rows scroll with a constant number of elements. Rows come from the cache in
// windows through `fetchWindow(offset, limit)`, which answers `{rows, total}`.

export const ROW_HEIGHT = 36;
const OVERSCAN = 6;
export const PAGE = 100;
/** Browsers cap an element's height (Chromium near 33.5M px): past this, scrolling is scaled. */
export const MAX_SCROLL_HEIGHT = 8_000_000;

/** How many rows' height one pixel of scrollbar stands for (1 until the table is very long). */
export function scrollScale(total, viewportHeight, rowHeight = ROW_HEIGHT) {
  const height = total * rowHeight;
  if (height <= MAX_SCROLL_HEIGHT) return 1;
  // Scaled so that the bottom of the scroll range shows the last rows.
  return (height - viewportHeight) / (MAX_SCROLL_HEIGHT - viewportHeight);
}

/** The row at the top of the view, fractional: where drawing starts. */
export function topRow(scrollTop, scale, rowHeight = ROW_HEIGHT) {
  return (scrollTop * scale) / rowHeight;
}

/** The rows to draw for a scroll position: `{first, last}` (last exclusive). */
export function visibleRange(scrollTop, viewportHeight, total, rowHeight = ROW_HEIGHT, overscan = OVERSCAN) {
  if (total <= 0) return { first: 0, last: 0 };
  const scale = scrollScale(total, viewportHeight, rowHeight);
  const first = Math.max(0, Math.floor(topRow(scrollTop, scale, rowHeight)) - overscan);
  const count = Math.ceil(viewportHeight / rowHeight) + 2 * overscan;
  return { first, last: Math.min(total, first + count) };
}

/** The window pages (offsets) that hold rows `first..last`. */
export function pagesFor(first, last, page = PAGE) {
  const pages = [];
  for (let offset = Math.floor(first / page) * page; offset < last; offset += page) pages.push(offset);
  return pages;
}

/** The row index the keyboard moves to from `current`, clamped to the table. */
export function moveSelection(current, key, total, pageRows) {
  const step = { ArrowDown: 1, ArrowUp: -1, PageDown: pageRows, PageUp: -pageRows }[key];
  if (key === "Home") return 0;
  if (key === "End") return Math.max(0, total - 1);
  if (step === undefined) return current;
  return Math.min(Math.max(0, (current < 0 ? 0 : current) + step), Math.max(0, total - 1));
}

export class VirtualTable {
  /**
   * @param {HTMLElement} viewport the scrolling element
   * @param {object} options `{columns, fetchWindow, onSelect, onCheck, onTotal, label, grid,
   *   checkable}` (`checkable: false` draws no checkboxes);
   *   each column is `{key, title, render(row) -> string|Node, tip?(row), sort?}`. `grid` is
   *   the element that holds the header row and the viewport: it is the grid, so that its
   *   column headers belong to it; without one the viewport is the grid.
   */
  constructor(viewport, options) {
    this.viewport = viewport;
    this.options = options;
    this.total = 0;
    this.pages = new Map();
    this.selected = -1;
    this.checked = new Set();
    this.generation = 0;
    const doc = viewport.ownerDocument;
    this.grid = options.grid ?? viewport;
    this.headerRows = options.grid ? 1 : 0;
    this.grid.setAttribute("role", "grid");
    this.grid.setAttribute("aria-label", options.label);
    if (options.grid) viewport.setAttribute("role", "rowgroup");
    viewport.setAttribute("aria-label", `${options.label}: rows`);
    viewport.tabIndex = 0;
    this.spacer = doc.createElement("div");
    this.spacer.className = "vt-spacer";
    this.body = doc.createElement("div");
    this.body.className = "vt-body";
    this.body.setAttribute("role", "rowgroup");
    viewport.append(this.spacer, this.body);
    viewport.addEventListener("scroll", () => this.draw());
    viewport.addEventListener("keydown", (e) => this.onKey(e));
  }

  /**
   * Forgets loaded rows and reloads from the top of the current filter. `firstPage`, when
   * given, is the answer for rows `0..PAGE` already fetched (at start, ahead of this module).
   */
  async reset(firstPage) {
    this.generation += 1;
    this.pages.clear();
    this.selected = -1;
    if (this.checked.size) {
      this.checked.clear();
      this.options.onCheck?.(this.checked);
    }
    if (firstPage) this.keep(0, firstPage);
    else await this.load(0);
    this.viewport.scrollTop = 0;
    this.draw();
  }

  /** Reloads the rows in view, keeping the scroll position (after a sync or an action). */
  async refresh() {
    this.generation += 1;
    this.pages.clear();
    const { first, last } = visibleRange(this.viewport.scrollTop, this.viewport.clientHeight, Math.max(this.total, 1));
    await Promise.all(pagesFor(first, Math.max(last, first + 1)).map((o) => this.load(o)));
    this.draw();
  }

  async load(offset) {
    if (this.pages.has(offset)) return this.pages.get(offset);
    const generation = this.generation;
    const pending = this.options.fetchWindow(offset, PAGE).then((answer) => {
      if (generation === this.generation) this.keep(offset, answer);
      return answer;
    });
    this.pages.set(offset, pending);
    return pending;
  }

  keep(offset, answer) {
    this.total = answer.total;
    this.options.onTotal?.(this.total);
    this.pages.set(offset, Promise.resolve(answer));
    this.pages.set(`rows:${offset}`, answer.rows);
  }

  rowAt(index) {
    const offset = Math.floor(index / PAGE) * PAGE;
    const rows = this.pages.get(`rows:${offset}`);
    return rows ? rows[index - offset] : undefined;
  }

  draw() {
    const doc = this.viewport.ownerDocument;
    const viewportHeight = this.viewport.clientHeight || 600;
    const scale = scrollScale(this.total, viewportHeight);
    this.spacer.style.height = `${scale === 1 ? this.total * ROW_HEIGHT : MAX_SCROLL_HEIGHT}px`;
    this.grid.setAttribute("aria-rowcount", String(this.total + this.headerRows));
    const scrollTop = this.viewport.scrollTop;
    const top = topRow(scrollTop, scale);
    const { first, last } = visibleRange(scrollTop, viewportHeight, this.total);
    const missing = pagesFor(first, last).filter((o) => !this.pages.has(`rows:${o}`));
    if (missing.length) Promise.all(missing.map((o) => this.load(o))).then(() => this.draw());
    const rows = [];
    for (let i = first; i < last; i++) {
      const row = this.rowAt(i);
      const el = doc.createElement("div");
      el.className = "vt-row" + (i === this.selected ? " selected" : "");
      el.setAttribute("role", "row");
      el.setAttribute("aria-rowindex", String(i + 1 + this.headerRows));
      el.setAttribute("aria-selected", String(i === this.selected));
      // Placed relative to the view's top row, so scaled scrolling still lays rows edge to edge.
      el.style.transform = `translateY(${scrollTop + (i - top) * ROW_HEIGHT}px)`;
      el.dataset.index = String(i);
      const box = doc.createElement("input");
      box.type = "checkbox";
      box.className = "vt-check";
      box.tabIndex = -1;
      box.setAttribute("aria-label", row ? `Select ${row.email ?? "row"}` : "Select row");
      box.checked = row ? this.checked.has(row.id) : false;
      box.addEventListener("click", (e) => {
        e.stopPropagation();
        if (!row) return;
        if (box.checked) this.checked.add(row.id);
        else this.checked.delete(row.id);
        this.options.onCheck?.(this.checked);
      });
      const check = doc.createElement("div");
      check.setAttribute("role", "gridcell");
      check.className = "vt-cell vt-cell-check";
      // A table of things not acted on in bulk (Activity) keeps the column, empty.
      if (this.options.checkable !== false) check.append(box);
      el.append(check);
      for (const column of this.options.columns) {
        const cell = doc.createElement("div");
        cell.setAttribute("role", "gridcell");
        cell.className = `vt-cell col-${column.key}${column.secondary ? " secondary" : ""}`;
        const content = row ? column.render(row) : "…";
        if (typeof content === "string") cell.textContent = content;
        else cell.append(content);
        // Cut short by its column's width, a cell still shows its whole text on hover.
        const tip = row && column.tip ? column.tip(row) : cell.textContent;
        if (tip) cell.title = tip;
        el.append(cell);
      }
      el.addEventListener("click", () => this.select(i, true, row));
      rows.push(el);
    }
    this.body.replaceChildren(...rows);
  }

  /** Ticks exactly `ids` (select all of the filter, or none). */
  checkOnly(ids) {
    this.checked = new Set(ids);
    this.options.onCheck?.(this.checked);
    this.draw();
  }

  /**
   * Selects row `index`; `shown` is the row drawn where the person clicked. That row opens even
   * when the rows reload under the pointer (a search just typed): the one seen is the one meant.
   */
  async select(index, open, shown = null) {
    this.selected = index;
    this.draw();
    if (shown) {
      this.options.onSelect?.(shown, open);
      return;
    }
    // A key pressed while the rows reload lands on a row not loaded yet.
    const row = this.rowAt(index) ?? (await this.load(Math.floor(index / PAGE) * PAGE), this.rowAt(index));
    if (row && this.selected === index) this.options.onSelect?.(row, open);
  }

  /** The loaded row with this id and its index, if any. */
  findLoaded(id) {
    for (const [key, rows] of this.pages) {
      if (typeof key !== "string") continue;
      const at = rows.findIndex((r) => r.id === id);
      if (at >= 0) return { index: Number(key.slice(5)) + at, row: rows[at] };
    }
    return null;
  }

  /** Marks the row with this id selected without opening it (it is open already). */
  highlight(id) {
    const found = this.findLoaded(id);
    this.selected = found ? found.index : -1;
    this.draw();
    return found?.row ?? null;
  }


  onKey(event) {
    const pageRows = Math.floor((this.viewport.clientHeight || 600) / ROW_HEIGHT);
    if (event.key === "Enter" && this.selected >= 0) {
      event.preventDefault();
      this.select(this.selected, true);
      return;
    }
    if (event.key === " " && this.selected >= 0) {
      event.preventDefault();
      const row = this.rowAt(this.selected);
      if (row) {
        if (this.checked.has(row.id)) this.checked.delete(row.id);
        else this.checked.add(row.id);
        this.options.onCheck?.(this.checked);
        this.draw();
      }
      return;
    }
    const next = moveSelection(this.selected, event.key, this.total, pageRows);
    if (next === this.selected) return;
    event.preventDefault();
    const scale = scrollScale(this.total, this.viewport.clientHeight || 600);
    const top = topRow(this.viewport.scrollTop, scale);
    if (next < top) this.scrollToRow(next);
    else if (next + 1 > top + pageRows) this.scrollToRow(next + 1 - pageRows);
    this.select(next, false);
  }

  /** Scrolls so that row `index` is at the top of the view. */
  scrollToRow(index) {
    const scale = scrollScale(this.total, this.viewport.clientHeight || 600);
    this.viewport.scrollTop = (index * ROW_HEIGHT) / scale;
  }
}
