// The permission policies as a checklist with a name filter, shared by the invite and edit
// dialogs.

import { element } from "../view.js";

/** A search over policies by name. */
export function filterPolicies(policies, query) {
  const q = (query ?? "").trim().toLowerCase();
  return q ? policies.filter((p) => (p.name ?? "").toLowerCase().includes(q)) : policies;
}

/** Draws `policies` (filtered by `query`) into `box` as checkboxes, `chosen` ticked;
 *  `onChange(ids)` with the new choice. */
export function drawPolicies(box, policies, chosen, onChange, query = "") {
  const shown = filterPolicies(policies, query);
  box.replaceChildren(...(shown.length ? shown.map((p) =>
    element("label", {}, element("input", { type: "checkbox", value: p.id, checked: chosen.includes(p.id), onchange: (e) => {
      onChange(e.target.checked ? [...chosen, p.id] : chosen.filter((x) => x !== p.id));
    } }), ` ${p.name}`)) : [element("p", { class: "muted" }, policies.length ? "No policy matches the filter" : "No permission policies are cached: sync, then try again")]));
}
