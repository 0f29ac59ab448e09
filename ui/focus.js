// Focus for panels and dialogs: opening one moves focus into it, closing it returns focus to
// where the person was, so a keyboard user never lands at the top of the page.

/** Remembers what has focus now; the answer puts focus back there (if it is still shown). */
export function rememberFocus(doc = document) {
  const before = doc.activeElement;
  return () => {
    if (before && before.isConnected && typeof before.focus === "function") before.focus();
  };
}

/** Opens `dialog` as a modal, focus on `first` (or its first field), and returns focus to
 *  where it was when the dialog closes, however it closes (Escape, Cancel, Send). */
export function openModal(dialog, first) {
  const restore = rememberFocus(dialog.ownerDocument);
  if (!dialog.open) dialog.showModal();
  (first ?? dialog.querySelector("input, select, textarea, button"))?.focus();
  dialog.addEventListener("close", restore, { once: true });
}
