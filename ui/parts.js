// The dialogs, the details panel and the other tabs' views wait in index.html as <template>s
// until first needed, so the first screen parses, styles and holds only what it shows.

const wiring = new Map();

/** Runs `wire(element)` when part `id` is first put in the page. */
export function onMount(id, wire) {
  wiring.set(id, wire);
}

/** The part `id`, put in the page (and wired) the first time it is asked for. */
export function part(id) {
  const existing = document.getElementById(id);
  if (existing) return existing;
  const template = document.getElementById(`tpl-${id}`);
  template.replaceWith(template.content);
  const mounted = document.getElementById(id);
  wiring.get(id)?.(mounted);
  return mounted;
}
