// A wide table scrolls sideways inside its own box (reflow at 320 px). While the box has something
// to scroll, it is a region named by the table's caption (the box's data-labelledby) and in the
// tab order, so a keyboard user can scroll it and a screen reader says which table it is.
// Used by portal.mjs (GOV.UK tables) and admin.mjs (Django admin's change lists).
function markScrollable(box) {
  if (box.scrollWidth > box.clientWidth) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", box.dataset.labelledby);
  } else {
    box.removeAttribute("tabindex");
    box.removeAttribute("role");
    box.removeAttribute("aria-labelledby");
  }
}

const scrollWatcher = new ResizeObserver((entries) => {
  entries.forEach(({ target: box }) => markScrollable(box));
});

// Marked at once (focusable before the observer first runs), then again whenever it resizes.
export function watchScrollBox(box) {
  markScrollable(box);
  scrollWatcher.observe(box);
}
