// What the forms share, without their rules (those are Rust's: the invite and edit checks
// answer every field's error): errors shown at their fields, and merging an edit after a
// version conflict.

/** The errors of a failure (`[{field, rule, message}]`, and `field` of a single one) as
 *  `{field: message}`, the first message of each field. */
export function fieldErrors(error) {
  const out = {};
  for (const e of error?.errors ?? []) if (!out[e.field]) out[e.field] = e.message;
  if (error?.field && !out[error.field] && error.kind === "validation") out[error.field] = error.message;
  return out;
}

/** `[{field, message}]` as `{field: message}`, the first of each field. */
export const byField = (errors) => fieldErrors({ errors });

/**
 * Writes `errors` (`{field: message}`) into the slots `<prefix><field>-error` of `root`, and
 * marks the control that slot describes invalid (or valid again). The controls name their
 * slots with aria-describedby, so a screen reader reads each error with its field.
 */
export function showErrors(root, prefix, fields, errors) {
  for (const field of fields) {
    const slot = root.getElementById(`${prefix}${field}-error`);
    if (!slot) continue;
    slot.textContent = errors[field] ?? "";
    const control = root.querySelector(`[aria-describedby~="${prefix}${field}-error"]`);
    if (control) control.setAttribute("aria-invalid", String(Boolean(errors[field])));
  }
}

/**
 * After a version conflict: their record with my changes on top, so neither side's work is
 * lost. `original` is what I opened, `mine` what I had in the dialog, `theirs` the fresh record;
 * fields hold plain values, except `permissionPolicyIds`, where the ids I added or removed are
 * applied to theirs. Answers the merged fields and the names of the fields I had changed.
 */
export function rebaseEdit(original, mine, theirs) {
  const merged = { ...theirs };
  const changed = [];
  for (const [field, value] of Object.entries(mine)) {
    if (field === "permissionPolicyIds") {
      const before = new Set(original[field] ?? []);
      const after = new Set(value ?? []);
      const added = [...after].filter((id) => !before.has(id));
      const removed = new Set([...before].filter((id) => !after.has(id)));
      if (!added.length && !removed.size) continue;
      const base = (theirs[field] ?? []).filter((id) => !removed.has(id));
      merged[field] = [...base, ...added.filter((id) => !base.includes(id))];
      changed.push(field);
    } else if ((value ?? null) !== (original[field] ?? null)) {
      merged[field] = value;
      changed.push(field);
    }
  }
  return { merged, changed };
}
