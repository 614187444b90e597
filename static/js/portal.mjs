// Starts GOV.UK Frontend and MOJ Frontend components, and again inside content htmx swaps in.
import * as govuk from "../govuk/govuk-frontend.min.js";
import * as moj from "../moj/moj-frontend.min.js";

// A browser that runs this module supports what GOV.UK Frontend needs (ES modules).
document.body.classList.add("js-enabled", "govuk-frontend-supported");

function initComponents(scope) {
  govuk.initAll({ scope });
  moj.initAll({ scope });
}

initComponents(document);

document.body.addEventListener("htmx:afterSwap", (event) => {
  // Only the new content: components already started must not be started twice.
  initComponents(event.detail.elt);
});

// An error summary that an htmx swap brings in takes focus, as GOV.UK Frontend gives it on a
// page load, so a screen reader announces it and the keyboard starts from it; while one is on
// the page the title starts "Error: ", as a full page with errors does.
const ERROR_PREFIX = "Error: ";
document.body.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.detail.elt;
  const scope = swapped && swapped.isConnected ? swapped : document;
  const summary = scope.querySelector('[data-module="govuk-error-summary"]');
  if (summary && document.activeElement !== summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
  const anySummary = document.querySelector('[data-module="govuk-error-summary"]');
  if (anySummary && !document.title.startsWith(ERROR_PREFIX)) {
    document.title = ERROR_PREFIX + document.title;
  } else if (!anySummary && document.title.startsWith(ERROR_PREFIX)) {
    document.title = document.title.slice(ERROR_PREFIX.length);
  }
});
